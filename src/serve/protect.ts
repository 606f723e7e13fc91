import { randomUUID, timingSafeEqual } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import cors from "cors";
import { rateLimit, type AugmentedRequest, type Store } from "express-rate-limit";
import { z } from "zod";
import { AppError } from "../errors.js";
import type { LimitStoreFactory } from "./limit-stores.js";
import type { Session, SessionTokens } from "./session-token.js";

export interface ProtectionOptions {
  /** Origins whose pages may call the API from a browser. */
  allowedOrigins: string[];
  /** Bearer keys for non-browser clients; empty means none required. */
  apiKeys: string[];
  /** Requests per minute per client IP; 0 disables the limit. */
  rateLimitPerMinute: number;
  /**
   * The server's public origin (PUBLIC_URL). Unset, the server's own origin is the address and port
   * the connection arrived on (never the client's `Host` header), which serves local use.
   */
  publicUrl?: string;
  /** Questions one session token may ask in its lifetime; 0 disables the quota. */
  sessionQuota: number;
  /** Where the limiters count (shared by workers and replicas); default this process's memory. */
  limitStore?: LimitStoreFactory;
}

/** The header the widget sends its session token in (not `Authorization`, which is for API keys). */
export const sessionHeader = "X-Session-Token";

/** Gives every request an id (a sane incoming `X-Request-Id`, else a new one), echoed in the reply. */
export function requestId(): RequestHandler {
  return (request, response, next) => {
    const incoming = request.get("x-request-id");
    const id = incoming && /^[\w.:-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    response.locals.requestId = id;
    response.setHeader("X-Request-Id", id);
    next();
  };
}

/**
 * The origins of the server's own pages (the demo page): PUBLIC_URL's when set; else the address
 * and port this connection arrived on, as the socket says (plus `localhost` on loopback). The
 * client's `Host` header is never consulted: it is whatever the client chooses to send.
 */
export function ownOrigins(request: Request, publicUrl: string | undefined): string[] {
  if (publicUrl) return [new URL(publicUrl).origin];
  const socket = request.socket;
  const scheme = (socket as TLSSocket).encrypted ? "https" : "http";
  let address = socket.localAddress ?? "";
  if (address.startsWith("::ffff:")) address = address.slice("::ffff:".length);
  const port = socket.localPort;
  const portPart = (scheme === "http" && port === 80) || (scheme === "https" && port === 443) ? "" : `:${port}`;
  const origins = [`${scheme}://${address.includes(":") ? `[${address}]` : address}${portPart}`];
  if (address === "::1" || address.startsWith("127.")) origins.push(`${scheme}://localhost${portPart}`);
  return origins;
}

/**
 * Whether the request's page may use the API from a browser: an origin in ALLOWED_ORIGINS, the
 * server's own (PUBLIC_URL, else the connection's address), or a page the browser itself says is
 * on this server's origin (`Sec-Fetch-Site: same-origin`).
 *
 * The last is for the server's own pages behind a proxy when PUBLIC_URL is unset: the demo page at
 * `https://host` sends `Origin: https://host`, while the server, behind a TLS-terminating proxy and
 * without TRUST_PROXY, sees plain HTTP on an internal address, so nothing it knows names that origin
 * (a 403 `origin_not_allowed` for its own page). `Sec-Fetch-Site` is set by the browser from the
 * address it actually loaded, and no page's script may set it (a forbidden header), so a page on
 * another site cannot claim it. A script outside a browser can send it, but such a script can send
 * any `Origin` too: passing this check grants no more than claiming an allowed `Origin` does (a
 * session token with its quota, under the per-IP limit; API keys are still needed for the rest).
 * The trusted `Host` is never involved: the browser compared the page's origin with the URL it
 * requested. A page of another application served on the same origin (one proxy routing paths to
 * several apps) counts as the server's own, as the browser's same-origin policy counts it anyway.
 */
function isPermittedOrigin(
  request: Request,
  origin: string,
  allowed: Set<string>,
  publicUrl: string | undefined,
): boolean {
  return (
    allowed.has(origin) ||
    ownOrigins(request, publicUrl).includes(origin) ||
    request.get("sec-fetch-site") === "same-origin"
  );
}

/** CORS headers for the pages in ALLOWED_ORIGINS (and PUBLIC_URL), preflights included; none for any other origin. */
export function corsHeaders(allowedOrigins: string[], publicUrl?: string): RequestHandler {
  const corsOrigins = new Set([...allowedOrigins, ...(publicUrl ? [new URL(publicUrl).origin] : [])]);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && corsOrigins.has(origin)),
    methods: ["GET", "POST"],
    allowedHeaders: ["Content-Type", "Authorization", "X-Request-Id", sessionHeader],
    exposedHeaders: ["X-Request-Id", "Retry-After", "RateLimit", "RateLimit-Policy"],
    maxAge: 600,
  });
}

