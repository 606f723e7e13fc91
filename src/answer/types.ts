import type { Logger } from "pino";
import type { ChatTurn } from "../retrieve/resolve-follow-up.js";

/** A quote backing part of the answer: `source.slice(start, end) === quote` in the chunk's file. */
export interface Citation {
  /** The `[n]` marker in the answer that this citation backs. */
  n: number;
  chunkId: string;
  /** The interviewer's question the quote answers, or "Introduction". */
  section: string;
  quote: string;
  start: number;
  end: number;
}

/** A retrieved passage, as the HTTP contract shows it. */
export interface Context {
  chunkId: string;
  section: string;
  text: string;
  score: number;
  start: number;
  end: number;
}

export type AnswerMode = "extractive" | "llm";

/** `answer`: the interview answers; `no_answer`: it does not (the answer says so); `smalltalk`: a greeting, thanks, "what can you do". */
export type AnswerKind = "answer" | "no_answer" | "smalltalk";

/** A sentence of the answer that states something, and whether the quotes it cites back it. */
export interface Claim {
  /** `answer.slice(start, end)`, markers included. */
  text: string;
  start: number;
  end: number;
  /** The citations (their `n`) whose quotes are this claim's evidence. */
  citations: number[];
  /** Its numbers and names are in its quotes and its support reaches the calibrated threshold. */
  supported: boolean;
  /** 0–1: how much of the claim its quotes hold, lexically and by embedding similarity. */
  support: number;
}

/** The response object of `POST /api/chat` and `npm run ask -- --json`. */
export interface ChatResponse {
  kind: AnswerKind;
  answer: string;
  claims: Claim[];
  citations: Citation[];
  contexts: Context[];
  /** True when the answer states something and every claim is supported. */
  grounded: boolean;
  mode: AnswerMode;
  /** True when the LLM failed and the extractive answer stands in. */
  degraded?: boolean;
  /** Questions the interview answers, chosen for the conversation; always some for `no_answer` and `smalltalk`. */
  suggestions: string[];
}

export interface ChatRequest {
  message: string;
  history?: ChatTurn[];
}

/** What an answer stream yields, in this order: contexts, any number of deltas, citations, suggestions. */
export type AnswerEvent =
  | { type: "contexts"; contexts: Context[] }
  | { type: "delta"; text: string }
  | { type: "citations"; kind: AnswerKind; citations: Citation[]; claims: Claim[]; grounded: boolean; mode: AnswerMode; degraded?: boolean }
  | { type: "suggestions"; suggestions: string[] };

export interface AnswerOptions {
  /** Aborts the work (and any upstream request) when the client goes away. */
  signal?: AbortSignal;
  /** The request's logger (it carries the request id); the answerer's own otherwise. */
  logger?: Pick<Logger, "warn">;
}

export interface Answerer {
  readonly mode: AnswerMode;
  /** @throws AppError subclasses only for faults, never because the interview lacks the answer. */
  answer(request: ChatRequest, options?: AnswerOptions): Promise<ChatResponse>;
  /** The same answer as events, text first as it is written. Faults are thrown from the iterator. */
  stream(request: ChatRequest, options?: AnswerOptions): AsyncIterable<AnswerEvent>;
}

/** Collects an answer stream into the response object. */
export async function collectAnswer(events: AsyncIterable<AnswerEvent>): Promise<ChatResponse> {
  let contexts: Context[] = [];
  let answer = "";
  let verdict: Extract<AnswerEvent, { type: "citations" }> | undefined;
  let suggestions: string[] = [];
  for await (const event of events) {
    if (event.type === "contexts") contexts = event.contexts;
    else if (event.type === "delta") answer += event.text;
    else if (event.type === "citations") verdict = event;
    else suggestions = event.suggestions;
  }
  if (!verdict) throw new Error("The answer stream ended without citations");
  const { kind, citations, claims, grounded, mode, degraded } = verdict;
  return { kind, answer: answer.trimEnd(), claims, citations, contexts, grounded, mode, ...(degraded ? { degraded } : {}), suggestions };
}

/** Replays a finished response as a stream: contexts, the text in word-sized deltas, citations, suggestions. */
export async function* replayAnswer(response: ChatResponse): AsyncIterable<AnswerEvent> {
  yield { type: "contexts", contexts: response.contexts };
  for (const piece of response.answer.match(/\S+\s*/g) ?? []) yield { type: "delta", text: piece };
  const { kind, citations, claims, grounded, mode, degraded } = response;
  yield { type: "citations", kind, citations, claims, grounded, mode, ...(degraded ? { degraded } : {}) };
  yield { type: "suggestions", suggestions: response.suggestions };
}

export const abstention = "The interview does not answer that question.";
