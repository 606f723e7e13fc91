import { describe, expect, it } from "vitest";
import { asksAcrossInterviews, crossTopic, mergeAnswers } from "../src/answer/cross-interview.js";
import type { ChatResponse } from "../src/contract/index.js";

describe("a question asked across the interviews", () => {
  it.each([
    ["Which interviews mention drought?", "drought"],
    ["What did the ambassadors say about sanctions?", "sanctions"],
    ["Do any of the interviews talk about wildfires?", "wildfires"],
    ["In which of the interviews is the railway discussed?", "is the railway discussed"],
    ["Which interviewees discussed water shortages?", "water shortages"],
  ])("%s asks across the archive, about %j", (question, topic) => {
    expect(asksAcrossInterviews(question)).toBe(true);
    expect(crossTopic(question)).toBe(topic);
  });

  it.each(["Which countries does Kazakhstan trade with?", "What did the President say about reforms?"])(
    "%s asks about the interviews' content",
    (question) => expect(asksAcrossInterviews(question)).toBe(false),
  );
});

describe("mergeAnswers", () => {
  const part = (answer: string, source: string, n: number[]): ChatResponse => ({
    kind: "answer",
    answer,
    claims: [{ text: answer, start: 0, end: answer.length, citations: n, supported: true, support: 1 }],
    citations: n.map((number) => ({ n: number, source, chunkId: "q1", section: "S", quote: "x", start: 0, end: 1 })),
    contexts: [{ source, chunkId: "q1", section: "S", text: "x", score: 1, start: 0, end: 1 }],
    grounded: true,
    mode: "extractive",
    suggestions: [],
  });

  it("renumbers the second answer's markers and moves its claims with its text", () => {
    const parts = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => part(`Fact ${n} [1].`, `f${n}.txt`, [1]));
    const merged = mergeAnswers(parts);
    expect(merged.answer).toContain("Fact 9 [9].");
    expect(merged.citations.map((citation) => citation.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const claim of merged.claims) expect(merged.answer.slice(claim.start, claim.end)).toBe(claim.text);
    expect(merged.claims.at(-1)).toMatchObject({ text: "Fact 9 [9].", citations: [9] });
    expect(merged.contexts).toHaveLength(9);
  });

  it("keeps a two-digit marker's claim in place after a one-digit one grew", () => {
    const first = part("A [1] B [2] C [3] D [4] E [5] F [6] G [7] H [8] I [9].", "a.txt", [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const second = part("One [1]. Two [2].", "b.txt", [1, 2]);
    second.claims = [
      { text: "One [1].", start: 0, end: 8, citations: [1], supported: true, support: 1 },
      { text: "Two [2].", start: 9, end: 17, citations: [2], supported: true, support: 1 },
    ];
    const merged = mergeAnswers([first, second]);
    expect(merged.claims.slice(1).map((claim) => claim.text)).toEqual(["One [10].", "Two [11]."]);
  });
});
