import type { Passage, ScoredSentence } from "../../retrieve/types.js";
import { isList, isLure, isSpecific, type AnswerType } from "../expected-answer-type.js";
import { extractiveTuning } from "../extractive-tuning.js";
import { surfaceWords, type QuestionAnalysis } from "./question-analysis.js";
import { evidenceScore, sentenceText } from "./score-sentences.js";

/** The evidence an answer needs (see `extractiveTuning`): less when the sentence holds the specific kind of thing asked for, more for a figure. */
export function evidenceCut(type: AnswerType): number {
  return isSpecific(type)
    ? extractiveTuning.specificCut
    : isLure(type)
      ? extractiveTuning.lureCut
      : extractiveTuning.answerCut;
}

/** Whether the best candidate is evidence enough to answer with. */
export function answers(best: ScoredSentence | undefined, analysis: QuestionAnalysis): best is ScoredSentence {
  return best !== undefined && analysis.ownTerms.size > 0 && evidenceScore(best) >= evidenceCut(analysis.type);
}

/**
 * The sentences to quote, in reading order, once `best` (the first of `candidates`) answers:
 * runners-up nearly as good and on point, the sentence after the best, and no more than
 * `maxAnswerWords` unless a list is asked for.
 */
export function chooseSentences(
  best: ScoredSentence,
  candidates: ScoredSentence[],
  passages: Passage[],
  analysis: QuestionAnalysis,
): ScoredSentence[] {
  // Runners-up join when nearly as good: once the best sentence has decided to answer, a
  // runner-up needs to be close to it and fair evidence, not to clear the answer's own cut again.
  const runnerUpCut = Math.min(evidenceCut(analysis.type), extractiveTuning.runnerUpCut);
  // On point: a runner-up must hold one of the question's own words. A follow-up's context ("EU
  // trade in 2021" before "What about imports?") otherwise pulls in sentences on neighbouring topics.
  // Compared as written, not stemmed: Porter makes "importance" the "import" of "imports".
  const holdsOwnWord = (sentence: ScoredSentence) => {
    const present = surfaceWords(sentenceText(passages, sentence));
    return analysis.ownWords.some((word) => present.some((other) => sameWord(word, other)));
  };
  const chosen = candidates
    .filter(
      (sentence) =>
        sentence === best ||
        (sentence.score >= best.score * extractiveTuning.runnerUpShare &&
          evidenceScore(sentence) >= runnerUpCut &&
          holdsOwnWord(sentence)),
    )
    .slice(0, extractiveTuning.maxRunnerUps);
  // The sentence after the best one joins too: an interviewee's answer unfolds over consecutive
  // sentences ("The last meeting took place in August." → "A joint statement was adopted."), and
  // the point asked about is as often in the second (quote holds evidence 0.64 → 0.67 on the
  // project's set, 0.93 → 1.00 on the starter set).
  const next = passages[best.passage]!.chunk.sentences[best.sentence + 1];
  if (
    next &&
    !chosen.some((sentence) => sentence.passage === best.passage && sentence.sentence === best.sentence + 1)
  ) {
    chosen.push({ ...best, sentence: best.sentence + 1 });
  }
  // Brief unless a list is asked for: the weakest runners-up go first, then the sentence after the best.
  if (!isList(analysis.type)) {
    const words = (sentence: ScoredSentence) => sentenceText(passages, sentence).split(/\s+/).length;
    const isNext = (sentence: ScoredSentence) =>
      sentence.passage === best.passage && sentence.sentence === best.sentence + 1;
    // Popped from the end: the weakest runner-up first, the sentence after the best last.
    const droppable = [
      ...chosen.filter(isNext),
      ...chosen.filter((sentence) => sentence !== best && !isNext(sentence)).sort((a, b) => b.score - a.score),
    ];
    while (
      chosen.reduce((sum, sentence) => sum + words(sentence), 0) > extractiveTuning.maxAnswerWords &&
      droppable.length > 0
    )
      chosen.splice(chosen.indexOf(droppable.pop()!), 1);
  }
  return chosen.sort((a, b) => a.passage - b.passage || a.sentence - b.sentence);
}

/** The same word, or one a short ending away ("reform" / "reformed"), as written. */
export function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 4 && long.startsWith(short) && long.length - short.length <= 2;
}
