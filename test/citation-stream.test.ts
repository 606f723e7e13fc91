import { describe, expect, it } from "vitest";
import type { Claim } from "../src/answer/types.js";
import { attachCitations, CitationStream, type CitationStreamOptions } from "../src/answer/verify/citation-stream.js";
import { ClaimSupport, type ClaimEmbeddings } from "../src/answer/verify/claim-support.js";
import type { Passage } from "../src/retrieve/types.js";
import { TermStatistics } from "../src/retrieve/term-statistics.js";

function passage(id: string, sentences: string[], offset = 0): Passage {
  const spans = [];
  let cursor = offset;
  for (const text of sentences) {
    spans.push({ text, start: cursor, end: cursor + text.length });
    cursor += text.length + 1;
  }
  return {
    chunk: {
      id,
      docId: "doc",
      section: `Question ${id}`,
      speaker: "A",
      text: sentences.join(" "),
      start: offset,
      end: cursor - 1,
      sentences: spans,
    },
    score: 1,
    sentenceSimilarities: sentences.map(() => 0),
  } as Passage;
}

const passages = [
  passage(
    "q5",
    [
      "Trade turnover in 2021 amounted to 28.9 billion US dollars.",
      "Of this, exports amounted to 23.6 billion.",
      "Imports were 5.65 billion.",
    ],
    100,
  ),
  passage(
    "q1",
    [
      "The Senate will approve or reject laws.",
      "The Mazhilis shrinks from 107 to 98 deputies.",
      "The President appoints 10 senators.",
    ],
    500,
  ),
];
const refusal = "The interview does not answer that question.";
const support = new ClaimSupport(new TermStatistics(passages.map((p) => p.chunk)), null);
const options: CitationStreamOptions = { passages, support, refusal };
const attach = (draft: string, extra: Partial<CitationStreamOptions> = {}) =>
  attachCitations(draft, { ...options, ...extra });
const claimTexts = (claims: Claim[]) => claims.map((claim) => claim.text);

describe("claims and their quotes", () => {
  it("quotes the sentence of the cited passage that backs the claim, and marks the claim supported", async () => {
    const result = await attach("The Mazhilis will have 98 deputies instead of 107 [2].");
    expect(result.answer).toBe("The Mazhilis will have 98 deputies instead of 107 [1].");
    expect(result.citations).toEqual([
      {
        n: 1,
        chunkId: "q1",
        section: "Question q1",
        quote: "The Mazhilis shrinks from 107 to 98 deputies.",
        start: 540,
        end: 585,
      },
    ]);
    expect(result.claims).toEqual([
      {
        text: result.answer,
        start: 0,
        end: result.answer.length,
        citations: [1],
        supported: true,
        support: expect.any(Number),
      },
    ]);
    expect(result).toMatchObject({ kind: "answer", grounded: true });
  });

  it("ties a marker after the full stop to the sentence before it, as one before the stop", async () => {
    const before = await attach("The Mazhilis shrinks to 98 deputies [2]. Imports were 5.65 billion [1].");
    const after = await attach("The Mazhilis shrinks to 98 deputies. [2] Imports were 5.65 billion. [1]");
    expect(after.answer).toBe("The Mazhilis shrinks to 98 deputies. [1] Imports were 5.65 billion. [2]");
    expect(after.citations).toEqual(before.citations);
    expect(after.claims.map((claim) => [claim.citations, claim.supported])).toEqual(
      before.claims.map((claim) => [claim.citations, claim.supported]),
    );
    for (const claim of after.claims) expect(after.answer.slice(claim.start, claim.end)).toBe(claim.text);
  });

  it("keeps the model's marker format: [1][2] stays adjacent, [1, 2] stays a list, nothing is inserted", async () => {
    expect((await attach("Turnover was 28.9 billion and the Senate approves laws [1][2].")).answer).toBe(
      "Turnover was 28.9 billion and the Senate approves laws [1][2].",
    );
    expect((await attach("Turnover was 28.9 billion and the Senate approves laws [1, 2].")).answer).toBe(
      "Turnover was 28.9 billion and the Senate approves laws [1, 2].",
    );
    expect((await attach("Turnover was 28.9 billion. [1]\n\nThe Senate approves laws.  [2]")).answer).toBe(
      "Turnover was 28.9 billion. [1]\n\nThe Senate approves laws.  [2]",
    );
  });

  it("widens a quote to consecutive sentences when one does not hold all of the claim's numbers", async () => {
    const { citations, claims } = await attach(
      "In 2021, exports amounted to 23.6 billion US dollars, out of a total trade turnover of 28.9 billion [1].",
    );
    expect(citations[0]!.quote).toBe(
      "Trade turnover in 2021 amounted to 28.9 billion US dollars. Of this, exports amounted to 23.6 billion.",
    );
    expect(claims[0]!.supported).toBe(true);
  });

  it("flags a claim whose numbers or names its quotes do not hold, and then the answer is not grounded", async () => {
    const result = await attach("The Mazhilis shrinks to 98 deputies [2]. Kazakhstan will join NATO in 2030 [1].");
    expect(result.claims.map((claim) => claim.supported)).toEqual([true, false]);
    expect(result).toMatchObject({ kind: "answer", grounded: false });
  });

  it("moves a citation to the retrieved passage that backs the claim when the model cited the wrong one", async () => {
    const result = await attach("Imports were 5.65 billion [2].");
    expect(result.answer).toBe("Imports were 5.65 billion [1].");
    expect(result.citations[0]).toMatchObject({ chunkId: "q5", quote: "Imports were 5.65 billion." });
    expect(result.claims[0]!.supported).toBe(true);
  });

  it("removes markers naming passages that were not retrieved, and renumbers the rest by first use", async () => {
    const { answer, citations } = await attach(
      "Turnover was 28.9 billion [7]. Laws go to the Senate [2]. Imports were 5.65 billion [1].",
    );
    expect(answer).toBe("Turnover was 28.9 billion [1]. Laws go to the Senate [2]. Imports were 5.65 billion [3].");
    expect(citations.map((citation) => citation.chunkId)).toEqual(["q5", "q1", "q5"]);
  });

  it("checks a sentence without a marker against every retrieved passage", async () => {
    const { claims, citations } = await attach("The President appoints 10 senators. Turnover was 28.9 billion. [1]");
    expect(claims.map((claim) => claim.supported)).toEqual([true, true]);
    expect(citations.find((citation) => citation.n === claims[0]!.citations[0])?.chunkId).toBe("q1");
  });

  it("reads the refusal sentence as no answer, and a note on what the interview leaves out as no claim", async () => {
    expect(await attach(refusal)).toMatchObject({
      answer: refusal,
      kind: "no_answer",
      grounded: false,
      claims: [],
      citations: [],
    });
    const partial = await attach("The Mazhilis shrinks to 98 deputies [2]. The interview does not mention their ages.");
    expect(claimTexts(partial.claims)).toEqual(["The Mazhilis shrinks to 98 deputies [1]."]);
    expect(partial).toMatchObject({ kind: "answer", grounded: true });
    expect(partial.citations).toHaveLength(1);
  });

  it("with drop, leaves unsupported sentences out, and says the interview does not answer when none is left", async () => {
    const dropped = await attach(
      "The Mazhilis shrinks to 98 deputies [2]. Kazakhstan will join NATO in 2030 [1]. Imports were 5.65 billion [1].",
      { unsupported: "drop" },
    );
    expect(dropped.answer).toBe("The Mazhilis shrinks to 98 deputies [1]. Imports were 5.65 billion [2].");
    expect(dropped.grounded).toBe(true);
    expect(await attach("Kazakhstan will join NATO in 2030 [1].", { unsupported: "drop" })).toMatchObject({
      answer: refusal,
      kind: "no_answer",
      claims: [],
    });
  });

  it("uses the drafter's own sentence when it lies in the cited passage, and ignores it otherwise", async () => {
    const own = passages[0]!.chunk.sentences[2]!;
    expect(
      (await attach("Imports were 5.65 billion [1].", { preferred: [{ passage: 1, span: own }] })).citations[0]!.quote,
    ).toBe(own.text);
    const forged = { text: "Not in the source.", start: 100, end: 118 };
    expect(
      (await attach("Turnover 28.9 [1].", { preferred: [{ passage: 1, span: forged }] })).citations[0]!.quote,
    ).toBe("Trade turnover in 2021 amounted to 28.9 billion US dollars.");
  });

  it("blends embedding similarity into the support of a paraphrase", async () => {
    const embeddings: ClaimEmbeddings = {
      embed: async () => [1],
      similarities: (_, chunk) => chunk.sentences.map(() => 0.9),
    };
    const withEmbeddings = new ClaimSupport(new TermStatistics(passages.map((p) => p.chunk)), embeddings);
    const lexical = await attach("Lawmakers in the upper chamber approve bills [2].");
    const blended = await attach("Lawmakers in the upper chamber approve bills [2].", { support: withEmbeddings });
    expect(blended.claims[0]!.support).toBeGreaterThan(lexical.claims[0]!.support);
  });
});

