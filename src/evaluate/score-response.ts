import type { ChatResponse } from "../answer/types.js";
import type { EvalQuestion } from "./question-set.js";

export interface QuestionScore {
  id: string;
  answerable: boolean;
  abstained: boolean;
  /** 1-based rank of the first context holding the evidence; null when none does (or unanswerable). */
  evidenceRank: number | null;
  /** A returned quote contains the evidence. */
  quoteHasEvidence: boolean;
  /** Every fact group has one alternative in the answer. */
  factsStated: boolean;
  /** Quotes that are not `source.slice(start, end)`, or cite a chunk not among the contexts. */
  invalidQuotes: number;
  quotes: number;
}

/**
 * Scores one response against its question. `sources` maps a chunk id to its file's text, to
 * check quotes against the source itself rather than against what the server claims.
 */
export function scoreResponse(question: EvalQuestion, response: ChatResponse, sourceOf: (chunkId: string) => string | undefined): QuestionScore {
  const contextIds = new Set(response.contexts.map((context) => context.chunkId));
  const invalidQuotes = response.citations.filter((citation) => {
    const source = sourceOf(citation.chunkId);
    return !contextIds.has(citation.chunkId) || source === undefined || source.slice(citation.start, citation.end) !== citation.quote;
  }).length;
  const base = { id: question.id, answerable: question.answerable, abstained: !response.grounded, invalidQuotes, quotes: response.citations.length };
  if (!question.answerable) return { ...base, evidenceRank: null, quoteHasEvidence: false, factsStated: false };
  const holds = (text: string) => question.evidence.some((evidence) => text.includes(evidence));
  const rank = response.contexts.findIndex((context) => holds(context.text));
  const answer = response.answer.toLowerCase();
  return {
    ...base,
    evidenceRank: rank === -1 ? null : rank + 1,
    quoteHasEvidence: response.citations.some((citation) => holds(citation.quote)),
    factsStated: question.facts.every((group) => group.some((fact) => answer.includes(fact.toLowerCase()))),
  };
}

export interface Summary {
  answerable: number;
  unanswerable: number;
  hitAt1: number;
  hitAtK: number;
  k: number;
  mrr: number;
  quoteEvidenceRecall: number;
  factAccuracy: number;
  abstentionRecall: number;
  falseAbstentionRate: number;
  quotesVerbatim: number;
}

export function summarize(scores: QuestionScore[], k: number): Summary {
  const answerable = scores.filter((score) => score.answerable);
  const unanswerable = scores.filter((score) => !score.answerable);
  const share = (items: QuestionScore[], test: (score: QuestionScore) => boolean) => (items.length ? items.filter(test).length / items.length : 1);
  const quotes = scores.reduce((sum, score) => sum + score.quotes, 0);
  const invalid = scores.reduce((sum, score) => sum + score.invalidQuotes, 0);
  return {
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    hitAt1: share(answerable, (score) => score.evidenceRank === 1),
    hitAtK: share(answerable, (score) => score.evidenceRank !== null && score.evidenceRank <= k),
    k,
    mrr: answerable.length ? answerable.reduce((sum, score) => sum + (score.evidenceRank ? 1 / score.evidenceRank : 0), 0) / answerable.length : 1,
    quoteEvidenceRecall: share(answerable, (score) => score.quoteHasEvidence),
    factAccuracy: share(answerable, (score) => score.factsStated),
    abstentionRecall: share(unanswerable, (score) => score.abstained),
    falseAbstentionRate: answerable.length ? 1 - share(answerable, (score) => !score.abstained) : 0,
    quotesVerbatim: quotes ? (quotes - invalid) / quotes : 1,
  };
}
