import { randomUUID, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import cors from "cors";
import { rateLimit, type AugmentedRequest } from "express-rate-limit";
import { AppError } from "../errors.js";

export interface ProtectionOptions {
  /** Origins whose pages may call the API from a browser. */
  allowedOrigins: string[];
  /** Bearer keys for non-browser clients; empty means none required. */
  apiKeys: string[];
  /** Requests per minute per client; 0 disables the limit. */
  rateLimitPerMinute: number;
}

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

function isSameOrigin(request: Request, origin: string): boolean {
  return origin === `${request.protocol}://${request.get("host")}`;
}

/**
 * Browser access: CORS headers for allowed origins only, and a 403 for a request from any other
 * site's page, so a page not on the list cannot use the API even with simple requests.
 */
export function browserAccess(allowedOrigins: string[]): RequestHandler[] {
  const allowed = new Set(allowedOrigins);
  return [
    cors({
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
      methods: ["GET", "POST"],
      allowedHeaders: ["Content-Type", "Authorization", "X-Request-Id"],
      exposedHeaders: ["X-Request-Id", "Retry-After", "RateLimit", "RateLimit-Policy"],
      maxAge: 600,
    }),
    (request, _response, next) => {
      const origin = request.get("origin");
      if (origin && !allowed.has(origin) && !isSameOrigin(request, origin)) {
        next(new AppError("origin_not_allowed", `Pages on ${origin} may not use this API; add it to ALLOWED_ORIGINS`, 403));
        return;
      }
      next();
    },
  ];
}

/**
 * With API keys configured, a request needs `Authorization: Bearer <key>` unless it comes from a
 * page the server allows (the widget cannot hold a secret). Keys are compared in constant time.
 */
export function requireApiKey(apiKeys: string[], allowedOrigins: string[]): RequestHandler {
  const keys = apiKeys.map((key) => Buffer.from(key));
  const allowed = new Set(allowedOrigins);
  return (request: Request, _response: Response, next: NextFunction) => {
    if (keys.length === 0) return next();
    const origin = request.get("origin");
    if (origin && (allowed.has(origin) || isSameOrigin(request, origin))) return next();
    const match = /^Bearer\s+(.+)$/i.exec(request.get("authorization") ?? "");
    const given = match ? Buffer.from(match[1]!.trim()) : null;
    if (given && keys.some((key) => key.length === given.length && timingSafeEqual(key, given))) return next();
    next(new AppError("unauthorized", "Send a valid API key as Authorization: Bearer <key>", 401));
  };
}

/** Per-client request limit over a one-minute window; over it, a 429 with `Retry-After`. */
export function limitRate(perMinute: number): RequestHandler {
  if (perMinute <= 0) return (_request, _response, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    handler: (request, response, _next, options) => {
      // The seconds until this client's window resets, not the whole window: a client limited late
      // in its window may ask again sooner. At least 1, so a client never retries at once.
      const resetTime = (request as AugmentedRequest).rateLimit?.resetTime;
      const seconds = resetTime ? Math.ceil((resetTime.getTime() - Date.now()) / 1000) : Math.ceil(options.windowMs / 1000);
      response.setHeader("Retry-After", Math.max(1, seconds));
      response.status(429).json({ error: { code: "rate_limited", message: `Too many requests: at most ${perMinute} a minute. Try again shortly.` } });
    },
  });
}
