import type { Logger } from "pino";
import {
  toWire,
  verdictToWire,
  type AnswerEvent,
  type AnswerMode,
  type ChatRequest,
  type ChatResponse,
  type CompletionUsage,
  type Context,
} from "../contract/index.js";
import { InternalError } from "../errors.js";

// The wire types are the contract's (src/contract/), re-exported for the answerers that produce them.
export type {
  AnswerEvent,
  AnswerKind,
  AnswerMode,
  ChatRequest,
  ChatResponse,
  Citation,
  Claim,
  Context,
} from "../contract/index.js";

export interface AnswerOptions {
  /** Aborts the work (and any upstream request) when the client goes away. */
  signal?: AbortSignal;
  /** The request's logger (it carries the request id); the answerer's own otherwise. */
  logger?: Pick<Logger, "warn">;
  /**
   * Told the question the answer was found for, when that is not the question as asked: a
   * follow-up the LLM rewrote as a standalone question, or one resolved offline against the earlier
   * question it leans on. For the record of turns (src/insights/); never sent to the client, so it
   * stays out of the wire types.
   */
  onStandalone?: (standalone: string) => void;
  /** A cap on the answer's tokens from the client (`max_tokens`): sent to the model when one writes the answer. */
  maxTokens?: number;
  /**
   * Told, once the model's answer is complete, what the model said it cost and why it stopped
   * (`length` when it reached `max_tokens`); never called when no model wrote the answer.
   */
  onModelReport?: (report: ModelReport) => void;
}

/** What an upstream model reported about an answer it wrote. */
export interface ModelReport {
  /** Its token counts, summed over the calls the answer took (condensing included); absent when it sent none. */
  usage?: CompletionUsage;
  finishReason: string | null;
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
  if (!verdict) throw new InternalError("The answer stream ended without citations");
  return toWire({ ...verdict, answer: answer.trimEnd(), contexts, suggestions });
}

/** Replays a finished response as a stream: contexts, the text in word-sized deltas, citations, suggestions. */
export async function* replayAnswer(response: ChatResponse): AsyncIterable<AnswerEvent> {
  yield { type: "contexts", contexts: response.contexts };
  for (const piece of response.answer.match(/\S+\s*/g) ?? []) yield { type: "delta", text: piece };
  yield { type: "citations", ...verdictToWire(response) };
  yield { type: "suggestions", suggestions: response.suggestions };
}

export const abstention = "The interview does not answer that question.";
