/**
 * The wire shapes of `POST /api/chat` as the widget reads them (DESIGN.md, HTTP contract).
 * Declared here rather than imported so the browser bundle depends on nothing server-side;
 * test/widget-transport.test.ts checks they match the server's types.
 */

export interface WireCitation {
  n: number;
  chunkId: string;
  /** The interviewer's question the quote answers, or "Introduction". */
  section: string;
  /** Verbatim: the interview's characters `start`–`end`. */
  quote: string;
  start: number;
  end: number;
}

/** A sentence of the answer that states something, and whether its quotes back it. */
export interface WireClaim {
  text: string;
  start: number;
  end: number;
  citations: number[];
  supported: boolean;
  support: number;
}

export type WireKind = "answer" | "no_answer" | "smalltalk";

export interface WireContext {
  chunkId: string;
  section: string;
  text: string;
  score: number;
  start: number;
  end: number;
}

export interface WireTurn {
  role: "user" | "assistant";
  content: string;
}

/** What the transport yields, in order: contexts, deltas, citations, suggestions, done. */
export type ChatEvent =
  | { type: "contexts"; contexts: WireContext[] }
  | { type: "delta"; text: string }
  | { type: "citations"; kind?: WireKind; citations: WireCitation[]; claims?: WireClaim[]; grounded: boolean; mode: "extractive" | "llm"; degraded?: boolean }
  | { type: "suggestions"; suggestions: string[] }
  /** `id` names the reply, for `POST /api/feedback`; an older server sends none. */
  | { type: "done"; id?: string };

/** The server's limits on a request: `message` 1–2,000 characters, `history` 20 turns of 4,000. */
export const limits = { message: 2000, turns: 20, turnLength: 4000 } as const;

/**
 * The DOM event an opened citation dispatches on the host page's `document`, with the citation as
 * its `detail`: the demo page listens for it to scroll to the quote and highlight it.
 */
export const citationEvent = "interview-chat:citation";

export type CitationEventDetail = WireCitation;

/** A reader's thumbs on a reply: the body of `POST /api/feedback`. */
export interface WireFeedback {
  id: string;
  rating: "up" | "down";
  comment?: string;
}
