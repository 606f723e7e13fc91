import type { Passage, ScoredSentence } from "../../retrieve/types.js";
import type { TermStatistics } from "../../retrieve/term-statistics.js";
import { satisfiesAnswerType } from "../expected-answer-type.js";
import type { QuestionAnalysis } from "./question-analysis.js";
import { sentenceText } from "./score-sentences.js";

/**
 * The sentences that can answer the question at all: in a passage that mentions every name and
 * year it uses (and the thing whose name it asks for), and holding the kind of answer it asks for.
 * None when it uses a name the interviews never do. A year counts as a name: a passage with 2021's
 * trade figure does not answer a question about 2022's. Who speaks in a passage is in it, whether
 * or not their name is written there: `speakers` gives the name terms of each file's interviewee
 * and answering tags ("When did Kislyak take up …?" is answered by S. KISLYAK's turns).
 */
export function filterSentences(
  scored: ScoredSentence[],
  passages: Passage[],
  analysis: QuestionAnalysis,
  terms: TermStatistics,
  speakers: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): ScoredSentence[] {
  const { names, thing, acronyms, years } = analysis;
  const spoken = (name: string) => [...speakers.values()].some((set) => set.has(name));
  const known = (name: string) => terms.has(name) || (acronyms.get(name)?.length ?? 0) > 0 || spoken(name);
  if (!names.every(known)) return [];
  // Decided once a passage, not once a sentence: the passage's terms are the same for each.
  const mentions = passages.map((passage) => {
    if (!years.every((year) => passage.chunk.text.includes(year) || passage.chunk.section.includes(year))) return false;
    if (names.length === 0 && thing.length === 0) return true;
    const present = new Set([
      ...[passage.chunk.section, ...passage.chunk.sentences.map((sentence) => sentence.text)].flatMap((text) => [
        ...terms.termsOf(text),
      ]),
      ...(speakers.get(passage.chunk.source) ?? []),
    ]);
    // A name also matches the words it starts or is started by ("Europe" / "European"), and a short acronym the longer ones it begins.
    const has = (name: string) =>
      (acronyms.get(name) ?? []).some((acronym) => present.has(acronym)) ||
      terms
        .variants(name)
        .some(
          (variant) =>
            present.has(variant) ||
            [...present].some(
              (term) =>
                term.length >= 4 && variant.length >= 4 && (term.startsWith(variant) || variant.startsWith(term)),
            ),
        );
    return names.every(has) && (thing.length === 0 || thing.some(has));
  });
  return scored.filter(
    (sentence) =>
      mentions[sentence.passage] &&
      satisfiesAnswerType(analysis.type, sentenceText(passages, sentence), analysis.question),
  );
}
