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

/** The response object of `POST /api/chat` and `npm run ask -- --json`. */
export interface ChatResponse {
  answer: string;
  citations: Citation[];
  contexts: Context[];
  /** False when the answer says the interview does not cover the question. */
  grounded: boolean;
  mode: AnswerMode;
  /** True when the LLM failed and the extractive answer stands in. */
  degraded?: boolean;
}

export interface ChatRequest {
  message: string;
  history?: ChatTurn[];
}

export interface Answerer {
  readonly mode: AnswerMode;
  /** @throws AppError subclasses only for faults, never because the interview lacks the answer. */
  answer(request: ChatRequest, options?: { signal?: AbortSignal }): Promise<ChatResponse>;
}

export const abstention = "The interview does not answer that question.";
