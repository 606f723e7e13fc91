import { AppError, InternalError, OverloadedError, UpstreamError } from "../errors.js";

const upstreamMessages: Record<string, string> = {
  upstream_error: "The language model failed to answer; try again shortly",
  upstream_timeout: "The language model did not answer in time; try again shortly",
};

const internalMessage = "Something went wrong on our side";

export interface DescribedError {
  status: number;
  body: { code: string; message: string };
  /** Headers the reply carries with it (`Retry-After` on a 503 from a full queue). */
  headers?: Record<string, string>;
}

/**
 * Maps any error to an HTTP status and the contract's error body: the one place this happens.
 * Known errors keep their status and code; body-parser's errors are the client's (4xx);
 * anything else is a 500 that reveals nothing.
 */
export function describeError(error: unknown): DescribedError {
  // Upstream failures get a fixed message: whatever the upstream said (keys, internal hosts) stays in the log.
  if (error instanceof UpstreamError)
    return {
      status: error.status,
      body: { code: error.code, message: upstreamMessages[error.code] ?? upstreamMessages.upstream_error! },
    };
  if (error instanceof OverloadedError) {
    return {
      status: error.status,
      body: { code: error.code, message: error.message },
      headers: { "Retry-After": String(error.retryAfterSeconds) },
    };
  }
  if (error instanceof InternalError) return { status: 500, body: { code: error.code, message: internalMessage } };
  if (error instanceof AppError) return { status: error.status, body: { code: error.code, message: error.message } };
  const { type, status } = (error ?? {}) as { type?: string; status?: number };
  if (type === "entity.too.large")
    return { status: 413, body: { code: "payload_too_large", message: "The request body is larger than 32 KB" } };
  if (type === "entity.parse.failed")
    return { status: 400, body: { code: "invalid_json", message: "The request body is not valid JSON" } };
  if (type === "encoding.unsupported" || type === "charset.unsupported") {
    return {
      status: 415,
      body: { code: "unsupported_encoding", message: "The request body's encoding or charset is not supported" },
    };
  }
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { status, body: { code: "bad_request", message: "The request could not be read" } };
  }
  return { status: 500, body: { code: "internal_error", message: internalMessage } };
}
