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
      fragment.append(segment.text);
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

/** What a citation chip opens: the interviewer's question, the verbatim quote, where it is, and the answer's state. */
export function renderCitationCard(citation: WireCitation, message: Pick<AssistantMessage, "grounded" | "degraded">): HTMLElement {
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

/** Notes on an answer that is not a plain grounded one: an abstention, or the extractive stand-in for a failed LLM. */
export function stateNotes({ grounded, degraded }: Pick<AssistantMessage, "grounded" | "degraded">): HTMLElement[] {
  const notes: HTMLElement[] = [];
  if (grounded === false) notes.push(h("p", { class: "note abstained" }, "The interview does not answer this question."));
  if (degraded) notes.push(h("p", { class: "note degraded" }, "The language model was unavailable, so this answer is quoted straight from the interview."));
  return notes;
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
