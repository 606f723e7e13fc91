import type { WireCitation } from "./contract.js";
import type { AnswerFailure, AssistantMessage } from "./conversation.js";
import { segmentAnswer } from "./answer-segments.js";
import { h } from "./dom.js";

/**
 * Renders answer text with its `[n]` markers as citation chips: buttons for the markers that
 * have a citation, inert chips while the citations are still unknown (`null`, mid-stream).
 * All text goes in as text nodes.
 */
export function renderAnswerText(answer: string, citations: WireCitation[] | null, idPrefix: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const segment of segmentAnswer(answer)) {
    if ("text" in segment) {
      fragment.append(...withBold(segment.text));
    } else if (citations === null) {
      fragment.append(h("span", { class: "chip pending", "aria-hidden": "true" }, String(segment.n)));
    } else if (citations.some((citation) => citation.n === segment.n)) {
      fragment.append(
        h(
          "button",
          { type: "button", class: "chip", "data-n": segment.n, "aria-expanded": "false", "aria-controls": `${idPrefix}-card`, "aria-label": `Citation ${segment.n}: show the quote` },
          String(segment.n),
        ),
      );
    } else {
      fragment.append(`[${segment.n}]`);
    }
  }
  return fragment;
}

/** Text with a model's `**bold**` as <strong>, everything still as text nodes. */
function withBold(text: string): Array<string | HTMLElement> {
  return text.split(/\*\*([^*\n]+)\*\*/).map((part, i) => (i % 2 === 1 ? h("strong", {}, part) : part));
}

/** What a citation chip opens: the interviewer's question, the verbatim quote, where it is, and the answer's state. */
export function renderCitationCard(citation: WireCitation, message: Pick<AssistantMessage, "kind" | "claims" | "grounded" | "degraded">): HTMLElement {
  return h(
    "div",
    { class: "card-body" },
    h("p", { class: "card-label" }, `Quote ${citation.n} · the interviewer asked`),
    h("p", { class: "card-question" }, citation.section),
    h("blockquote", { class: "card-quote" }, citation.quote),
    h("p", { class: "card-meta" }, `Characters ${citation.start}–${citation.end} of the interview`),
    ...stateNotes(message),
  );
}

/**
 * Notes on an answer that is not a plain grounded one: the sentences its quotes do not back, or
 * the extractive stand-in for a failed LLM. A reply that says the interview does not answer says
 * so itself, and small talk needs no note.
 */
export function stateNotes({ kind, claims, grounded, degraded }: Pick<AssistantMessage, "kind" | "claims" | "grounded" | "degraded">): HTMLElement[] {
  const notes: HTMLElement[] = [];
  const unsupported = (claims ?? []).filter((claim) => !claim.supported);
  if (kind === "answer" && unsupported.length > 0) {
    notes.push(
      h(
        "div",
        { class: "note unsupported" },
        h("p", {}, unsupported.length === 1 ? "This sentence is not backed by the interview:" : "These sentences are not backed by the interview:"),
        ...unsupported.map((claim) => h("p", { class: "unsupported-claim" }, `“${claim.text.replace(/\s*\[\d+(?:,\s*\d+)*\]/g, "")}”`)),
      ),
    );
  } else if (kind === undefined && grounded === false) {
    // A server from before claims: its grounded: false meant an abstention.
    notes.push(h("p", { class: "note abstained" }, "The interview does not answer this question."));
  }
  if (degraded) notes.push(h("p", { class: "note degraded" }, "The language model was unavailable, so this answer is quoted straight from the interview."));
  return notes;
}

/** Buttons asking the questions the server suggests; null when it suggests none. */
export function renderSuggestions(suggestions: readonly string[]): HTMLElement | null {
  if (suggestions.length === 0) return null;
  return h(
    "div",
    { class: "reply-suggestions", role: "group", "aria-label": "Suggested questions" },
    ...suggestions.slice(0, 5).map((question) => h("button", { type: "button", class: "suggestion" }, question)),
  );
}

/** A message a visitor can act on, for each way a question can fail. */
export function friendlyError(failure: AnswerFailure): string {
  if (failure.code === "rate_limited" || failure.status === 429) {
    const wait = failure.retryAfter ? `about ${failure.retryAfter} seconds` : "a moment";
    return `Too many questions at once. Please wait ${wait}, then try again.`;
  }
  if (failure.code === "incomplete") return "The answer was cut off. Please try again.";
  if (failure.code === "network" || failure.status === 0) return "The chat server cannot be reached right now. Check your connection, then try again.";
  if (failure.status === 400 || failure.status === 413) return `The question could not be sent: ${failure.message}`;
  if (failure.status >= 500) return "The chat server had trouble answering. Please try again.";
  return "Something went wrong. Please try again.";
}
