import { describe, expect, it } from "vitest";
import type { ChatResponse, Citation, Context } from "../src/answer/types.js";
import {
  answerSentences,
  evidenceRank,
  holdsEvidence,
  isValidCitation,
  missingFacts,
  percentile,
  sentenceSupport,
} from "../src/evaluate/metrics.js";
import type { EvalQuestion } from "../src/evaluate/question-set.js";
import { scoreResponse, type QuestionResult, type QuestionScore } from "../src/evaluate/score-response.js";
import { summarize } from "../src/evaluate/summarize.js";

// A tiny "interview": offsets below are into this text.
const source =
  "CS: How many deputies?\n\nThe Mazhilis will shrink from 107 to 98 deputies. Trade grew by 21.4% in 2021.";
const sentenceA = "The Mazhilis will shrink from 107 to 98 deputies.";
const startA = source.indexOf(sentenceA);
const sourceOf = (file: string) => (file === "interview.txt" ? source : undefined);

const context = (chunkId: string, text: string): Context => ({
  source: "interview.txt",
  chunkId,
  section: "How many deputies?",
  text,
  score: 0.5,
  start: 0,
  end: text.length,
});
const citationOf = (n: number, quote: string, start: number, chunkId = "q1"): Citation => ({
  n,
  source: "interview.txt",
  chunkId,
  section: "How many deputies?",
  quote,
  start,
  end: start + quote.length,
});
const goodCitation = citationOf(1, sentenceA, startA);

const answerable: EvalQuestion = {
  id: "a1",
  question: "How many deputies?",
  answerable: true,
  evidence: ["from 107 to 98"],
  facts: [["98", "ninety-eight"]],
};
const unanswerable: EvalQuestion = { id: "u1", question: "Capital of Japan?", answerable: false };

function response(overrides: Partial<ChatResponse> = {}): ChatResponse {
  return {
    kind: "answer",
    claims: [],
    suggestions: [],
    answer: `The Mazhilis will shrink from 107 to 98 deputies [1].`,
    citations: [goodCitation],
    contexts: [context("q2", "Unrelated passage."), context("q1", source)],
    grounded: true,
    mode: "extractive",
    ...overrides,
  };
}

/** The plain refusal: no answer, nothing cited. */
const plainRefusal = () =>
  response({
    answer: "The interview does not answer that question.",
    citations: [],
    grounded: false,
    kind: "no_answer",
  });

const score = (question: EvalQuestion, reply: ChatResponse, k = 3) =>
  scoreResponse(question, reply, { sourceOf, k, latencyMs: 12 });

describe("retrieval metrics", () => {
  it("ranks the first context holding any one evidence string, 1-based, or null", () => {
    const contexts = [
      context("a", "nothing here"),
      context("b", "it fell from 107 to 98"),
      context("c", "from 107 to 98 again"),
    ];
    expect(evidenceRank(contexts, ["missing", "from 107 to 98"])).toBe(2);
    expect(evidenceRank(contexts, ["absent"])).toBeNull();
    expect(evidenceRank([], ["from 107 to 98"])).toBeNull();
  });

  it("matches evidence verbatim, so a change of case is not the evidence", () => {
    expect(holdsEvidence("From 107 To 98", ["from 107 to 98"])).toBe(false);
  });
});

describe("citation validity", () => {
  const ids = new Set(["interview.txt:q1"]);

  it("accepts a quote that is exactly the source's characters start–end from a returned passage", () => {
    expect(isValidCitation(goodCitation, ids, sourceOf)).toBe(true);
  });

  it("rejects a quote that differs from the source at its offsets", () => {
    expect(isValidCitation({ ...goodCitation, quote: "The Mazhilis will shrink to 98 deputies." }, ids, sourceOf)).toBe(
      false,
    );
    expect(
      isValidCitation({ ...goodCitation, start: goodCitation.start + 1, end: goodCitation.end + 1 }, ids, sourceOf),
    ).toBe(false);
  });

  it("rejects a verbatim quote from a passage that was not returned, or from an unknown source", () => {
    expect(isValidCitation(goodCitation, new Set(["interview.txt:q2"]), sourceOf)).toBe(false);
    // The same chunk id in another file is another passage.
    expect(isValidCitation(goodCitation, new Set(["other.txt:q1"]), sourceOf)).toBe(false);
    expect(isValidCitation({ ...goodCitation, source: "elsewhere.txt" }, new Set(["elsewhere.txt:q1"]), sourceOf)).toBe(
      false,
    );
  });
});

