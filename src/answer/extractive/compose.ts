import type { Passage, ScoredSentence } from "../../retrieve/types.js";
import type { TermStatistics } from "../../retrieve/term-statistics.js";
import { contentTerms } from "../../text/tokenize.js";
import type { StructuredDraft } from "../answer-about-interview.js";
import { extractiveTuning } from "../extractive-tuning.js";
import { namedTerms } from "../../text/named-terms.js";
import type { PreferredQuote } from "../verify/citation-stream.js";
import { evidenceScore, sentenceText } from "./score-sentences.js";

/** The answer: the chosen sentences verbatim, in reading order, each with its passage's marker. */
export function composeAnswer(chosen: ScoredSentence[], passages: Passage[]): StructuredDraft {
  const preferred: PreferredQuote[] = chosen.map((sentence) => ({
    passage: sentence.passage + 1,
    span: passages[sentence.passage]!.chunk.sentences[sentence.sentence]!,
  }));
  const draft = preferred.map((quote, i) => `${i === 0 ? "" : " "}${withMarker(quote.span.text, quote.passage)}`);
  return { draft, passages, preferred };
}

/**
 * The sentence the interview comes closest with, when the answerer abstains: good enough evidence
 * (`closestCut`) and sharing a topical word with the question. Null for none.
 */
export function closestSentence(
  scored: ScoredSentence[],
  passages: Passage[],
  question: string,
  terms: TermStatistics,
): ScoredSentence | null {
  const closest = scored[0];
  return closest &&
    evidenceScore(closest) >= extractiveTuning.closestCut &&
    sharesTopic(question, sentenceText(passages, closest), terms)
    ? closest
    : null;
}

/** No answer, but the sentence that comes closest, quoted: the reader sees what the interview does say. */
export function composeClosest(sentence: ScoredSentence, passages: Passage[]): StructuredDraft {
  const span = passages[sentence.passage]!.chunk.sentences[sentence.sentence]!;
  const draft = [
    "The interview doesn't say exactly.",
    " The closest it comes:",
    `\n${withMarker(span.text, sentence.passage + 1)}`,
  ];
  return { draft, passages, preferred: [{ passage: sentence.passage + 1, span }] };
}

/**
 * Whether a sentence shares with the question a word that is neither a name nor in most passages:
 * "the capital of France" is not close to "FDI … in the Netherlands, Belgium, France".
 */
export function sharesTopic(question: string, sentence: string, terms: TermStatistics): boolean {
  const names = new Set(namedTerms(question));
  const present = terms.termsOf(sentence);
  return contentTerms(question).some(
    (term) => !names.has(term) && terms.idf(term) > extractiveTuning.commonTermIdf && present.has(term),
  );
}

/** Places the citation marker before the sentence's closing punctuation and quotes. */
export function withMarker(sentence: string, passage: number): string {
  const match = /[.!?]*["'”’)]*$/.exec(sentence)!;
  return `${sentence.slice(0, match.index)} [${passage}]${sentence.slice(match.index)}`;
}
