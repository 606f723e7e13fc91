import express, { type ErrorRequestHandler, type Request, type Response } from "express";
import cors from "cors";
import helmet from "helmet";
import type { Logger } from "pino";
import type { Answerer } from "../answer/types.js";
import type { SourceDetail } from "../contract/index.js";
import { isUtf8 } from "node:buffer";
import { AppError, BadRequestError } from "../errors.js";
import { chatRoute } from "./chat-route.js";
import { compressReplies } from "./compress.js";
import { describeError } from "./describe-error.js";
import { openApiDocument } from "./openapi.js";
import { completionsRoute, modelsRoute } from "./openai-route.js";
import { createHash, randomBytes } from "node:crypto";
import {
  authenticate,
  corsHeaders,
  issueSession,
  refuseOtherOrigins,
  limitRate,
  limitSession,
  requestId,
  type ProtectionOptions,
} from "./protect.js";
import { SessionTokens } from "./session-token.js";
import { sourcesRoutes } from "./sources-route.js";
import { coreChecks, readinessRoute, type ReadinessChecks } from "./readiness.js";
import type { Insights } from "../insights/insights.js";
import { feedbackRoute, insightsRoute } from "./insights-routes.js";

export interface AppDependencies {
  answerer: Answerer;
  /** The files of data/ a request's `sources` may name; any name is taken when absent. */
  sources?: readonly string[];
  /** The archive served at `GET /api/sources` (each interview with its readable text); none when absent. */
  catalogue?: readonly SourceDetail[];
  logger: Logger;
  /** Whether the index is loaded; `/healthz` answers 503 until it is. Default: always ready. */
  isReady?: () => boolean;
  protection?: Partial<ProtectionOptions>;
  /** Signs and checks the widget's session tokens. Default: a key of this process's own, tokens living 10 minutes. */
  sessions?: SessionTokens;
  /** Heartbeat comment interval on event streams. Default 15 s. */
  heartbeatMs?: number;
  /** Express "trust proxy", so rate limits see clients behind a reverse proxy. */
  trustProxy?: string | number | boolean;
  /** The widget, its demo page and docs (`widgetRoutes`); none when absent. */
  widget?: express.Router;
  /** The record of turns and feedback; without it replies still get ids, and nothing is kept. */
  insights?: Insights;
  /** Bearer keys for `GET /api/insights`; none means nobody may read it. */
  adminKeys?: string[];
  /** More checks for `GET /readyz` beside the index, the model and the insights store (Redis). */
  readiness?: ReadinessChecks;
}