describe("facts", () => {
  it("needs one alternative of every group, ignoring case, and names the groups missed", () => {
    expect(missingFacts("It will have NINETY-EIGHT deputies", [["98", "ninety-eight"]])).toEqual([]);
    expect(missingFacts("It will have 98 deputies", [["98"], ["30%", "thirty per"]])).toEqual([["30%", "thirty per"]]);
    expect(missingFacts("", [["98"]])).toEqual([["98"]]);
  });
});

describe("answer sentences", () => {
  it("keeps markers written after the full stop with the sentence before them", () => {
    expect(answerSentences("It has 98 deputies. [1] Trade grew [2].")).toEqual([
      "It has 98 deputies.[1]",
      "Trade grew [2].",
    ]);
  });

  it("does not split at abbreviations, decimals or inside a quotation", () => {
    expect(answerSentences("H.E. Tokayev went to Brussels [1]. Trade grew 21.4% [2].")).toHaveLength(2);
    expect(answerSentences("He was asked (1) “Why? And how?” [1]; (2) “When?” [2].")).toEqual([
      "He was asked (1) “Why? And how?” [1]; (2) “When?” [2].",
    ]);
  });

  it("finds no sentence in an empty answer", () => {
    expect(answerSentences("")).toEqual([]);
    expect(answerSentences("  ")).toEqual([]);
  });
});

describe("sentence support (ALCE-style citation recall by token overlap)", () => {
  // Content terms of the claim: mazhili, shrink, 98, deputi → the quote must hold at least two.
  const claim = "The Mazhilis shrinks to 98 deputies";

  it("supports a sentence when its cited quotes hold at least half of its content words", () => {
    const half = citationOf(1, "Mazhilis deputies", 0);
    expect(sentenceSupport(`${claim} [1].`, [half])).toEqual([
      { text: `${claim} [1].`, markers: [1], supported: true },
    ]);
  });

  it("does not support it when the quotes hold fewer than half", () => {
    const quarter = citationOf(1, "the Mazhilis chamber", 0);
    expect(sentenceSupport(`${claim} [1].`, [quarter])[0]!.supported).toBe(false);
  });

  it("does not support a sentence without a marker, or whose marker names no citation", () => {
    expect(sentenceSupport(`${claim}.`, [goodCitation])[0]).toMatchObject({ markers: [], supported: false });
    expect(sentenceSupport(`${claim} [2].`, [goodCitation])[0]).toMatchObject({ markers: [2], supported: false });
  });

  it("pools the quotes of every citation a sentence names, including [1, 2] lists", () => {
    const first = citationOf(1, "the Mazhilis", 0);
    const second = citationOf(2, "98 seats", 0);
    expect(sentenceSupport(`${claim} [1, 2].`, [first, second])[0]).toMatchObject({ markers: [1, 2], supported: true });
    expect(sentenceSupport(`${claim} [1][2].`, [first, second])[0]).toMatchObject({ markers: [1, 2], supported: true });
    expect(sentenceSupport(`${claim} [1].`, [first, second])[0]!.supported).toBe(false);
    expect(sentenceSupport(`${claim} [2].`, [first, second])[0]!.supported).toBe(false);
  });

  it("needs only a marker naming a citation for a sentence without content words, like 'So it is [1].'", () => {
    expect(sentenceSupport("So it is [1].", [goodCitation])[0]!.supported).toBe(true);
    expect(sentenceSupport("So it is.", [goodCitation])[0]!.supported).toBe(false);
  });
});

describe("percentile (nearest rank)", () => {
  it("is the smallest value with at least p % of values at or below it", () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(values, 50)).toBe(10);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([5, 1, 3], 50)).toBe(3);
  });

  it("is null for no values", () => {
    expect(percentile([], 50)).toBeNull();
  });
});

