import { namedTerms } from "../text/named-terms.js";
import { isStopword, contentTermRuns } from "../text/tokenize.js";
import { retrievalTuning } from "./retrieval-tuning.js";
import type { ResolvedQuestion } from "./resolve-follow-up.js";
import type { TermStatistics } from "./term-statistics.js";
import type { Passage, ScoredSentence, WeightedTerms } from "./types.js";

/** The question's content terms weighted by idf: its own words fully, a follow-up's earlier question and the reply's names less. */
export function questionTerms(question: ResolvedQuestion, terms: TermStatistics): WeightedTerms {
  const weights: WeightedTerms = new Map();
  const add = (text: string, factor: number) => {
    for (const raw of terms.contractAcronyms(contentTermRuns(text))) {
      const term = terms.correct(raw) ?? raw;
      if (!weights.has(term)) weights.set(term, terms.idf(term) * factor);
    }
  };
  add(withoutDegreeWord(question.question), 1);
  if (question.context) add(question.context, retrievalTuning.contextWeight);
  // Of the reply, only the names: they say who "he" or what "it" is; its other words repeat the
  // passage already quoted and would pull the follow-up's evidence back to it.
  if (question.reply) add(namedTerms(question.reply).join(" "), retrievalTuning.replyWeight);
  return weights;
}

/**
 * The question without the word that follows "how" ("How *big* is the fund?", "How *long* does a
 * visa take?", "How *far* did the yield drop?"): it says what kind of answer is asked for (a size,
 * a duration, a distance), which the answer gives as a number, not in that word. A capitalised word
 * after "how" is a name and stays.
 */
export function withoutDegreeWord(question: string): string {
  return question.replace(/\b([Hh]ow\s+)(\p{Ll}[\p{L}-]*)/gu, (match, how: string, word: string) =>
    isStopword(word.toLowerCase()) ? match : how.trimEnd(),
  );
}

/**
 * Share of the question's term weight found in the texts together (0 when the question has no
 * content terms). A term also counts when the texts hold it with one typo ("Mazhlis").
 */
export function coverage(query: WeightedTerms, terms: TermStatistics, ...texts: string[]): number {
  let total = 0;
  for (const weight of query.values()) total += weight;
  if (total === 0) return 0;
  const present = texts.map((text) => terms.termsOf(text));
  let covered = 0;
  for (const [term, weight] of query) {
    if (terms.variants(term).some((variant) => present.some((set) => set.has(variant)))) covered += weight;
  }
  return covered / total;
}

/**
 * Scores every sentence of the passages as evidence for the question: lexical coverage says the
 * sentence talks about what was asked; embedding similarity catches paraphrases coverage misses.
 */
export function scoreSentences(passages: Passage[], query: WeightedTerms, terms: TermStatistics): ScoredSentence[] {
  const scored: ScoredSentence[] = [];
  passages.forEach((passage, passageIndex) => {
    passage.chunk.sentences.forEach((sentence, sentenceIndex) => {
      const own = coverage(query, terms, sentence.text);
      const previous =
        sentenceIndex > 0 && refersBack(sentence.text) ? passage.chunk.sentences[sentenceIndex - 1]!.text : "";
      const withSection = coverage(query, terms, passage.chunk.section, previous, sentence.text);
      const combinedCoverage = Math.max(
        own,
        withSection * retrievalTuning.sectionShare + own * (1 - retrievalTuning.sectionShare),
      );
      const similarity = passage.sentenceSimilarities[sentenceIndex] ?? 0;
      scored.push({
        passage: passageIndex,
        sentence: sentenceIndex,
        coverage: combinedCoverage,
        similarity,
        score:
          retrievalTuning.rankCoverageWeight * combinedCoverage + (1 - retrievalTuning.rankCoverageWeight) * similarity,
      });
    });
  });
  return scored;
}

/** A sentence that opens with a pronoun ("He proposed ...") talks about what the one before it named. */
function refersBack(sentence: string): boolean {
  return /^\s*(?:he|she|it|they|his|her|its|their|this|these|such)\b/i.test(sentence);
}
