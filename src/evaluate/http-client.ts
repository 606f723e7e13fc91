import { chatResponseSchema, type ChatRequest, type ChatRequestBody, type ChatResponse } from "../contract/index.js";
import { AppError } from "../errors.js";
import type { AskQuestion } from "./ask-question.js";

/** The server cannot be reached at all: the run stops, since every other question would fail the same way. */
export class ServerUnreachableError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("server_unreachable", message, 502, options);
  }
}

/** One question's request failed (an error status, a timeout, a reply outside the contract); the run goes on. */
export class ChatRequestError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("chat_request_failed", message, 502, options);
  }
}

/** The bad `--url` itself. */
export class ServerUrlError extends AppError {
  constructor(message: string) {
    super("invalid_url", message, 400);
  }
}

export interface HttpAskOptions {
  fetch?: typeof globalThis.fetch;
  /** Sent as `Authorization: Bearer …`, for a server that requires an API key. */
  apiKey?: string;
  /** Per request. Default 60 s. */
  timeoutMs?: number;
  /** How often a 429 is waited out (for its Retry-After, at most 60 s) before the question fails. Default 5. */
  maxRateLimitRetries?: number;
  /** Told before each wait for a rate limit, in seconds. */
  onRateLimited?: (seconds: number) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Asks a running server: `POST {baseUrl}/api/chat` with `{message, history, stream: false}`, checks
 * the reply follows the HTTP contract, waits out 429s, and times the request that answered.
 * @throws ServerUrlError for a URL that is not http(s).
 * The returned function throws ServerUnreachableError when nothing answers at the address, and
 * ChatRequestError for an error status, a timeout or a reply outside the contract.
 */
export function askOverHttp(baseUrl: string, options: HttpAskOptions = {}): AskQuestion {
  const endpoint = chatEndpoint(baseUrl);
  const {
    fetch = globalThis.fetch,
    apiKey,
    timeoutMs = 60_000,
    maxRateLimitRetries = 5,
    onRateLimited = () => {},
    sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    now = () => performance.now(),
  } = options;

  return async (request: ChatRequest) => {
    const payload: ChatRequestBody = {
      message: request.message,
      history: request.history ?? [],
      stream: false,
      ...(request.sources ? { sources: request.sources } : {}),
    };
    const body = JSON.stringify(payload);
    for (let attempt = 0; ; attempt++) {
      const started = now();
      let reply: Response;
      try {
        reply = await fetch(endpoint, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json",
            ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        if ((error as Error).name === "TimeoutError")
          throw new ChatRequestError(`no reply from ${endpoint} within ${timeoutMs / 1000} s`, { cause: error });
        throw new ServerUnreachableError(`Cannot reach ${endpoint}: ${networkReason(error)}`, { cause: error });
      }
      if (reply.status === 429 && attempt < maxRateLimitRetries) {
        await reply.body?.cancel();
        const seconds = Math.min(60, Math.max(1, Number(reply.headers.get("retry-after")) || 1));
        onRateLimited(seconds);
        await sleep(seconds * 1000);
        continue;
      }
      let text: string;
      try {
        text = await reply.text();
      } catch (error) {
        throw new ChatRequestError(`the reply from ${endpoint} broke off: ${networkReason(error)}`, { cause: error });
      }
      const latencyMs = now() - started;
      if (!reply.ok) throw new ChatRequestError(`${endpoint} answered ${reply.status}${describeErrorBody(text)}`);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new ChatRequestError(`${endpoint} answered ${reply.status} with a body that is not JSON`);
      }
      const parsed = chatResponseSchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ChatRequestError(
          `${endpoint} answered outside the HTTP contract: ${issue.path.join(".") || "body"}: ${issue.message}`,
        );
      }
      return { response: parsed.data satisfies ChatResponse, latencyMs };
    }
  };
}

function chatEndpoint(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ServerUrlError(
      `--url must be an http(s) address such as http://127.0.0.1:3000, got ${JSON.stringify(baseUrl)}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ServerUrlError(
      `--url must be an http(s) address such as http://127.0.0.1:3000, got ${JSON.stringify(baseUrl)}`,
    );
  }
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return new URL("api/chat", url).href;
}

const reasons: Record<string, string> = {
  ECONNREFUSED: "connection refused (is the server running?)",
  ENOTFOUND: "no such host",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
};

/** undici hides the reason in `cause` ("fetch failed" → ECONNREFUSED, ENOTFOUND, …). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return reasons[cause.code] ?? cause.code;
  return cause?.message ?? (error as Error).message;
}

function describeErrorBody(text: string): string {
  try {
    const { error } = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (error && typeof error.code === "string") return ` ${error.code}: ${String(error.message)}`;
  } catch {
    // Not the contract's error body: the status alone says it.
  }
  return "";
}