describe("scoring one response", () => {
  it("passes a grounded answer with the evidence retrieved, quoted and its facts stated", () => {
    expect(score(answerable, response())).toMatchObject({
      passed: true,
      misses: [],
      abstained: false,
      evidenceRank: 2,
      quoteHoldsEvidence: true,
      factsStated: true,
      citations: 1,
      invalidCitations: 0,
      sentences: 1,
      supportedSentences: 1,
      latencyMs: 12,
    });
  });

  it("fails an answer with no citations: no quote holds the evidence and no sentence is supported", () => {
    const result = score(answerable, response({ answer: "It will have 98 deputies.", citations: [] }));
    expect(result).toMatchObject({
      passed: false,
      quoteHoldsEvidence: false,
      factsStated: true,
      sentences: 1,
      supportedSentences: 0,
    });
    expect(result.misses).toEqual(["no quote holds the evidence", "1/1 sentences unsupported"]);
  });

  it("fails an empty grounded answer and says so", () => {
    const result = score(answerable, response({ answer: "", citations: [] }));
    expect(result).toMatchObject({ passed: false, factsStated: false, sentences: 0 });
    expect(result.misses).toContain("empty answer");
    expect(result.misses).toContain("facts missing: 98 | ninety-eight");
  });

  it("fails an abstention on an answerable question, without judging the abstention's sentence", () => {
    const result = score(answerable, plainRefusal());
    expect(result).toMatchObject({ abstained: true, passed: false, sentences: 0, supportedSentences: 0 });
    expect(result.misses).toEqual(["abstained", "no quote holds the evidence", "facts missing: 98 | ninety-eight"]);
  });

  it("passes an abstention on an unanswerable question and fails an answer to it", () => {
    expect(score(unanswerable, plainRefusal())).toMatchObject({
      passed: true,
      evidenceRank: null,
      quoteHoldsEvidence: null,
      factsStated: null,
    });
    expect(score(unanswerable, response()).misses).toEqual(["answered instead of abstaining"]);
  });

  it("counts a quote that is not verbatim as invalid and does not let it hold the evidence or support a sentence", () => {
    const forged = { ...goodCitation, quote: "The Mazhilis will shrink from 107 to 98 deputies, he said." };
    const result = score(answerable, response({ citations: [forged] }));
    expect(result).toMatchObject({
      invalidCitations: 1,
      quoteHoldsEvidence: false,
      supportedSentences: 0,
      passed: false,
    });
    expect(result.misses).toContain("1/1 citations invalid");
  });

  it("passes a question whose evidence sits exactly at rank k, and fails it at k - 1", () => {
    // The evidence is in the second context.
    expect(score(answerable, response(), 2)).toMatchObject({ evidenceRank: 2, passed: true, misses: [] });
    expect(score(answerable, response(), 1)).toMatchObject({
      evidenceRank: 2,
      passed: false,
      misses: ["evidence at rank 2 > 1"],
    });
  });

  it("fails when the evidence is retrieved only below the rank cut-off", () => {
    expect(score(answerable, response(), 1).misses).toEqual(["evidence at rank 2 > 1"]);
    expect(score(answerable, response({ contexts: [context("q1", "no evidence")] })).misses).toContain(
      "evidence not retrieved",
    );
  });
});

describe("summarizing a run", () => {
  const good = score(answerable, response());
  const abstainedOnAnswerable = score(answerable, plainRefusal());
  const noCitations = score(answerable, response({ answer: "It will have 98 deputies. Trade grew.", citations: [] }));
  const rightAbstention = score(unanswerable, plainRefusal());
  const wrongAnswer = score(unanswerable, response());
  const failed: QuestionResult = {
    id: "e1",
    question: "?",
    answerable: true,
    passed: false,
    misses: ["error: boom"],
    error: "boom",
  };
  const withLatency = (result: QuestionScore, latencyMs: number) => ({ ...result, latencyMs });
  const results = [
    withLatency(good, 10),
    withLatency(abstainedOnAnswerable, 20),
    withLatency(noCitations, 30),
    withLatency(rightAbstention, 40),
    withLatency(wrongAnswer, 50),
    failed,
  ];

  it("computes every metric over the questions it is defined on, leaving errors out", () => {
    const summary = summarize(results, 1);
    expect(summary).toMatchObject({
      questions: 6,
      answerable: 4,
      unanswerable: 2,
      passed: 2,
      errors: 1,
      degraded: 0,
      k: 1,
    });
    const { metrics } = summary;
    // Evidence rank 2 in every answerable response: hit@1 0, hit@k (k=1) 0, MRR 1/2.
    expect(metrics.hitAt1).toBe(0);
    expect(metrics.hitAtK).toBe(0);
    expect(metrics.mrr).toBe(0.5);
    expect(metrics.citationValidity).toBe(1);
    expect(metrics.quoteEvidenceRecall).toBeCloseTo(1 / 3);
    // Answered responses: good (1/1), noCitations (0/2), wrongAnswer (1/1): mean 2/3.
    expect(metrics.sentenceCitationCoverage).toBeCloseTo(2 / 3);
    expect(metrics.factAccuracy).toBeCloseTo(2 / 3);
    expect(metrics.abstentionRecall).toBe(0.5);
    expect(metrics.falseAbstentionRate).toBeCloseTo(1 / 3);
    expect(metrics.latencyP50Ms).toBe(30);
    expect(metrics.latencyP95Ms).toBe(50);
    expect(metrics.latencyMaxMs).toBe(50);
  });

  it("counts evidence exactly at rank k as a hit@k, and not at k - 1", () => {
    // Evidence rank 2: a hit@2, a miss at hit@1.
    expect(summarize([good], 2).metrics).toMatchObject({ hitAt1: 0, hitAtK: 1, mrr: 0.5 });
    expect(summarize([good], 1).metrics.hitAtK).toBe(0);
    const atRankThree = score(
      answerable,
      response({ contexts: [context("q2", "Unrelated."), context("q2", "Also unrelated."), context("q1", source)] }),
    );
    expect(summarize([atRankThree, good], 3).metrics.hitAtK).toBe(1);
    expect(summarize([atRankThree, good], 2).metrics.hitAtK).toBe(0.5);
  });

  it("reports null for a metric with nothing to measure rather than a flattering 1", () => {
    const { metrics } = summarize([withLatency(abstainedOnAnswerable, 5)], 3);
    expect(metrics.abstentionRecall).toBeNull();
    expect(metrics.citationValidity).toBeNull();
    expect(metrics.sentenceCitationCoverage).toBeNull();
    expect(metrics.falseAbstentionRate).toBe(1);
    expect(summarize([failed], 3).metrics.latencyMaxMs).toBeNull();
  });

  it("scores an empty grounded answer as covering nothing", () => {
    expect(
      summarize([score(answerable, response({ answer: "", citations: [] }))], 3).metrics.sentenceCitationCoverage,
    ).toBe(0);
  });
});

