import { abstention, type AnswerMode, type ChatResponse, type Citation } from "../answer/types.js";
import {
  evidenceRank,
  holdsEvidence,
  missingFacts,
  sentenceSupport,
  validCitations,
  type SourceLookup,
} from "./metrics.js";
import type { EvalQuestion } from "./question-set.js";

/** How one question went; the unit of report.json's `questions` and of every aggregate. */
export interface QuestionScore {
  id: string;
  question: string;
  answerable: boolean;
  /** The question set's kind of turn, when it gives one. */
  kind?: EvalQuestion["kind"];
  /** The question named files of data/ (`sources`). */
  scoped?: boolean;
  /** For a cross question: the share of its evidence strings whose interview a valid citation quotes; null for others. */
  crossRecall?: number | null;
  /** For a question with a `moment`: a valid citation holding the evidence carries a time within 15 s of it; null for others. */
  momentHit?: boolean | null;
  /** Answered: not abstained, a valid quote holds the evidence and every fact group is stated; null for unanswerable, overview and cross questions. */
  answeredRight?: boolean | null;
  /** For small talk: the reply was small talk (never the refusal); null for other questions. */
  smallTalk?: boolean | null;
  /** For an overview: how many sections its valid citations quote; null for other questions. */
  overviewSections?: number | null;
  /** The response said the interview does not answer (`kind: "no_answer"`). */
  abstained: boolean;
  /** 1-based rank of the first context holding the evidence; null when none does, or unanswerable. */
  evidenceRank: number | null;
  /** A valid quote contains the evidence; null for unanswerable questions. */
  quoteHoldsEvidence: boolean | null;
  /** Every fact group has one alternative in the answer; null for unanswerable questions. */
  factsStated: boolean | null;
  /** The fact groups the answer misses. */
  missingFacts: string[][];
  citations: number;
  /** Citations whose quote is not `source.slice(start, end)` or whose chunk is not among the contexts. */
  invalidCitations: number;
  /** Answer sentences, and those a valid citation supports; both 0 when the response abstained. */
  sentences: number;
  supportedSentences: number;
  /** The response's claims, and those it marks supported. */
  claims: number;
  supportedClaims: number;
  /** Wall time of the request, in milliseconds. */
  latencyMs: number;
  mode: AnswerMode;
  degraded: boolean;
  answer: string;
  /** With `--judge`: the share of the answer's claims its valid quotes support; null when not judged (or abstained). */
  judgedFaithfulness: number | null;
  /** With `--judge`: how directly the answer addresses the question, 0–1; null when not judged. */
  judgedRelevance: number | null;
  /** Why the judge gave no verdict (its model failed); the question's pass or fail does not depend on the judge. */
  judgeError?: string;
  /** Every check that applies to the question held (the judge's verdict aside). */
  passed: boolean;
  /** What went wrong, in words, for the table and the reports. */
  misses: string[];
}

/** A question that could not be asked: the target failed. Errors are kept out of every metric. */
export interface QuestionError {
  id: string;
  question: string;
  answerable: boolean;
  passed: false;
  misses: string[];
  error: string;
}

export type QuestionResult = QuestionScore | QuestionError;

export const isError = (result: QuestionResult): result is QuestionError => "error" in result;

/** How far a cited moment may be from the one the evidence is spoken at, in seconds. */
export const momentToleranceSeconds = 15;

function momentHit(question: EvalQuestion & { answerable: true }, valid: Citation[]): boolean {
  return valid.some(
    (citation) =>
      holdsEvidence(citation.quote, question.evidence) &&
      citation.time !== undefined &&
      Math.abs(citation.time.start - question.moment!) <= momentToleranceSeconds,
  );
}

/**
 * Scores one response against its question. `sourceOf` gives the source text a chunk comes from, so
 * quotes are checked against the interview itself rather than against what the server claims.
 * `k` is the rank cut-off a passing question's evidence must be within.
 */
