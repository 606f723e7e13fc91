import { contentTerms } from "../text/tokenize.js";

export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
}

export interface ResolvedQuestion {
  /** The question as asked. */
  question: string;
  /** What to search with: the question, preceded by the earlier question it follows up on. */
  searchText: string;
  /** The earlier user turn a follow-up leans on, when there is one. */
  context?: string;
}

// Words that point back into the conversation: "What about imports?", "Who else?", "Is it ...".
const anaphora =
  /^(?:and|but|also|so|then|what about|how about|and what|what else|who else|why|how come|tell me more|more)\b|\b(?:it|its|it's|they|them|their|theirs|this|that|these|those|he|him|his|she|her|there|the same|else|other|another|former|latter)\b/i;

/**
 * Resolves a follow-up against earlier user turns: when the question leans on the conversation
 * (a pronoun, "what about ...", or too few words of its own), the latest user question is
 * searched with it. Assistant turns are not used: they are our own words, not the user's intent.
 */
export function resolveFollowUp(question: string, history: ChatTurn[] = []): ResolvedQuestion {
  const previous = [...history].reverse().find((turn) => turn.role === "user" && turn.content.trim() !== "");
  if (!previous) return { question, searchText: question };
  const ownTerms = new Set(contentTerms(question)).size;
  if (!anaphora.test(question) && ownTerms >= 3) return { question, searchText: question };
  return { question, searchText: `${previous.content.trim()} ${question}`, context: previous.content.trim() };
}