/**
 * A 403 for a request from any other site's page, so a page not on the list cannot use the API
 * even with simple requests on an open server. Passing this check grants nothing by itself:
 * `Origin` is a header any script can set, so it runs after the key and token check.
 */
export function refuseOtherOrigins(allowedOrigins: string[], publicUrl?: string): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (request, _response, next) => {
    const origin = request.get("origin");
    if (origin && !isPermittedOrigin(request, origin, allowed, publicUrl)) {
      next(
        new AppError("origin_not_allowed", `Pages on ${origin} may not use this API; add it to ALLOWED_ORIGINS`, 403),
      );
      return;
    }
    next();
  };
}

/** The reply of `POST /api/session` (for the OpenAPI document). */
export const sessionReplySchema = z.strictObject({
  token: z
    .string()
    .meta({ description: `The session token: send it as ${sessionHeader} with each question, from the same page` }),
  expiresAt: z.iso.datetime().meta({ description: "When the token stops working (ISO 8601)" }),
  expiresIn: z.number().int().meta({ description: "Its lifetime in seconds (SESSION_TTL_SECONDS)" }),
});

/**
 * `POST /api/session`: a short-lived token for a page on an allowed origin (or the server's own),
 * bound to that origin. The widget asks with it, so each visitor has a quota of their own. Any
 * script can claim an allowed `Origin` and get one too: a public widget makes a public API, and
 * the quotas (per token and per IP, this request counting against the latter) are what protect it.
 */
export function issueSession(tokens: SessionTokens, allowedOrigins: string[], publicUrl?: string): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (request, response, next) => {
    const origin = request.get("origin");
    if (!origin || !isPermittedOrigin(request, origin, allowed, publicUrl)) {
      next(
        new AppError(
          "origin_not_allowed",
          "Session tokens are for pages on the origins in ALLOWED_ORIGINS or PUBLIC_URL",
          403,
        ),
      );
      return;
    }
    const { token, session } = tokens.issue(origin);
    response.setHeader("Cache-Control", "no-store");
    const reply: z.infer<typeof sessionReplySchema> = {
      token,
      expiresAt: new Date(session.expiresAt).toISOString(),
      expiresIn: tokens.ttlSeconds,
    };
    response.json(reply);
  };
}

/**
 * Who may ask. A session token, when sent, must be valid, unexpired and used from the page it was
 * issued to (else 401, so the widget fetches a new one). Without one, and with API keys configured,
 * a request needs `Authorization: Bearer <key>`, whatever its `Origin` says. Keys are compared in
 * constant time. Without API keys the server is open, as for local use.
 */
export function authenticate(apiKeys: string[], tokens: SessionTokens): RequestHandler {
  const keys = apiKeys.map((key) => Buffer.from(key));
  return (request: Request, response: Response, next: NextFunction) => {
    const token = request.get(sessionHeader);
    if (token) {
      const verified = tokens.verify(token, request.get("origin"));
      if (verified.ok) {
        response.locals.session = verified.session;
        return next();
      }
      const message =
        verified.reason === "expired"
          ? "The session token has expired; fetch a new one from /api/session"
          : "The session token is not valid for this page";
      return next(new AppError(verified.reason === "expired" ? "session_expired" : "session_invalid", message, 401));
    }
    if (keys.length === 0) return next();
    const match = /^Bearer\s+(.+)$/i.exec(request.get("authorization") ?? "");
    const given = match ? Buffer.from(match[1]!.trim()) : null;
    if (given && keys.some((key) => key.length === given.length && timingSafeEqual(key, given))) return next();
    next(
      new AppError(
        "unauthorized",
        "Send a valid API key as Authorization: Bearer <key>, or a session token from /api/session",
        401,
      ),
    );
  };
}

