import { scoreSentences } from "../../retrieve/score-evidence.js";
import type { Passage, ScoredSentence } from "../../retrieve/types.js";
import type { TermStatistics } from "../../retrieve/term-statistics.js";
import { extractiveTuning } from "../extractive-tuning.js";
import type { QuestionAnalysis } from "./question-analysis.js";

/**
 * Every sentence of the passages as evidence, best first: the retriever's own scores when it
 * scored these passages (it reranks by them), else scored here; a sentence that opens with the
 * subject a definition question asks about scores a little more.
 */
export function scoreForAnswer(
  passages: Passage[],
  analysis: QuestionAnalysis,
  terms: TermStatistics,
  scored?: ScoredSentence[],
): ScoredSentence[] {
  const subject = analysis.definedSubject;
  return (scored ?? scoreSentences(passages, analysis.terms, terms))
    .map((sentence) =>
      subject && startsWith(sentenceText(passages, sentence), subject)
        ? { ...sentence, score: sentence.score + extractiveTuning.definitionBonus }
        : sentence,
    )
    .sort((a, b) => b.score - a.score);
}

/**
 * How much a sentence is evidence to answer with. Decided from two signals together, since
 * neither alone separates answerable from unanswerable questions: how much of the question's
 * (idf-weighted) content the sentence covers, and how similar their embeddings are.
 */
export function evidenceScore(sentence: ScoredSentence): number {
  return sentence.similarity + extractiveTuning.coverageWeight * sentence.coverage;
}

export function sentenceText(passages: Passage[], sentence: Pick<ScoredSentence, "passage" | "sentence">): string {
  return passages[sentence.passage]!.chunk.sentences[sentence.sentence]!.text;
}

/** A sentence that opens with the subject ("The Middle Corridor, functioning under ... is ...") defines it. */
function startsWith(sentence: string, subject: string): boolean {
  return sentence
    .toLowerCase()
    .replace(/["'“”‘’]/g, "")
    .replace(/^(?:the|a|an)\s+/, "")
    .startsWith(subject);
}
