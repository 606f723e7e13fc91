import type { Answerer, ChatRequest, ChatResponse } from "../answer/types.js";

/** A response and how long it took, in milliseconds. */
export interface Answered {
  response: ChatResponse;
  latencyMs: number;
}

/** Asks the system under test one question: in process (`askAnswerer`) or over HTTP (`askOverHttp`). */
export type AskQuestion = (request: ChatRequest) => Promise<Answered>;

/** Asks an in-process answerer, timing each answer with `now` (default `performance.now`). */
export function askAnswerer(answerer: Answerer, now: () => number = () => performance.now()): AskQuestion {
  return async (request) => {
    const started = now();
    const response = await answerer.answer(request);
    return { response, latencyMs: now() - started };
  };
}
