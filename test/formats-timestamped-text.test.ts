import { describe, expect, it } from "vitest";
import { stripLineTimestamps } from "../src/ingest/formats/timestamped-text.js";

const transcript = [
  "Rivers and roads",
  "",
  "00:00 Welcome to the show. Today we",
  "00:04 have Jane Doe with us.",
  "[00:07] Jane Doe: Thanks for having me",
  "(00:09) - and hello.",
  "00:12 >> So, first question.",
  "00:15 Sure. >> Go on.",
  "Jane Doe (00:20): Yes.",
  "",
  "1:02:03",
  "A late line",
].join("\r\n");

describe("stripLineTimestamps", () => {
  it("removes the stamps, joins lines broken mid-sentence, and starts paragraphs at >> and Name: tags", () => {
    expect(stripLineTimestamps(transcript)!.text).toBe(
      [
        "Rivers and roads",
        "Welcome to the show. Today we have Jane Doe with us.",
        "Jane Doe: Thanks for having me and hello.",
        "So, first question.\nSure.",
        "Go on.",
        "Jane Doe: Yes.",
        "A late line",
      ].join("\n\n"),
    );
  });

  it("times each stamped line as a span of the new text, lasting until the next stamp", () => {
    const { text, times } = stripLineTimestamps(transcript)!;
    expect(times.map((time) => [text.slice(time.start, time.end), time.startSeconds, time.endSeconds])).toEqual([
      ["Welcome to the show. Today we", 0, 4],
      ["have Jane Doe with us.", 4, 7],
      ["Jane Doe: Thanks for having me", 7, 9],
      ["and hello.", 9, 12],
      ["So, first question.", 12, 15],
      ["Sure.\n\nGo on.", 15, 20],
      ["Jane Doe: Yes.", 20, 3723],
      // A stamp alone on its line times the next line; nothing says when the last one ends.
      ["A late line", 3723, 3723],
    ]);
  });

  it("never leaves a stamp or a >> in the text", () => {
    expect(stripLineTimestamps(transcript)!.text).not.toMatch(/\d:\d\d|>>|[[(]/);
  });

  it("reads fractions of seconds and keeps a line that ends a sentence on its own line", () => {
    const result = stripLineTimestamps("00:01.500 One.\n00:02,250 Two\n00:03 three.")!;
    expect(result.text).toBe("One.\nTwo three.");
    expect(result.times.map((time) => time.startSeconds)).toEqual([1.5, 2.25, 3]);
  });

  it("is null when fewer than 60% of the non-empty lines carry a stamp", () => {
    expect(
      stripLineTimestamps("We met at 10:30 that day.\nIt rained.\nThen we left.\n00:31 one stamped line"),
    ).toBeNull();
    expect(stripLineTimestamps("Plain prose.\n\nNo times at all.")).toBeNull();
    expect(stripLineTimestamps("")).toBeNull();
  });
});