export function scoreResponse(
  question: EvalQuestion,
  response: ChatResponse,
  options: { sourceOf: SourceLookup; k: number; latencyMs: number },
): QuestionScore {
  const valid = validCitations(response, options.sourceOf);
  const abstained = response.kind === "no_answer";
  // Small talk and refusals state nothing from the interview: no sentence of theirs needs a citation.
  const support = abstained || response.kind === "smalltalk" ? [] : sentenceSupport(response.answer, valid);
  const supportedSentences = support.filter((sentence) => sentence.supported).length;
  const invalidCitations = response.citations.length - valid.length;
  const misses: string[] = [];
  let scored: Pick<QuestionScore, "evidenceRank" | "quoteHoldsEvidence" | "factsStated" | "missingFacts">;
  const kind = question.kind;
  let smallTalk: boolean | null = null;
  let overviewSections: number | null = null;
  let crossRecall: number | null = null;
  if (kind === "cross" && question.answerable) {
    // An interview counts as cited when a valid citation quotes the file its evidence string is from.
    const cited = question.evidence.filter((evidence) =>
      valid.some((citation) => options.sourceOf(citation.source)?.includes(evidence)),
    );
    crossRecall = cited.length / question.evidence.length;
    if (cited.length < question.evidence.length)
      misses.push(`cites ${cited.length} of ${question.evidence.length} interviews that speak to it`);
    scored = { evidenceRank: null, quoteHoldsEvidence: null, factsStated: null, missingFacts: [] };
  } else if (kind === "smalltalk") {
    smallTalk = response.kind === "smalltalk" && !response.answer.includes(abstention);
    if (!smallTalk) misses.push(`not small talk (kind ${response.kind})`);
    scored = { evidenceRank: null, quoteHoldsEvidence: null, factsStated: null, missingFacts: [] };
  } else if (kind === "overview") {
    overviewSections = new Set(valid.map((citation) => `${citation.source}:${citation.chunkId.replace(/-\d+$/, "")}`))
      .size;
    const missing = missingFacts(response.answer, question.answerable ? question.facts : []);
    if (overviewSections < 3)
      misses.push(`cites ${overviewSections} section${overviewSections === 1 ? "" : "s"}, not 3`);
    if (abstained) misses.push("abstained");
    if (missing.length > 0) misses.push(`facts missing: ${missing.map((group) => group.join(" | ")).join("; ")}`);
    scored = { evidenceRank: null, quoteHoldsEvidence: null, factsStated: missing.length === 0, missingFacts: missing };
  } else if (question.answerable) {
    const rank = evidenceRank(response.contexts, question.evidence);
    const quoteHolds = valid.some((citation) => holdsEvidence(citation.quote, question.evidence));
    const missing = missingFacts(response.answer, question.facts);
    if (rank === null) misses.push("evidence not retrieved");
    else if (rank > options.k) misses.push(`evidence at rank ${rank} > ${options.k}`);
    if (abstained) misses.push("abstained");
    if (!quoteHolds) misses.push("no quote holds the evidence");
    if (missing.length > 0) misses.push(`facts missing: ${missing.map((group) => group.join(" | ")).join("; ")}`);
    scored = {
      evidenceRank: rank,
      quoteHoldsEvidence: quoteHolds,
      factsStated: missing.length === 0,
      missingFacts: missing,
    };
  } else {
    if (!abstained) misses.push("answered instead of abstaining");
    scored = { evidenceRank: null, quoteHoldsEvidence: null, factsStated: null, missingFacts: [] };
  }
  if (invalidCitations > 0) misses.push(`${invalidCitations}/${response.citations.length} citations invalid`);
  if (support.length > 0 && supportedSentences < support.length)
    misses.push(`${support.length - supportedSentences}/${support.length} sentences unsupported`);
  if (!abstained && support.length === 0 && kind !== "smalltalk") misses.push("empty answer");
  return {
    id: question.id,
    question: question.question,
    answerable: question.answerable,
    ...(kind ? { kind, smallTalk, overviewSections } : {}),
    ...(kind === "cross" ? { crossRecall } : {}),
    ...(question.sources ? { scoped: true } : {}),
    ...(question.moment !== undefined && question.answerable ? { momentHit: momentHit(question, valid) } : {}),
    answeredRight:
      question.answerable && kind !== "overview" && kind !== "cross"
        ? !abstained && scored.quoteHoldsEvidence === true && scored.factsStated === true
        : null,
    abstained,
    ...scored,
    citations: response.citations.length,
    invalidCitations,
    sentences: support.length,
    supportedSentences,
    claims: response.claims.length,
    supportedClaims: response.claims.filter((claim) => claim.supported).length,
    latencyMs: options.latencyMs,
    mode: response.mode,
    degraded: response.degraded === true,
    answer: response.answer,
    judgedFaithfulness: null,
    judgedRelevance: null,
    passed: misses.length === 0,
    misses,
  };
}
