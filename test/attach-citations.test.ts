import { describe, expect, it } from "vitest";
import { attachCitations, CitationStream } from "../src/answer/attach-citations.js";
import type { Passage } from "../src/retrieve/hybrid-retriever.js";

function passage(id: string, sentences: string[], offset = 0): Passage {
  const spans = [];
  let cursor = offset;
  for (const text of sentences) {
    spans.push({ text, start: cursor, end: cursor + text.length });
    cursor += text.length + 1;
  }
  return {
    chunk: { id, docId: "doc", section: `Question ${id}`, text: sentences.join(" "), start: offset, end: cursor - 1, sentences: spans },
    score: 1,
    sentenceSimilarities: sentences.map((_, i) => (i === 1 ? 0.9 : 0.1)),
  };
}

const passages = [
  passage("q5", ["Trade turnover in 2021 amounted to 28.9 billion US dollars.", "Imports were 5.65 billion."], 100),
  passage("q1", ["The Senate will approve or reject laws.", "The Mazhilis shrinks to 98 deputies."], 500),
];

describe("attachCitations", () => {
  it("quotes the sentence of the cited passage that best supports the claim", () => {
    const { answer, citations } = attachCitations("The Mazhilis will have 98 deputies [2].", passages);
    expect(answer).toBe("The Mazhilis will have 98 deputies [1].");
    expect(citations).toEqual([
      { n: 1, chunkId: "q1", section: "Question q1", quote: "The Mazhilis shrinks to 98 deputies.", start: 540, end: 576 },
    ]);
  });

  it("drops markers naming passages that were not retrieved, and renumbers the rest by first use", () => {
    const { answer, citations } = attachCitations("Turnover was 28.9 billion [7]. Laws go to the Senate [2]. Turnover again 28.9 [1].", passages);
    expect(answer).toBe("Turnover was 28.9 billion. Laws go to the Senate [1]. Turnover again 28.9 [2].");
    expect(citations.map((citation) => [citation.n, citation.chunkId])).toEqual([[1, "q1"], [2, "q5"]]);
  });

  it("gives one number to a quote cited twice and splits lists of markers", () => {
    const { answer, citations } = attachCitations("Turnover hit 28.9 billion [1, 2]. Turnover was 28.9 billion [1].", passages);
    expect(answer).toBe("Turnover hit 28.9 billion [1] [2]. Turnover was 28.9 billion [1].");
    expect(citations).toHaveLength(2);
  });

  it("backs a claim sharing no words with the passage by its sentence most similar to the question", () => {
    const { citations } = attachCitations("Something else entirely [1].", passages);
    expect(citations[0]!.quote).toBe("Imports were 5.65 billion.");
  });

  it("uses the drafter's own sentence when it lies in the cited passage, and ignores it otherwise", () => {
    const own = passages[0]!.chunk.sentences[1]!;
    expect(attachCitations("A claim [1].", passages, [{ passage: 1, span: own }]).citations[0]!.quote).toBe(own.text);
    const forged = { text: "Not in the source.", start: 100, end: 118 };
    expect(attachCitations("Turnover 28.9 [1].", passages, [{ passage: 1, span: forged }]).citations[0]!.quote).toBe(
      "Trade turnover in 2021 amounted to 28.9 billion US dollars.",
    );
  });
});

describe("CitationStream", () => {
  it("passes text on as it streams and rewrites markers once their sentence is complete", () => {
    const stream = new CitationStream(passages);
    const shown: string[] = [];
    for (const piece of ["The Mazhilis ", "will have 98", " deputies [", "2]. Turnover ", "was 28.9 billion [9]", ". Done"]) shown.push(stream.push(piece));
    shown.push(stream.end());
    expect(shown).toEqual(["The Mazhilis", " will have 98", " deputies", " [1]. Turnover", " was 28.9 billion", ". Done", ""]);
    expect(shown.join("")).toBe(attachCitations("The Mazhilis will have 98 deputies [2]. Turnover was 28.9 billion [9]. Done", passages).answer);
    expect(stream.citations.map((citation) => citation.chunkId)).toEqual(["q1"]);
  });
});
