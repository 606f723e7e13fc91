import { describe, expect, it } from "vitest";
import { FormatError } from "../src/errors.js";
import { subrip } from "../src/ingest/formats/subrip.js";
import type { ReadableSource } from "../src/ingest/formats/types.js";

const read = (content: string) => subrip.read(content, "talk.srt");
const said = (source: ReadableSource, span: { start: number; end: number }) => source.text.slice(span.start, span.end);

const subtitles = `1
00:00:01,000 --> 00:00:02,500
>> SAM WRITER: Why <i>rivers</i>?

2
00:00:02,500 --> 00:00:04,000
>> JANE DOE: Because they
go somewhere.

3
00:00:04,000 --> 00:00:05,000
{\\an8}[00:00:04] They never stop.

4
00:00:05,000 --> 00:00:07,000
>> <font color="#ffff00">And roads?</font>

5
00:00:07,000 --> 00:00:09,000
- Roads stay.
- Really?

6
00:01:09,000 --> 00:01:10,500
00:31 Really.
`;

describe("the SubRip format", () => {
  it("reads the spoken words: cues joined with a space, a new paragraph at each >> or dialogue dash", () => {
    expect(read(subtitles).text).toBe(
      "Why rivers?\n\nBecause they go somewhere. They never stop.\n\nAnd roads?\n\nRoads stay.\n\nReally? Really.",
    );
  });

  it("never lets cue numbers, timings, inline timestamps, tags, >> markers or speaker names into the text", () => {
    const { text } = read(subtitles);
    expect(text).not.toMatch(/-->|\d|>>|<|>|\{|SAM WRITER|JANE DOE|color/);
  });

  it("makes a turn at each >> or dash, named when a name in capitals follows the >>", () => {
    const source = read(subtitles);
    expect(source.turns!.map((turn) => [turn.speaker, said(source, turn)])).toEqual([
      ["SAM WRITER", "Why rivers?"],
      ["JANE DOE", "Because they go somewhere. They never stop."],
      [null, "And roads?"],
      [null, "Roads stay."],
      [null, "Really? Really."],
    ]);
  });

  it("gives each cue a time span over its words", () => {
    const source = read(subtitles);
    expect(source.times!.map((time) => [said(source, time), time.startSeconds, time.endSeconds])).toEqual([
      ["Why rivers?", 1, 2.5],
      ["Because they go somewhere.", 2.5, 4],
      ["They never stop.", 4, 5],
      ["And roads?", 5, 7],
      ["Roads stay.\n\nReally?", 7, 9],
      ["Really.", 69, 70.5],
    ]);
    expect(source.metadata).toEqual({});
  });

  it("reads CRLF files with a byte-order mark, and leaves turns out when nothing marks a speaker", () => {
    const source = read(
      "\ufeff1\r\n00:00:01,000 --> 00:00:02,000\r\nQ: Why?\r\n\r\n2\r\n00:00:02,000 --> 00:00:03,000\r\nA: Because.\r\n",
    );
    expect(source.text).toBe("Q: Why? A: Because.");
    expect(source.turns).toBeUndefined();
    expect(source.times!.map((time) => said(source, time))).toEqual(["Q: Why?", "A: Because."]);
  });

  it("adds only the new words when a cue repeats the one before it", () => {
    const source = read(
      "1\n00:00:01,000 --> 00:00:02,000\nwe went\n\n2\n00:00:02,000 --> 00:00:03,000\nwe went down to\n\n3\n00:00:03,000 --> 00:00:04,000\nwe went down to\n",
    );
    expect(source.text).toBe("we went down to");
    expect(source.times!.map((time) => [said(source, time), time.startSeconds, time.endSeconds])).toEqual([
      ["we went", 1, 2],
      ["down to", 2, 4],
    ]);
  });

  it("keeps a one-word cue's word when the next cue says it again (no roll-up, both were said)", () => {
    const source = read("1\n00:00:01,000 --> 00:00:02,000\nNo.\n\n2\n00:00:02,000 --> 00:00:03,000\nNo. I didn't.\n");
    expect(source.text).toBe("No. No. I didn't.");
  });

  it("throws FormatError, quoting nothing of the file, when no cue can be parsed", () => {
    expect(() => read("Dear diary, secret-words today.\nNothing else.\n")).toThrow(FormatError);
    expect(() => read("Dear diary, secret-words today.\nNothing else.\n")).not.toThrow(/secret-words/);
    expect(() => read("")).toThrow(/talk\.srt holds no SubRip cue/);
    expect(() => read("1\n00:00:01,000 --> 00:00:02,000\n<i> </i>\n")).toThrow(FormatError);
  });
});
