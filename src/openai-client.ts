import OpenAI from "openai";
import type { Config } from "./config.js";
import { UpstreamError } from "./errors.js";
import { scrubSecrets } from "./scrub-secrets.js";

export type OpenAiClientConfig = Pick<Config["openai"], "apiKey" | "baseURL" | "timeoutMs" | "maxRetries">;

/**
 * The one way this project talks to an OpenAI-compatible server (chat answers, embeddings, the
 * eval's judge). Each attempt is bounded by `timeoutMs`; callers with a deadline of their own pass
 * a signal and a shorter timeout per request.
 */
export function createOpenAiClient(config: OpenAiClientConfig): OpenAI {
  return new OpenAI({
    // Local OpenAI-compatible servers accept any key; the client insists on one.
    apiKey: config.apiKey ?? "not-needed",
    baseURL: config.baseURL,
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
    fetch: fetchWithoutRedirects,
    // The SDK would print what an upstream sent to the console, unscrubbed; failures reach the log
    // through toUpstreamError, scrubbed.
    logLevel: "off",
  });
}

/**
 * fetch that never follows a redirect, whatever options the SDK passes: a redirect would post the
 * prompt (and the key) wherever the upstream points. The 3xx comes back as it is, and the SDK
 * raises it as an API error with that status, which it does not retry.
 */
const fetchWithoutRedirects: typeof fetch = (input, init) => fetch(input, { ...init, redirect: "manual" });

/**
 * An upstream failure as the app reports it. Nothing the upstream said goes into the message
 * (clients get a fixed one per code anyway, see describeError); the cause keeps it for the log,
 * scrubbed of `client`'s key and anything key-shaped, since upstreams echo keys and internal
 * hosts in their errors.
 */
export function toUpstreamError(
  error: unknown,
  client: Pick<OpenAI, "apiKey">,
  what = "The language model",
): UpstreamError {
  const cause = scrubbedCause(error, [client.apiKey ?? undefined]);
  if (error instanceof UpstreamError) {
    return error.cause === undefined
      ? error
      : new UpstreamError(error.message, error.isRetryable, { cause, status: error.status });
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new UpstreamError(`${what} did not answer in time`, true, { cause, status: 504 });
  }
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const redirect = error.status >= 300 && error.status < 400;
    // A redirect is refused, not retried: the same request would be sent the same way.
    return new UpstreamError(
      `${what} answered ${error.status}${redirect ? " (a redirect, not followed)" : ""}`,
      !redirect && (error.status === 429 || error.status >= 500),
      { cause },
    );
  }
  return new UpstreamError(`${what} could not be reached`, true, { cause });
}

/** A copy of an upstream error (and its causes) for the log: name, status and scrubbed message. */
function scrubbedCause(error: unknown, secrets: ReadonlyArray<string | undefined>, depth = 0): Error | undefined {
  if (error === undefined || error === null) return undefined;
  if (!(error instanceof Error)) return new Error(scrubSecrets(String(error), secrets));
  const copy = new Error(
    scrubSecrets(error.message, secrets),
    depth < 3 ? { cause: scrubbedCause(error.cause, secrets, depth + 1) } : {},
  );
  copy.name = error.name;
  copy.stack = `${copy.name}: ${copy.message}`;
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number") Object.assign(copy, { status });
  return copy;
}