describe("CitationStream", () => {
  it("passes text on as it streams and rewrites markers once their sentence is complete", async () => {
    const stream = new CitationStream(options);
    const shown: string[] = [];
    for (const piece of [
      "The Mazhilis ",
      "shrinks to 98",
      " deputies [",
      "2]. Turnover ",
      "was 28.9 billion [9]",
      ". Done",
    ])
      shown.push(await stream.push(piece));
    shown.push(await stream.end());
    // "[9]" names no retrieved passage; the passage that holds the claim takes its place.
    expect(shown).toEqual([
      "The Mazhilis",
      " shrinks to 98",
      " deputies",
      " [1]. Turnover",
      " was 28.9 billion",
      " [2]. Done",
      "",
    ]);
    expect(shown.join("")).toBe(
      (await attach("The Mazhilis shrinks to 98 deputies [2]. Turnover was 28.9 billion [9]. Done")).answer,
    );
  });

  it("gives the same answer and claims however the text is split into pieces", async () => {
    const draft =
      "The Mazhilis shrinks to 98 deputies. [2] Imports were 5.65 billion [1][2].\nThe President appoints 10 senators [2]. The interview does not say more.";
    const whole = await attach(draft);
    for (const size of [1, 2, 3, 7]) {
      const stream = new CitationStream(options);
      let answer = "";
      for (let i = 0; i < draft.length; i += size) answer += await stream.push(draft.slice(i, i + size));
      answer += await stream.end();
      expect(answer).toBe(whole.answer);
      expect(stream.result()).toEqual({
        citations: whole.citations,
        claims: whole.claims,
        kind: whole.kind,
        grounded: whole.grounded,
      });
    }
  });

  it("processes a 200 KB run-on answer in time linear in its length", async () => {
    const run = (length: number) => {
      const stream = new CitationStream(options);
      const words = "the senate approves laws and turnover grows ".repeat(Math.ceil(length / 44)).slice(0, length);
      const started = process.hrtime.bigint();
      return (async () => {
        for (let i = 0; i < words.length; i += 20) await stream.push(words.slice(i, i + 20));
        await stream.end();
        return Number(process.hrtime.bigint() - started);
      })();
    };
    await run(20_000);
    const small = await run(50_000);
    const large = await run(200_000);
    // Quadratic work would make 4× the text cost 16×; linear costs about 4×.
    expect(large / small).toBeLessThan(9);
  });
});
