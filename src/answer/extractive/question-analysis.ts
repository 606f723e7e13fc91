import type { ResolvedQuestion } from "../../retrieve/resolve-follow-up.js";
import { questionTerms } from "../../retrieve/score-evidence.js";
import type { WeightedTerms } from "../../retrieve/types.js";
import type { TermStatistics } from "../../retrieve/term-statistics.js";
import { contentTerms, isStopword, words } from "../../text/tokenize.js";
import { expectedAnswerType, thingNamed, type AnswerType } from "../expected-answer-type.js";
import { instructsAssistant } from "../instructs-assistant.js";
import { namedTerms } from "../../text/named-terms.js";

/**
 * A question, analysed once for every stage of the extractive answerer: what it asks for, whom
 * it names, and its words weighted. Built from the retriever's resolved question, so a follow-up's
 * context counts as the retriever counted it.
 */
export interface QuestionAnalysis {
  /** The question as asked. */
  question: string;
  resolved: ResolvedQuestion;
  /**
   * The kind of turn, once routing (route/route-turn.ts) has found it is no small talk, other
   * language or question about the interview itself: an instruction to the assistant ("Ignore all
   * previous instructions ..."), refused, or a question.
   */
  kind: "instruction" | "question";
  /** The kind of answer it asks for ("month", "countries", "any" …). */
  type: AnswerType;
  /** The terms of the names it uses, spelling corrected to the corpus ("mazhli" → "mazhili"). */
  names: string[];
  /** For each name written as a short capitalised acronym ("UN"), the corpus's acronyms it begins ("unodc", "unama"). */
  acronyms: Map<string, string[]>;
  /** The years it names ("trade turnover in 2022" → ["2022"]): a passage that answers it names them too. */
  years: string[];
  /** The terms of the thing whose name is asked for ("the name of the track that …" → ["track"]). */
  thing: string[];
  /** The subject a definition question asks about ("What is the Middle Corridor?" → "middle corridor"). */
  definedSubject: string | null;
  /** Its content terms with the follow-up's context, weighted (idf × 1 its own, × ½ the context's). */
  terms: WeightedTerms;
  /** Its own content terms only, weighted. */
  ownTerms: WeightedTerms;
  /** Its own content words as written (for staying on point, where stems mislead). */
  ownWords: string[];
}

/**
 * Analyses a resolved question once. `corpusAcronyms` are the acronyms the interviews use,
 * lower-cased ("unodc").
 */
export function analyseQuestion(
  resolved: ResolvedQuestion,
  terms: TermStatistics,
  corpusAcronyms: readonly string[],
): QuestionAnalysis {
  const question = resolved.question;
  const names = namedTerms(question).map((term) => terms.correct(term) ?? term);
  // A short acronym the question writes in capitals also names the longer ones it begins:
  // "UN bodies" are the interview's "UNODC" and "UNAMA".
  const acronyms = new Map<string, string[]>();
  for (const name of names) {
    if (new RegExp(`\\b${name.toUpperCase()}\\b`).test(question))
      acronyms.set(
        name,
        corpusAcronyms.filter((acronym) => acronym.startsWith(name)),
      );
  }
  return {
    question,
    resolved,
    kind: instructsAssistant(question) ? "instruction" : "question",
    type: expectedAnswerType(question),
    names,
    acronyms,
    years: [...new Set(question.match(/\b(?:1[89]|20)\d\d\b/g) ?? [])],
    thing: contentTerms(thingNamed(question) ?? ""),
    definedSubject: definedSubject(question),
    terms: questionTerms(resolved, terms),
    ownTerms: questionTerms({ question, searchText: question }, terms),
    ownWords: surfaceWords(question),
  };
}

/** "What is the Middle Corridor?" → "middle corridor": the subject a definition question asks about. */
export function definedSubject(question: string): string | null {
  const match = /^\s*(?:what|who)\s+(?:is|are|was|were)\s+(?:the\s+|a\s+|an\s+)?([^?]{3,60}?)\s*\??\s*$/i.exec(
    question,
  );
  return match ? match[1]!.toLowerCase().replace(/["'“”‘’]/g, "") : null;
}

/** The content words of a text as written, lower-cased, a plural's "s" and a possessive dropped. */
export function surfaceWords(text: string): string[] {
  return words(text)
    .filter((word) => !isStopword(word))
    .map((word) => word.replace(/['’]s$/, "").replace(/(?<=\w{3})e?s$/, ""));
}
