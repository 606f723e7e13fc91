import type { Chunk } from "../../ingest/chunk-interview.js";
import type { ParsedInterview } from "../../ingest/parse-interview.js";
import type { TermStatistics } from "../../retrieve/term-statistics.js";
import { isStopword, normalizeTerm } from "../../text/tokenize.js";
import {
  answerAboutInterview,
  answerOverview,
  overviewDraft,
  type StructuredDraft,
} from "../answer-about-interview.js";
import { foreignLanguage } from "./language.js";
import { classifySmallTalk, type SmallTalk } from "./small-talk.js";
import type { TurnByMeaning } from "./turn-by-meaning.js";

/** What kind of turn a message is, decided before any retrieval: the first stage of answering. */
export type Turn =
  | { kind: "smalltalk"; smallTalk: SmallTalk }
  /** Not in English (offline only: an LLM answers those itself). */
  | { kind: "other-language"; language: string }
  /** About the interview itself (who was interviewed, by whom, what was asked), answered from its structure. */
  | { kind: "about-interview"; draft: StructuredDraft }
  /** A request for an overview, answered from the interview's structure. */
  | { kind: "overview"; draft: StructuredDraft }
  /** A question to retrieve passages for. */
  | { kind: "question" };

export interface RouteContext {
  interviews: ParsedInterview[];
  chunks: Chunk[];
  /** The corpus's vocabulary: an English keyword query ("Tokayev reforms pace") is not another language. */
  terms: TermStatistics;
  /** Whether to tell other languages apart (the LLM answers them itself). */
  otherLanguages: boolean;
  /** Recognises small talk and overview requests by meaning, when their wording matched no pattern. */
  meaning?: TurnByMeaning;
}

/** Routes a message: small talk, another language, about the interview, an overview, or a question. */
export async function routeTurn(message: string, context: RouteContext): Promise<Turn> {
  const smallTalk = classifySmallTalk(message);
  if (smallTalk) return { kind: "smalltalk", smallTalk };
  const { terms, interviews, chunks } = context;
  // Before the language check: a short English turn ("cheers mate") is not another language.
  const byMeaning = (await context.meaning?.classify(message)) ?? null;
  if (byMeaning && byMeaning !== "overview") return { kind: "smalltalk", smallTalk: byMeaning };
  const language = context.otherLanguages
    ? await foreignLanguage(message, (word) => isStopword(word) || terms.has(normalizeTerm(word)))
    : null;
  if (language && byMeaning !== "overview") return { kind: "other-language", language };
  const about = answerAboutInterview(message, interviews, chunks);
  if (about) return { kind: "about-interview", draft: about };
  const overview =
    byMeaning === "overview" ? overviewDraft(interviews, chunks) : answerOverview(message, interviews, chunks);
  if (overview) return { kind: "overview", draft: overview };
  return { kind: "question" };
}
