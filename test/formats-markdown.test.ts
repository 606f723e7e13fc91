import { describe, expect, it } from "vitest";
import { FormatError } from "../src/errors.js";
import { markdown } from "../src/ingest/formats/markdown.js";
import type { ReadableSource } from "../src/ingest/formats/types.js";

const read = (content: string) => markdown.read(content, "talk.md");

/** Every turn is a non-empty, trimmed span of the text, in order and not overlapping. */
function expectTurnsSlice(source: ReadableSource): void {
  let previousEnd = 0;
  for (const turn of source.turns ?? []) {
    expect(turn.start).toBeGreaterThanOrEqual(previousEnd);
    const said = source.text.slice(turn.start, turn.end);
    expect(said).not.toBe("");
    expect(said).toBe(said.trim());
    previousEnd = turn.end;
  }
}

const headingInterview = `---
title: "Rivers: a talk"
interviewee: Jane Doe
interviewer: Sam Writer
date: 2024-03-05
outlet: The Daily
tags: [rivers, roads]
---
# Rivers, with Jane Doe

*An interview by* [Sam Writer](https://example.com/sam).

![Jane at the river](jane.jpg)

## Why rivers?

Because they go **somewhere**.
They never stop.

> "A river is a road that moves."

## What comes next?

- More rivers
- Fewer \\*roads\\*

<!-- editor: check the quote -->
`;

describe("the Markdown format", () => {
  it("reads the body without front matter or Markdown syntax, one paragraph per block", () => {
    expect(read(headingInterview).text).toBe(
      [
        "Rivers, with Jane Doe",
        "An interview by Sam Writer.",
        "Why rivers?",
        "Because they go somewhere.\nThey never stop.",
        '"A river is a road that moves."',
        "What comes next?",
        "More rivers",
        "Fewer *roads*",
      ].join("\n\n"),
    );
  });

  it("never lets front matter, link targets, images, heading or quote markers or HTML comments into the text", () => {
    const { text } = read(headingInterview);
    expect(text).not.toMatch(/---|interviewee:|https:|jane\.jpg|Jane at the river|##|^>|\*\*|editor: check/m);
  });

  it("reads title, interviewee, interviewer, date and outlet from the front matter and ignores other fields", () => {
    expect(read(headingInterview).metadata).toEqual({
      title: "Rivers: a talk",
      interviewee: "Jane Doe",
      interviewer: "Sam Writer",
      date: "2024-03-05",
      outlet: "The Daily",
    });
  });

  it("coerces front-matter values: a list of names, a number, a written date; a mapping says nothing", () => {
    const { metadata } = read(
      "---\ntitle: 1984\ninterviewee: [Jane Doe, John Roe]\ndate: March 5, 2024\ninterviewer: {name: Sam}\n---\nBody.\n",
    );
    expect(metadata).toEqual({ title: "1984", interviewee: "Jane Doe, John Roe", date: "2024-03-05" });
    expect(read("---\ndate: spring 2024\n---\nBody.\n").metadata).toEqual({ date: "spring 2024" });
  });

  it("makes turns of question headings when no speaker is tagged: the interviewer asks, the interviewee answers", () => {
    const source = read(headingInterview);
    expectTurnsSlice(source);
    expect(source.turns!.map((turn) => [turn.speaker, source.text.slice(turn.start, turn.end), turn.asks])).toEqual([
      ["Sam Writer", "Why rivers?", true],
      ["Jane Doe", 'Because they go somewhere.\nThey never stop.\n\n"A river is a road that moves."', undefined],
      ["Sam Writer", "What comes next?", true],
      ["Jane Doe", "More rivers\n\nFewer *roads*", undefined],
    ]);
  });

  it("ends an answer at a heading that does not ask, and gives null speakers when the front matter names none", () => {
    const source = read("# Talk\n\nLead.\n\n## Why?\n\nBecause.\n\n## About the author\n\nSam writes.\n");
    expect(source.turns!.map((turn) => [turn.speaker, source.text.slice(turn.start, turn.end)])).toEqual([
      [null, "Why?"],
      [null, "Because."],
    ]);
  });

  it("writes bold or italic speaker tags as plain tags and leaves the turns to the text parser", () => {
    const source = read(
      "**Q:** Why rivers?\n**A:**Because they move.\n\n__Q.__ And roads?\n\n**Question:** Really?\n\n*Jane Doe:* Roads stay put.\n",
    );
    expect(source.text).toBe(
      "Q: Why rivers?\nA: Because they move.\n\nQ: And roads?\n\nQuestion: Really?\n\nJane Doe: Roads stay put.",
    );
    expect(source.turns).toBeUndefined();
  });

  it("keeps a bold word that is no tag as a word", () => {
    expect(read("**Washington.** The senator spoke.\n\n**Note** this.").text).toBe(
      "Washington. The senator spoke.\n\nNote this.",
    );
  });

  it("reads a file without front matter, and one with CRLF line ends, the same way", () => {
    expect(read("# Hi\r\n\r\nOne\r\ntwo\r\n")).toEqual({ text: "Hi\n\nOne\ntwo", metadata: {} });
    expect(read("---\r\ntitle: X\r\n---\r\nBody\r\n")).toEqual({ text: "Body", metadata: { title: "X" } });
  });

  it("throws FormatError on malformed front matter, naming the line but quoting nothing of the file", () => {
    const broken = "---\ntitle: [unclosed secret-words\ndate: 2024\n---\nBody\n";
    expect(() => read(broken)).toThrow(FormatError);
    expect(() => read(broken)).toThrow(/talk\.md: its front matter is not valid YAML \(line \d+\)$/);
    expect(() => read(broken)).not.toThrow(/secret-words/);
  });

  it("throws FormatError when the front matter is not a list of fields", () => {
    expect(() => read("---\njust a sentence\n---\nBody\n")).toThrow(FormatError);
  });
});
