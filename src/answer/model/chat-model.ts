import type { CompletionUsage } from "../../contract/index.js";
import type { UpstreamError } from "../../errors.js";

/**
 * The seam between the LLM answerer and whoever runs the model. The OpenAI SDK lives in one adapter
 * (openai-chat-model.ts); another provider (a local llama.cpp binding, Anthropic's API) is another
 * implementation of this interface, chosen in create-assistant.ts.
 */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatModelRequest {
  messages: ChatMessage[];
  /** The most tokens the model may write. */
  maxTokens?: number;
  /** Stops the request (and any retry) at once. */
  signal: AbortSignal;
  /** The budget for each attempt, in milliseconds. */
  timeoutMs: number;
}

/** What a streamed answer is made of, in order: text pieces, then why it stopped and what it cost. */
export type ChatModelPart =
  | { type: "text"; text: string }
  /** The model says the answer is whole ("stop") or cut ("length"); a stream without one broke off. */
  | { type: "finish"; reason: string }
  | { type: "usage"; usage: CompletionUsage }
  /** The upstream failed mid-answer: an UpstreamError whose message and cause are safe to log. */
  | { type: "error"; error: UpstreamError };

export interface ChatModel {
  /** The model's name, for logs. */
  readonly id: string;
  /** The budget of one answer, condensing and retries included, when the caller sets none. */
  readonly timeoutMs: number;
  /**
   * Starts a streamed answer; resolves once the upstream has accepted it (its headers), so the
   * caller can time the first token apart from the rest. Leaving the iteration early cancels it.
   * @throws UpstreamError when the request is refused or cannot be sent.
   */
  stream(request: ChatModelRequest): Promise<AsyncIterable<ChatModelPart>>;
  /**
   * One whole reply, for short steps (condensing a follow-up).
   * @throws UpstreamError on any failure.
   */
  complete(request: ChatModelRequest): Promise<{ text: string; usage?: CompletionUsage }>;
  /** Any error of a call as the app reports it: an UpstreamError, scrubbed of keys and upstream text. */
  toUpstreamError(error: unknown): UpstreamError;
}
