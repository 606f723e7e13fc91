import type { Request, Response } from "express";
import type { Logger } from "pino";
import type { Answerer, AnswerEvent } from "../answer/types.js";
import { AppError } from "../errors.js";
import { abortOnDisconnect, openEventStream } from "./event-stream.js";
import { chatRequestSchema } from "./schemas.js";
import { validate } from "./validate.js";
import { describeError } from "./describe-error.js";
import type { Insights } from "../insights/insights.js";
import { startTurn } from "./insights-routes.js";

/** `POST /api/chat`: JSON, or Server-Sent Events with `"stream": true` or `Accept: text/event-stream`. */
export function chatRoute(answerer: Answerer, heartbeatMs: number, insights?: Insights) {
  return async (request: Request, response: Response) => {
    const body = validate(chatRequestSchema, request.body);
    const signal = abortOnDisconnect(response);
    const chatRequest = { message: body.message, history: body.history };
    const wantsStream = body.stream || (request.get("accept") ?? "").includes("text/event-stream");
    // Every reply's id, for feedback on it and for finding it in the insights.
    const turn = startTurn(insights, request, body.message);
    if (!wantsStream) {
      const { kind, answer, claims, citations, contexts, grounded, mode, degraded, suggestions } = await answerer.answer(chatRequest, { signal, logger: response.locals.logger as Logger | undefined });
      response.json({ id: turn.id, kind, answer, claims, citations, contexts, grounded, mode, ...(degraded ? { degraded } : {}), suggestions });
      turn.finish({ kind, answer, citations, grounded, mode, degraded });
      return;
    }
    const events = openEventStream(response, heartbeatMs);
    try {
      for await (const event of answerer.stream(chatRequest, { signal, logger: response.locals.logger as Logger | undefined })) {
        if (signal.aborted) return;
        events.send(event.type, payload(event));
        turn.see(event);
      }
      events.send("done", { id: turn.id });
      turn.done();
    } catch (error) {
      if (signal.aborted) return;
      const { status, body: failure } = describeError(error);
      if (!(error instanceof AppError)) (response.locals.logger as Logger | undefined)?.error({ err: error }, "stream failed");
      events.send("error", { ...failure, status });
    } finally {
      events.end();
    }
  };
}

function payload(event: AnswerEvent): unknown {
  if (event.type === "contexts") return { contexts: event.contexts };
  if (event.type === "delta") return { text: event.text };
  if (event.type === "suggestions") return { suggestions: event.suggestions };
  const { kind, citations, claims, grounded, mode, degraded } = event;
  return { kind, citations, claims, grounded, mode, ...(degraded ? { degraded } : {}) };
}