/** Builds the HTTP app without listening, so tests run it for real on port 0. */
export function createApp({
  answerer,
  sources,
  catalogue,
  logger,
  isReady = () => true,
  protection = {},
  sessions,
  heartbeatMs = 15_000,
  trustProxy = false,
  widget,
  insights,
  adminKeys = [],
  readiness = {},
}: AppDependencies): express.Express {
  const {
    allowedOrigins = [],
    apiKeys = [],
    rateLimitPerMinute = 60,
    publicUrl,
    sessionQuota = 30,
    limitStore = () => undefined,
  } = protection;
  const tokens = sessions ?? new SessionTokens({ secret: randomBytes(32), ttlSeconds: 600 });
  const app = express();
  app.disable("x-powered-by");
  // Answers are per question and per reader: never cached, so no ETag on a JSON body; the demo page
  // keeps its weak one, and the widget's files theirs (sendFile adds them while ETags are enabled).
  app.set("etag", (body: Buffer | string, encoding?: BufferEncoding) => {
    const bytes = typeof body === "string" ? Buffer.from(body, encoding) : body;
    if (bytes[0] === 0x7b || bytes[0] === 0x5b) return undefined;
    return `W/"${bytes.length.toString(16)}-${createHash("sha1").update(bytes).digest("base64").slice(0, 27)}"`;
  });
  app.set("trust proxy", trustProxy);
  app.use(requestId());
  app.use(logRequests(logger));
  // helmet's CSP would also tell browsers to upgrade every request to HTTPS, which breaks the demo
  // page and the widget on a plain-HTTP server reached by a name other than localhost (a LAN
  // address, a staging box); TLS is for the proxy in front to enforce (HSTS is kept).
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(compressReplies()); // gzip/brotli, never for event streams (src/serve/compress.ts)

  app.get("/healthz", (_request, response) => {
    if (isReady()) response.json({ status: "ok" });
    else response.status(503).json({ error: { code: "not_ready", message: "The index is still loading" } });
  });
  app.get("/readyz", readinessRoute({ ...coreChecks({ isReady, answerer, insights }), ...readiness }));
  app.get("/openapi.json", (_request, response) => {
    response.json(openApiDocument());
  });

  // Before the API router: its keys are API_KEYS and session tokens, and this takes only ADMIN_KEYS.
  // Under its own per-IP limit, so guessing admin keys costs what guessing API keys does.
  app.get("/api/insights", limitRate(rateLimitPerMinute, limitStore("insights")), insightsRoute(insights, adminKeys));
  // The catalogue is the published interviews: readable by any page (CORS *) under the per-IP limit, like the widget's script.
  if (catalogue)
    app.use(
      "/api/sources",
      limitRate(rateLimitPerMinute, limitStore("sources")),
      cors({ methods: ["GET"] }),
      sourcesRoutes(catalogue),
    );
  // Before the API router, whose keys, limits and origin checks apply to all it sees. Its routes are
  // all GET: a question (POST) skips its layers rather than being matched against each of them.
  if (widget)
    app.use((request, response, next) =>
      request.method === "GET" || request.method === "HEAD" ? widget(request, response, next) : next(),
    );
  const api = express.Router();
  api.use(corsHeaders(allowedOrigins, publicUrl));
  api.use((_request: Request, response: Response, next: () => void) => {
    response.setHeader("Cache-Control", "no-store");
    next();
  });
  // The per-IP limit before the key check, so failed key attempts count against it; then who may
  // ask (a key or a session token, never an Origin alone); then which pages; then the token's own
  // quota. Tokens are fetched under the IP limit.
  api.use(limitRate(rateLimitPerMinute, limitStore("ip")));
  api.use(requireJson);
  api.post("/api/session", issueSession(tokens, allowedOrigins, publicUrl));
  api.use(authenticate(apiKeys, tokens));
  api.use(refuseOtherOrigins(allowedOrigins, publicUrl));
  api.use(limitSession(sessionQuota, tokens.ttlSeconds, limitStore("session")));
  api.use(express.json({ limit: "32kb", strict: true, verify: rejectInvalidUtf8 }));
  api.post("/api/chat", chatRoute(answerer, heartbeatMs, insights, sources));
  api.post("/v1/chat/completions", completionsRoute(answerer, heartbeatMs, insights, sources));
  api.post("/api/feedback", feedbackRoute(insights));
  api.get("/v1/models", modelsRoute());
  // Only the API's own paths go through its limits, keys and origin checks: an unknown path is a
  // 404 for everyone, not a 401 or 403 that tells a prober it hit something guarded.
  const apiPaths = new Set(
    (api.stack as Array<{ route?: { path?: unknown } }>).flatMap((layer) =>
      typeof layer.route?.path === "string" ? [layer.route.path] : [],
    ),
  );
  app.use((request, response, next) => (apiPaths.has(request.path) ? api(request, response, next) : next()));

  app.use((_request, response) => {
    response.status(404).json({ error: { code: "not_found", message: "No such route" } });
  });
  app.use(errorHandler(logger));
  return app;
}

function requireJson(request: Request, _response: Response, next: (error?: unknown) => void): void {
  if (request.method === "POST" && !request.is("application/json")) {
    next(new AppError("unsupported_media_type", "Send the request as Content-Type: application/json", 415));
    return;
  }
  next();
}

// body-parser would decode invalid UTF-8 to U+FFFD and carry on; a garbled question is the client's mistake.
function rejectInvalidUtf8(_request: unknown, _response: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw new BadRequestError("The request body is not valid UTF-8", "invalid_utf8");
}

/** One structured line per request: id, method, path, status, duration. Never headers or bodies. */
function logRequests(logger: Logger) {
  return (request: Request, response: Response, next: () => void) => {
    const started = process.hrtime.bigint();
    const child = logger.child({ requestId: response.locals.requestId });
    response.locals.logger = child;
    response.on("close", () => {
      child.info(
        {
          method: request.method,
          path: request.path,
          status: response.statusCode,
          ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
          ...(response.writableFinished ? {} : { aborted: true }),
        },
        "request",
      );
    });
    next();
  };
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _request, response, _next) => {
    const { status, body, headers } = describeError(error);
    const log = (response.locals.logger as Logger | undefined) ?? logger;
    if (status >= 500) {
      if (error instanceof AppError) log.warn({ code: body.code, err: error }, "request failed");
      else log.error({ err: error }, "unhandled error");
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    if (headers) response.set(headers);
    response.status(status).json({ error: body });
  };
}
