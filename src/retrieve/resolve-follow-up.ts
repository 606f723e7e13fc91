import { anyOf, words } from "../text/alternatives.js";
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
  /** The earlier user question a follow-up leans on, when there is one. */
  context?: string;
  /** The start of the reply to that question, when there is one; weighs evidence, is not searched. */
  reply?: string;
}

// Words that point back into the conversation: "What about imports?", "Who else?", "Is it ...".
const followUpOpenings = [
  "and",
  "but",
  "also",
  "so",
  "then",
  "what about",
  "how about",
  "and what",
  "what else",
  "who else",
  "why",
  "how come",
  "tell me more",
  "more",
];
const pronouns = ["it", "its", "it's", "they", "them", "their", "theirs", "he", "him", "his", "she", "her"];
const demonstratives = ["this", "that", "these", "those", "there", "the same"];
// "Who else?", "the other one", "the former".
const otherThanBefore = ["else", "other", "another", "former", "latter"];
// The phrases' words are one space apart (the second argument of anyOf and words), as they always were.
const anaphora = new RegExp(
  `^${anyOf(followUpOpenings, " ")}\\b|${words([...pronouns, ...demonstratives, ...otherThanBefore], " ")}`,
  "i",
);

// Enough of a reply to name what it was about; long LLM replies would otherwise drown the question.
const replyChars = 300;

/**
 * Resolves a follow-up against the latest exchange: when the question leans on the conversation
 * (a pronoun, "what about ...", or too few words of its own), the latest user question is searched
 * with it, and the reply to it helps weigh the evidence: in "Which musician won a Grammy?" →
 * "Imanbek, a DJ ..." → "Who has he worked with?", only the reply says who "he" is. The reply is
 * kept out of the search text, where its wording (ours, not the user's) pulls toward the passage
 * already quoted.
 */
export function resolveFollowUp(question: string, history: ChatTurn[] = []): ResolvedQuestion {
  const at = history.findLastIndex((turn) => turn.role === "user" && turn.content.trim() !== "");
  if (at < 0) return { question, searchText: question };
  const ownTerms = new Set(contentTerms(question)).size;
  if (!anaphora.test(question) && ownTerms >= 3) return { question, searchText: question };
  const context = history[at]!.content.trim();
  const reply = history[at + 1]?.role === "assistant" ? replyText(history[at + 1]!.content) : "";
  return { question, searchText: `${context} ${question}`, context, ...(reply ? { reply } : {}) };
}

/**
 * The follow-up as it was searched, standing on its own (the earlier question, then this one);
 * undefined for a question that needed nothing from the conversation.
 */
export function standaloneQuestion(resolved: ResolvedQuestion): string | undefined {
  return resolved.context === undefined ? undefined : resolved.searchText;
}

/** The start of a reply, without its citation markers. */
function replyText(content: string): string {
  return content
    .replace(/\[\d+\]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, replyChars);
}
