import type { ParsedInterview } from "../../ingest/parse-interview.js";
import type { SmallTalk } from "./small-talk.js";

/**
 * The short, friendly reply to small talk, saying what the interview is about (from its parsed
 * title and interviewee) and what the assistant does; suggestions follow it. Never the refusal.
 */
export function smallTalkReply(kind: SmallTalk, interviews: ParsedInterview[]): string {
  const topic = describeInterviews(interviews);
  switch (kind) {
    case "greeting":
      return `Hello! I answer questions about ${topic}, using only what it says and quoting the passage behind each answer. You could ask:`;
    case "thanks":
      return `You're welcome! Anything else about ${topic}? You could ask:`;
    case "goodbye":
      return `Goodbye, and thanks for reading ${topic}. If you come back, you could ask:`;
    case "capabilities":
      return `I answer questions about ${topic}, only from what it says: every answer quotes the passage it comes from, and I say so when the interview does not cover something. You could ask:`;
    case "acknowledgement":
      return `Anything else you'd like to know about ${topic}? You could ask:`;
  }
}

/** The reply to a question in another language than the offline answerer reads. */
export function otherLanguageReply(interviews: ParsedInterview[]): string {
  return `Sorry, I can only read questions in English. I answer questions about ${describeInterviews(interviews)}. In English, you could ask:`;
}

// The sentence each reply above ends with, leading up to the suggestions: the widget shows them as
// buttons under it, /v1 lists them after it (suggestionsAsText). A whole sentence, so that without
// suggestions it can go and leave whole sentences behind.
const leadIn = /\s*(?:If you come back, you|In English, you|You) could ask:$/;

/**
 * The reply to send with these suggestions: without its lead-in when there are none (no suggestion
 * in scope was answered), else it would announce nothing.
 */
export function replyWithSuggestions(reply: string, suggestions: readonly string[]): string {
  return suggestions.length > 0 ? reply : reply.replace(leadIn, "");
}

/**
 * The suggestions as text, a Markdown list to follow a reply that ends with the lead-in, for
 * clients that show the text alone (OpenAI's on /v1 show no `suggestions` field); "" after any
 * other reply. A colon ends no sentence, so the lead-in and the first question are one: a cap
 * (cutting after whole sentences) keeps both or neither.
 */
export function suggestionsAsText(reply: string, suggestions: readonly string[]): string {
  if (suggestions.length === 0 || !leadIn.test(reply.trimEnd())) return "";
  return suggestions.map((suggestion) => `\n- ${suggestion}`).join("");
}

/** "the interview with Margulan Baimukhan, Head of …", or the title before its colon. */
function describeInterviews(interviews: ParsedInterview[]): string {
  const [first] = interviews;
  if (!first) return "the interview";
  if (interviews.length > 1) return `these ${interviews.length} interviews`;
  const person = first.interviewee;
  if (person) return `the interview with ${person.name}${person.role ? `, ${person.role}` : ""}`;
  const title = first.title?.text.split(/:\s/)[0]?.trim();
  return title ? `“${title}”` : "the interview";
}
