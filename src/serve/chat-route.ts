import type { Request, Response } from "express";
import type { Logger } from "pino";
import type { Answerer, AnswerEvent } from "../answer/types.js";
import { chatRequestSchema, toWire, verdictToWire, type StreamEventData } from "../contract/index.js";
import { AppError, BadRequestError } from "../errors.js";
import { abortOnDisconnect, openEventStream } from "./event-stream.js";
import { validate } from "./validate.js";
import { describeError } from "./describe-error.js";
import type { Insights } from "../insights/insights.js";
import { startTurn } from "./insights-routes.js";

/**
 * `POST /api/chat`: JSON, or Server-Sent Events with `"stream": true` or `Accept: text/event-stream`.
 * `knownSources` (the files of data/) checks a request's `sources`; without it any name is taken.
 */
export function chatRoute(
  answerer: Answerer,
  heartbeatMs: number,
  insights?: Insights,
  knownSources?: readonly string[],
) {
  return async (request: Request, response: Response) => {
    const body = validate(chatRequestSchema, withQuerySources(request));
    const sources = checkSources(body.sources, knownSources);
    const signal = abortOnDisconnect(response);
    const chatRequest = { message: body.message, history: body.history, ...(sources ? { sources } : {}) };
    const wantsStream = body.stream || (request.get("accept") ?? "").includes("text/event-stream");
    // Every reply's id, for feedback on it and for finding it in the insights.
    const turn = startTurn(insights, request, body.message);
    const logger = response.locals.logger as Logger | undefined;
    if (!wantsStream) {
      const reply = toWire(
        await answerer.answer(chatRequest, { signal, logger, onStandalone: turn.noteStandalone }),
        turn.id,
      );
      response.json(reply);
      turn.finish(reply);
      return;
    }
    const events = openEventStream(response, heartbeatMs);
    try {
      for await (const event of answerer.stream(chatRequest, { signal, logger, onStandalone: turn.noteStandalone })) {
        if (signal.aborted) return;
        events.send(event.type, payload(event));
        turn.see(event);
      }
      events.send("done", { id: turn.id } satisfies StreamEventData["done"]);
      turn.done();
    } catch (error) {
      if (signal.aborted) return;
      const { status, body: failure } = describeError(error);
      if (!(error instanceof AppError)) logger?.error({ err: error }, "stream failed");
      events.send("error", { ...failure, status } satisfies StreamEventData["error"]);
    } finally {
      events.end();
    }
  };
}

/**
 * The body, with `?source=a.txt&source=b.txt` as its `sources` when the body names none: the
 * widget's `data-source` can then ride on the URL it posts to.
 */
function withQuerySources(request: Request): unknown {
  const query = request.query.source;
  const body = request.body as unknown;
  if (query === undefined || typeof body !== "object" || body === null || "sources" in body) return body;
  const sources = (Array.isArray(query) ? query : [query]).filter(
    (value): value is string => typeof value === "string",
  );
  return { ...body, sources };
}

/**
 * The request's files, each checked against the files the index holds: an unknown one is a 400
 * naming it (and the files there are), never an answer from nothing.
 */
export function checkSources(
  requested: readonly string[] | undefined,
  known: readonly string[] | undefined,
): string[] | undefined {
  if (!requested) return undefined;
  const unique = [...new Set(requested)];
  if (!known) return unique;
  const unknown = unique.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new BadRequestError(
      `sources: no file ${unknown.map((name) => JSON.stringify(name.slice(0, 100))).join(", ")} in data/; known: ${known.join(", ")}`,
      "invalid_request",
    );
  }
  return unique;
}

function payload(event: AnswerEvent): StreamEventData[keyof StreamEventData] {
  if (event.type === "contexts") return { contexts: event.contexts };
  if (event.type === "delta") return { text: event.text };
  if (event.type === "suggestions") return { suggestions: event.suggestions };
  return verdictToWire(event);
}
