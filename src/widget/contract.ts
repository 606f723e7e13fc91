/**
 * The wire shapes of `POST /api/chat` as the widget reads them: the contract's own types
 * (src/contract/), imported as types only, so the browser bundle carries none of its zod.
 */
import type { AnswerKind, ChatTurn, Citation, Claim, Context, Limits, Verdict } from "../contract/index.js";

export type WireCitation = Citation;
export type WireClaim = Claim;
export type WireKind = AnswerKind;
export type WireContext = Context;
export type WireTurn = ChatTurn;

/** What the transport yields, in order: contexts, deltas, citations, suggestions, done. */
export type ChatEvent =
  | { type: "contexts"; contexts: WireContext[] }
  | { type: "delta"; text: string }
  // kind and claims may be missing from an older server.
  | ({ type: "citations" } & Omit<Verdict, "kind" | "claims"> & Partial<Pick<Verdict, "kind" | "claims">>)
  | { type: "suggestions"; suggestions: string[] }
  /** `id` names the reply, for `POST /api/feedback`; an older server sends none. */
  | { type: "done"; id?: string };

/** The server's limits on a request: `message` 1–2,000 characters, `history` 20 turns of 4,000 (the compiler holds them to the contract's). */
export const limits = { message: 2000, turns: 20, turnLength: 4000 } as const satisfies Limits;

/**
 * The DOM event an opened citation dispatches on the host page's `document`, with the citation as
 * its `detail`: the demo page listens for it to scroll to the quote and highlight it.
 */
export const citationEvent = "interview-chat:citation";

export type CitationEventDetail = WireCitation;

/** Dispatched on `document` when the visitor clears the conversation: the demo page removes its highlight. */
export const clearEvent = "interview-chat:clear";

/** A reader's thumbs on a reply: the body of `POST /api/feedback`. */
export interface WireFeedback {
  id: string;
  rating: "up" | "down";
  comment?: string;
}