describe("claimSupportRate", () => {
  it("is the share of all responses' claims that the server marked supported", () => {
    const claim = (supported: boolean) => ({
      text: "x",
      start: 0,
      end: 1,
      citations: [1],
      supported,
      support: supported ? 0.9 : 0.1,
    });
    const scores = [
      score(answerable, response({ claims: [claim(true), claim(false)] })),
      score(answerable, response({ claims: [claim(true)] })),
    ];
    expect(summarize(scores, 3).metrics.claimSupportRate).toBeCloseTo(2 / 3);
    expect(summarize([score(answerable, response())], 3).metrics.claimSupportRate).toBeNull();
  });
});

describe("conversation metrics", () => {
  const smalltalk: EvalQuestion = { id: "s1", question: "hi", answerable: false, kind: "smalltalk" };
  const overview: EvalQuestion = {
    id: "o1",
    question: "Summarize the interview",
    answerable: true,
    kind: "overview",
    evidence: [],
    facts: [["Mazhilis"]],
  };
  const cited = (chunkId: string, n: number) => ({ ...goodCitation, chunkId, n });

  it("passes small talk answered as small talk, and fails the refusal", () => {
    const reply = score(
      smalltalk,
      response({ kind: "smalltalk", answer: "Hello! You could ask:", citations: [], grounded: false }),
    );
    expect(reply).toMatchObject({ passed: true, smallTalk: true });
    const refusal = score(smalltalk, plainRefusal());
    expect(refusal).toMatchObject({ passed: false, smallTalk: false });
    expect(summarize([reply, refusal], 3).metrics.smallTalkRate).toBe(0.5);
  });

  it("passes an overview citing three sections (parts of one section count once)", () => {
    const contexts = ["q1", "q1-2", "q2", "q3"].map((id) => context(id, source));
    const anyChunk = (question: EvalQuestion, reply: ChatResponse) =>
      scoreResponse(question, reply, { sourceOf: () => source, k: 3, latencyMs: 12 });
    const three = anyChunk(
      overview,
      response({ citations: [cited("q1", 1), cited("q2", 2), cited("q3", 3)], contexts }),
    );
    const two = anyChunk(
      overview,
      response({ citations: [cited("q1", 1), cited("q1-2", 2), cited("q2", 3)], contexts }),
    );
    expect(three).toMatchObject({ passed: true, overviewSections: 3 });
    expect(two).toMatchObject({ passed: false, overviewSections: 2 });
    expect(summarize([three, two], 3).metrics.overviewRate).toBe(0.5);
    // Neither counts toward retrieval or abstention, which they would only blur.
    expect(summarize([three, two], 3).metrics.hitAt1).toBeNull();
  });
});