/**
 * Per-client request limit over a one-minute window, keyed by IP. It runs before the key check,
 * so failed key attempts count against it like any other request.
 */
export function limitRate(perMinute: number, store?: Store): RequestHandler {
  if (perMinute <= 0) return (_request, _response, next) => next();
  return limiter({
    windowMs: 60_000,
    limit: perMinute,
    store,
    code: "rate_limited",
    message: `Too many requests: at most ${perMinute} a minute. Try again shortly.`,
  });
}

/** Per-token quota: the questions one session token may ask in its lifetime (a window as long as the token lives). */
export function limitSession(quota: number, ttlSeconds: number, store?: Store): RequestHandler {
  if (quota <= 0) return (_request, _response, next) => next();
  return limiter({
    windowMs: ttlSeconds * 1000,
    limit: quota,
    store,
    // Questions only: listing models, feedback votes and requests refused as invalid leave a reader's questions.
    skip: (request, response) => !response.locals.session || !asksQuestion(request),
    skipFailedRequests: true,
    keyGenerator: (_request, response) => (response.locals.session as Session).id,
    code: "session_quota_exceeded",
    message: `This chat session has asked its ${quota} questions. Try again in a few minutes.`,
  });
}

/** A request that asks the interview something: what a session's quota counts. */
function asksQuestion(request: Request): boolean {
  return request.method === "POST" && (request.path === "/api/chat" || request.path === "/v1/chat/completions");
}

function limiter({
  windowMs,
  limit,
  store,
  skip,
  skipFailedRequests,
  keyGenerator,
  code,
  message,
}: {
  windowMs: number;
  limit: number;
  store?: Store;
  skip?: (request: Request, response: Response) => boolean;
  /** Requests answered with an error (a 400, a 5xx) are not counted. */
  skipFailedRequests?: boolean;
  keyGenerator?: (request: Request, response: Response) => string;
  code: string;
  message: string;
}): RequestHandler {
  const handler = rateLimit({
    windowMs,
    limit,
    ...(store ? { store: failingAs503(store) } : {}),
    ...(skip ? { skip } : {}),
    ...(skipFailedRequests ? { skipFailedRequests } : {}),
    ...(keyGenerator ? { keyGenerator } : {}),
    standardHeaders: "draft-8",
    legacyHeaders: false,
    // Each limiter is its own store (a named prefix), and the token limiter keys by token, not IP.
    validate: { keyGeneratorIpFallback: false },
    handler: (request, response, next) => {
      // The seconds until this client's window resets, not the whole window: a client limited late
      // in its window may ask again sooner. At least 1, so a client never retries at once.
      const resetTime = (request as AugmentedRequest).rateLimit?.resetTime;
      const seconds = resetTime ? Math.ceil((resetTime.getTime() - Date.now()) / 1000) : Math.ceil(windowMs / 1000);
      response.setHeader("Retry-After", Math.max(1, seconds));
      next(new AppError(code, message, 429));
    },
  });
  return handler;
}

/**
 * A shared store that cannot be reached is a 503 the client may retry, not a 500. Redis down no
 * longer gets here (its store counts in the process meanwhile, src/serve/limit-stores.ts); a cluster
 * worker's store still does when the primary does not answer its count within 10 s.
 */
function failingAs503(store: Store): Store {
  const increment = store.increment.bind(store);
  store.increment = async (key: string) => {
    try {
      return await increment(key);
    } catch (error) {
      throw new AppError(
        "rate_limit_unavailable",
        "The rate limiter's store cannot be reached; try again shortly",
        503,
        { cause: error },
      );
    }
  };
  return store;
}
