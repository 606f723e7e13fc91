import { timingSafeEqual, createHash, randomUUID } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import { z } from "zod";
import type { AnswerEvent, ChatResponse } from "../answer/types.js";
import { AppError, NotFoundError } from "../errors.js";
import type { Insights } from "../insights/insights.js";
import { validate } from "./validate.js";

export const feedbackRequestSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(100)
    .meta({ description: "The reply's id (`id` in the JSON reply, the `done` event, `/v1` responses)" }),
  rating: z.enum(["up", "down"]),
  comment: z.string().trim().max(500, "must be at most 500 characters").optional(),
});

/**
 * `POST /api/feedback`: one vote per reply and client; a second vote replaces the first. The id's
 * signature says whether this server (or a replica with the same key) gave it, so a vote that
 * arrives before its turn is written (another worker's queue, another replica) is taken, and
 * queued behind it; 404 is only for ids never given, 503 while the store is down.
 */
export function feedbackRoute(insights: Insights | undefined): RequestHandler {
  return (request: Request, response: Response) => {
    const body = validate(feedbackRequestSchema, request.body);
    if (!insights || !insights.gave(body.id)) throw new NotFoundError("No reply with that id");
    insights.vote({
      id: body.id,
      clientAddress: request.ip ?? "",
      rating: body.rating,
      comment: body.comment || undefined,
    });
    response.status(204).end();
  };
}

const daysSchema = z.strictObject({ days: z.coerce.number().int().min(1).max(3650).default(7) });

/**
 * `GET /api/insights?days=7`: only with one of ADMIN_KEYS as a bearer token. Not API_KEYS and never
 * a widget session token: a reader's questions are the site owner's to read.
 */
export function insightsRoute(insights: Insights | undefined, adminKeys: string[]): RequestHandler {
  const digests = adminKeys.map(digest);
  return async (request: Request, response: Response) => {
    const presented = /^Bearer (.+)$/i.exec(request.get("authorization") ?? "")?.[1]?.trim();
    // Compared as fixed-length digests in constant time, so timing tells nothing of a key.
    const allowed = presented !== undefined && digests.some((key) => timingSafeEqual(key, digest(presented)));
    if (!allowed) throw new AppError("unauthorized", "Send one of ADMIN_KEYS as Authorization: Bearer <key>", 401);
    const { days } = validate(daysSchema, request.query);
    if (!insights) throw new NotFoundError("Insights are switched off on this server (INSIGHTS=off)");
    response.set("Cache-Control", "no-store").json(await insights.report(days));
  };
}

function digest(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

/**
 * One reply's id and its record: the route asks for an id before answering and hands over the
 * result (or the streamed events) when done. Without insights only the id is made.
 */
export function startTurn(insights: Insights | undefined, request: Request, question: string, idPrefix = "") {
  const id = insights?.newId(idPrefix) ?? `${idPrefix}${randomUUID()}`;
  const started = process.hrtime.bigint();
  let answer = "";
  let verdict: Extract<AnswerEvent, { type: "citations" }> | undefined;
  let standalone: string | null = null;
  const finish = (result: Pick<ChatResponse, "kind" | "grounded" | "mode" | "degraded" | "citations" | "answer">) =>
    insights?.record({
      id,
      question,
      standalone,
      ...result,
      latencyMs: Number(process.hrtime.bigint() - started) / 1e6,
      clientAddress: request.ip ?? "",
    });
  return {
    id,
    finish,
    /** The answerers' `onStandalone`: the condensed or resolved question a follow-up was answered as. */
    noteStandalone(question: string) {
      standalone = question;
    },
    /** Follows a stream's events; `done()` records the turn when the stream completed. */
    see(event: AnswerEvent) {
      if (event.type === "delta") answer += event.text;
      else if (event.type === "citations") verdict = event;
    },
    done() {
      if (verdict) finish({ ...verdict, answer: answer.trimEnd() });
    },
  };
}
