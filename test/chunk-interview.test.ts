import { describe, expect, it } from "vitest";
import { chunkInterviews, searchText } from "../src/ingest/chunk-interview.js";
import { parseInterview } from "../src/ingest/parse-interview.js";
import { readInterview } from "./support/corpus.js";

describe("chunkInterviews", async () => {
  const text = await readInterview();
  const parsed = parseInterview({ id: "interview", name: "interview.txt", text, sha256: "x" });
  const chunks = chunkInterviews([parsed]);

  it("gives each chunk a unique readable id: intro, then q<n> or q<n>-<part>", () => {
    const ids = chunks.map((chunk) => chunk.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^(intro|q\d+)(-\d+)?$/);
    expect(ids[0]).toBe("intro");
  });

  it("slices every chunk and sentence back out of the source", () => {
    for (const chunk of chunks) {
      expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
      for (const sentence of chunk.sentences) {
        expect(text.slice(sentence.start, sentence.end)).toBe(sentence.text);
        expect(sentence.start).toBeGreaterThanOrEqual(chunk.start);
        expect(sentence.end).toBeLessThanOrEqual(chunk.end);
      }
    }
  });

  it("covers every answer paragraph exactly once, in order", () => {
    for (const section of parsed.questions) {
      const parts = chunks.filter((chunk) => chunk.questionNumber === section.number);
      expect(parts.length).toBeGreaterThan(0);
      expect(parts[0]!.start).toBe(section.start);
      expect(parts.at(-1)!.end).toBe(section.answer!.end);
      for (let i = 1; i < parts.length; i++) expect(parts[i]!.start).toBeGreaterThan(parts[i - 1]!.end);
    }
  });

  it("splits long answers at paragraph boundaries and repeats the question as a header", () => {
    const parts = chunks.filter((chunk) => chunk.questionNumber === 1);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts.slice(1)) {
      expect(text.slice(part.start - 2, part.start)).toMatch(/\n\s*$/);
      expect(searchText(part).startsWith(part.section)).toBe(true);
    }
  });

  it("never makes a sentence of the question, so answers never quote the interviewer", () => {
    for (const chunk of chunks) for (const sentence of chunk.sentences) expect(sentence.text).not.toMatch(/^CS:/);
  });

  it("keeps ids in one format whatever the number of files, each chunk naming its file", () => {
    const other = parseInterview({ id: "second", name: "second.txt", text: "Title\n\nQ: Why?\nBecause.", sha256: "y" });
    const alone = chunkInterviews([parsed]).map((chunk) => [chunk.source, chunk.id]);
    const together = chunkInterviews([parsed, other]).map((chunk) => [chunk.source, chunk.id]);
    expect(together).toEqual(expect.arrayContaining(alone));
    expect(together).toContainEqual(["second.txt", "q1"]);
    expect(together).toContainEqual(["interview.txt", "q4-1"]);
    expect(together.every(([, id]) => /^(intro|q\d+)(-\d+)?$/.test(id!))).toBe(true);
    // Unique across the corpus by file and id.
    expect(new Set(together.map(([source, id]) => `${source}/${id}`)).size).toBe(together.length);
  });
});
