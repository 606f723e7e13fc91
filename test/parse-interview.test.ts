import { describe, expect, it } from "vitest";
import { chunkInterviews } from "../src/ingest/chunk-interview.js";
import { parseInterview } from "../src/ingest/parse-interview.js";
import type { SourceFile } from "../src/ingest/load-corpus.js";
import { readInterview } from "./support/corpus.js";

const source = (text: string, id = "interview"): SourceFile => ({ id, name: `${id}.txt`, text, sha256: "x" });

describe("parseInterview on the ambassador interview", async () => {
  const text = await readInterview();
  const parsed = parseInterview(source(text));

  it("finds the six questions of the interviewer, tagged CS", () => {
    expect(parsed.questions).toHaveLength(6);
    expect(parsed.questions.map((section) => section.speaker)).toEqual(Array(6).fill("CS"));
    expect(parsed.questions[3]!.question.text).toBe("How will Kazakhstan benefit from the “Middle Corridor”?");
  });

  it("keeps exact offsets: every span slices its text back out of the source", () => {
    const spans = [
      parsed.title!,
      ...parsed.lead,
      ...parsed.boilerplate,
      ...parsed.questions.flatMap((s) => [s.question, s.answer!]),
    ];
    for (const span of spans) expect(text.slice(span.start, span.end)).toBe(span.text);
    for (const section of parsed.questions) expect(text.slice(section.start, section.end).startsWith("CS:")).toBe(true);
  });

  it("keeps source credits, related articles and editor's choice out of the answers", () => {
    const answers = parsed.questions.map((section) => section.answer!.text).join("\n");
    expect(answers).not.toMatch(/source:|photo:|Related articles|Editor's choice|Borrell/);
    expect(parsed.boilerplate.map((span) => span.text).join("\n")).toMatch(/Borrell/);
    const chunkText = chunkInterviews([parsed])
      .map((chunk) => chunk.text)
      .join("\n");
    expect(chunkText).not.toMatch(/Borrell|Related articles|photo:/);
  });

  it("reads the title, the lead and who was interviewed", () => {
    expect(parsed.title!.text).toMatch(/^Interview with the Ambassador of Kazakhstan to the EU/);
    expect(parsed.lead[0]!.text).toMatch(/^On Sunday, 5 June/);
    expect(parsed.interviewee).toMatchObject({
      name: "Ambassador Margulan Baimukhan",
      role: "Head of the Mission of Kazakhstan to the European Union",
      topics:
        "the importance of the Constitutional changes, the role of Kazakhstan in Central Asia and generally about the changes taking place in his country",
    });
  });
});

describe("parseInterview on other transcript styles", () => {
  it("recognises Q:/A: turns and drops the answer tag from the answer", () => {
    const text =
      "A Talk\n\nIntro line.\n\nQ: First question?\nA: First answer. It goes on.\n\nQ: Second question?\nA: Second answer.\n";
    const parsed = parseInterview(source(text));
    expect(parsed.questions.map((section) => section.question.text)).toEqual(["First question?", "Second question?"]);
    expect(parsed.questions[0]!.answer!.text).toBe("First answer. It goes on.");
    expect(parsed.questions[0]!.answerSpeaker).toBe("A");
  });

  it("recognises Interviewer: turns with CRLF line endings and keeps offsets into the raw file", () => {
    const text =
      "Title\r\n\r\nInterviewer: What now?\r\nWe build.\r\n\r\nMore building.\r\n\r\nInterviewer: Why?\r\nBecause.\r\n";
    const parsed = parseInterview(source(text));
    expect(parsed.questions).toHaveLength(2);
    const answer = parsed.questions[0]!.answer!;
    expect(text.slice(answer.start, answer.end)).toBe(answer.text);
    expect(answer.text).toBe("We build.\r\n\r\nMore building.");
  });

  it("does not take a headline with a colon for a speaker", () => {
    const parsed = parseInterview(
      source("Interview with the Minister of Culture: big plans ahead\n\nQ: Why?\nBecause."),
    );
    expect(parsed.questions).toHaveLength(1);
    expect(parsed.title!.text).toMatch(/^Interview with the Minister/);
  });
});
