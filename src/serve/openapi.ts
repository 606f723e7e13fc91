import { z } from "zod";
import {
  chatRequestSchema,
  chatResponseSchema,
  completionRequestSchema,
  errorSchema,
  sourceDetailSchema,
  sourceListSchema,
} from "../contract/index.js";
import { feedbackRequestSchema } from "./insights-routes.js";
import { sessionHeader, sessionReplySchema } from "./protect.js";

const json = (schema: z.ZodType, io: "input" | "output" = "output") => ({
  "application/json": { schema: z.toJSONSchema(schema, { io, unrepresentable: "any" }) },
});
/**
 * The per-IP limit's and the token quota's count could not be had. Not for Redis down: the limits
 * then count in each process (src/serve/limit-stores.ts). Still possible in a cluster without
 * Redis, where a worker asks the primary and gives up after 10 s.
 */
const rateLimitUnavailable =
  "rate_limit_unavailable: the rate limits' counter cannot be reached (in a cluster without REDIS_URL, the cluster's primary did not answer in time); retry shortly";
/** A question's other 503: this process has as many questions waiting for the encoder as it may hold. */
const questionUnavailable = {
  description: `overloaded: the server is busy (see Retry-After); or ${rateLimitUnavailable}`,
  content: json(errorSchema),
};
const errors = Object.fromEntries(
  [
    ["400", "Invalid body"],
    ["401", "Missing or wrong API key"],
    ["403", "Origin not allowed"],
    ["413", "Body over 32 KB"],
    ["415", "Not JSON"],
    ["429", "Rate limited (see Retry-After)"],
    ["502", "Upstream model failed"],
    ["503", rateLimitUnavailable],
    ["504", "Upstream model timed out"],
  ].map(([status, description]) => [status, { description, content: json(errorSchema) }]),
);

/** The OpenAPI 3.1 description, generated from the same zod schemas that validate requests. */
export function openApiDocument(): object {
  return {
    openapi: "3.1.0",
    info: {
      title: "interview-chat",
      version: "1",
      description: "Answers questions about an interview, only from the interview, with verifiable citations.",
    },
    paths: {
      "/api/chat": chatPath(),
      "/api/session": sessionPath(),
      "/v1/chat/completions": completionsPath(),
      "/api/feedback": feedbackPath(),
      "/api/insights": insightsPath(),
      "/api/sources": {
        get: {
          summary: "The archive: every interview with who, what, when and how many questions",
          responses: { "200": { description: "The interviews of data/", content: json(sourceListSchema) } },
        },
      },
      "/api/sources/{id}": sourcePath(),
      "/v1/models": {
        get: { summary: "The one model this server offers", responses: { "200": { description: "A model list" } } },
      },
      "/healthz": {
        get: {
          summary: "200 once the index is loaded",
          responses: { "200": { description: "Ready" }, "503": { description: "Loading" } },
        },
      },
      "/readyz": {
        get: {
          summary: "Each dependency's state: index, model, insights store, Redis",
          description:
            'Every check is `{"status": "ok" | "degraded" | "down" | "off", ...}`; the insights check adds its store, queued and dropped writes. The whole is `ready`, `degraded` (a store down: answers go on, turns wait in a queue, limits count in this process) or `not_ready` (the index is not loaded).',
          responses: {
            "200": { description: "Serving: ready or degraded" },
            "503": { description: "Not ready: the index is not loaded" },
          },
        },
      },
      "/openapi.json": { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } } },
    },
  };
}

function chatPath() {
  return {
    post: {
      summary: "Ask a question",
      requestBody: { required: true, content: json(chatRequestSchema, "input") },
      responses: {
        "200": {
          description:
            "The answer as JSON, or with stream=true a text/event-stream of contexts, delta, citations, done (or error) events",
          content: { ...json(chatResponseSchema), "text/event-stream": { schema: { type: "string" } } },
        },
        ...errors,
        "503": questionUnavailable,
      },
    },
  };
}

function sessionPath() {
  return {
    post: {
      summary: `A session token for a page on an allowed origin: ALLOWED_ORIGINS, PUBLIC_URL, or the server's own page (Sec-Fetch-Site: same-origin). The widget asks for one before its first question and sends it as ${sessionHeader}; it is bound to the page's Origin, lives SESSION_TTL_SECONDS and answers SESSION_QUOTA questions. Counts against the per-IP limit.`,
      parameters: [
        {
          name: "Origin",
          in: "header",
          required: true,
          schema: { type: "string" },
          description: "The page's origin, which the token is bound to",
        },
      ],
      requestBody: {
        required: false,
        content: { "application/json": { schema: { type: "object", description: "Empty: {}" } } },
      },
      responses: {
        "200": { description: "A token", content: json(sessionReplySchema) },
        "403": {
          description: "The Origin is missing or not allowed (origin_not_allowed)",
          content: json(errorSchema),
        },
        "415": { description: "Not JSON", content: json(errorSchema) },
        "429": { description: "Rate limited per IP (see Retry-After)", content: json(errorSchema) },
        "503": { description: rateLimitUnavailable, content: json(errorSchema) },
      },
    },
  };
}

function completionsPath() {
  return {
    post: {
      summary: "OpenAI-compatible chat completions (stream and non-stream); citations in an extra field",
      requestBody: { required: true, content: json(completionRequestSchema, "input") },
      responses: {
        "200": { description: "chat.completion, or chat.completion.chunk events ending in [DONE]" },
        ...errors,
        "503": questionUnavailable,
      },
    },
  };
}

function feedbackPath() {
  return {
    post: {
      summary: "Rate a reply by its id: one vote per reply and client, the last counts",
      requestBody: { required: true, content: json(feedbackRequestSchema, "input") },
      responses: {
        "204": { description: "Recorded" },
        "404": { description: "No reply with that id", content: json(errorSchema) },
        ...errors,
        "503": { description: `Insights unavailable; or ${rateLimitUnavailable}`, content: json(errorSchema) },
      },
    },
  };
}

function sourcePath() {
  return {
    get: {
      summary: "One interview and its readable text, which every citation's start and end index",
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      responses: {
        "200": { description: "The interview", content: json(sourceDetailSchema) },
        "404": { description: "No such interview", content: json(errorSchema) },
      },
    },
  };
}

function insightsPath() {
  return {
    get: {
      summary: "What readers asked over the last `days` (default 7): only with one of ADMIN_KEYS as a bearer token",
      parameters: [
        {
          name: "days",
          in: "query",
          required: false,
          schema: { type: "integer", minimum: 1, maximum: 3650, default: 7 },
        },
      ],
      responses: {
        "200": {
          description:
            "Totals by kind and day, answer rate, latency percentiles, top and unanswered questions, thumbs-down answers, most cited sections",
        },
        "401": { description: "No admin key", content: json(errorSchema) },
      },
    },
  };
}
