import type { ChatEvent, WireFeedback, WireTurn } from "./contract.js";
import { createSseParser } from "./sse.js";

/** Why a question got no answer; `code` is the server's (`rate_limited`, …) or `network` / `incomplete`. */
export class ChatError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The HTTP status, or 0 when the server could not be reached. */
    readonly status: number,
    /** Seconds to wait before asking again, from `Retry-After`. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ChatError";
  }
}

export interface TransportOptions {
  /** The server's origin (or any base URL); the widget posts to `${api}/api/chat`. */
  api: string;
  /** Default: the global `fetch`. Tests pass a fake. */
  fetch?: typeof fetch;
  /** Default: `Date.now`. Tests pass a clock. */
  now?: () => number;
}

/** The header the server reads the session token from (src/serve/protect.ts). */
const sessionHeader = "X-Session-Token";

export interface ChatTransport {
  /**
   * Asks one question and yields the answer's events as they arrive.
   * @throws ChatError for HTTP errors, `error` events, an unreachable server or a cut stream;
   *   when `signal` aborts, the fetch's AbortError.
   */
  stream(
    question: { message: string; history: WireTurn[]; sources?: string[] },
    signal?: AbortSignal,
  ): AsyncGenerator<ChatEvent>;
  /**
   * Sends a reader's thumbs on a reply (`POST /api/feedback`), with the same session token as questions.
   * Optional: a transport without it shows no thumbs. @throws ChatError as `stream` does.
   */
  feedback?(vote: WireFeedback): Promise<void>;
  /**
   * Whether this page may ask at all: `refused` when the server is up but its CORS answer leaves
   * this origin out (not in ALLOWED_ORIGINS) or it refuses the page a session token (403
   * `origin_not_allowed`), `unreachable` when nothing answers. Optional.
   */
  check?(): Promise<"ok" | "refused" | "unreachable">;
}

/**
 * The widget's only channel to the server: `POST /api/chat` with `"stream": true`, read as SSE.
 * Each question carries a short-lived session token from `POST /api/session` (the page's own
 * quota, and its way in when the server requires API keys). The token is fetched before the
 * first question, renewed shortly before it expires, and fetched anew once when the server says
 * it has expired, is not valid or has asked all its questions (`session_quota_exceeded`), the
 * question then asked again with it; a server without `/api/session` is asked without one.
 */
export function createTransport({
  api,
  fetch: fetchImpl = globalThis.fetch.bind(globalThis),
  now = Date.now,
}: TransportOptions): ChatTransport {
  const base = api.replace(/\/+$/, "");
  const post = poster(fetchImpl);
  const sessions = sessionTokens(base, post, now);

  const ask = async (question: object, signal?: AbortSignal): Promise<NonNullable<Response["body"]>> => {
    for (let attempt = 0; ; attempt++) {
      // Stopping the question stops its wait for the token, not the token request others may share.
      const current = await abortable(sessions.token(), signal);
      const response = await post(
        `${base}/api/chat`,
        question,
        { accept: "text/event-stream", ...(current ? { [sessionHeader]: current } : {}) },
        signal,
      );
      if (response.ok && response.body) return response.body;
      const failure = await httpError(response);
      // A token the server no longer takes (expired early by a clock, signed with a rotated key) or whose
      // questions are used up (SESSION_QUOTA): a new one, once. The per-IP limit (`rate_limited`) is not renewed away.
      if (current && attempt === 0 && /^session_(expired|invalid|quota_exceeded)$/.test(failure.code)) {
        sessions.drop(current);
        continue;
      }
      throw failure;
    }
  };

  return {
    check: () => checkAccess(base, fetchImpl, sessions.token),
    async feedback(vote) {
      const current = await sessions.token();
      const response = await post(`${base}/api/feedback`, vote, {
        accept: "application/json",
        ...(current ? { [sessionHeader]: current } : {}),
      });
      if (!response.ok) throw await httpError(response);
    },
    async *stream({ message, history, sources }, signal) {
      const body = await ask({ message, history, ...(sources ? { sources } : {}), stream: true }, signal);
      yield* readAnswer(body, signal);
    },
  };
}

type Post = (target: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal) => Promise<Response>;

/** A JSON POST whose failure to reach the server is a `network` ChatError, unless the caller stopped it. */
function poster(fetchImpl: typeof fetch): Post {
  return async (target, body, headers, signal) => {
    try {
      return await fetchImpl(target, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
        signal,
        credentials: "omit",
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ChatError("network", "The server could not be reached", 0);
    }
  };
}

function sessionTokens(base: string, post: Post, now: () => number) {
  let session: { token: string; renewAt: number } | null = null;
  let pending: Promise<string | null> | null = null;
  let sessionless = false;

  const fetchToken = async (): Promise<string | null> => {
    const response = await post(`${base}/api/session`, {}, { accept: "application/json" });
    if (response.status === 404) {
      sessionless = true;
      return null;
    }
    if (!response.ok) throw await httpError(response);
    const body = parseJson(await response.text()) as { token?: unknown; expiresIn?: unknown } | null;
    if (!body || typeof body.token !== "string")
      throw new ChatError("bad_session", "The server sent no session token", response.status);
    const lifetimeMs = (typeof body.expiresIn === "number" && body.expiresIn > 0 ? body.expiresIn : 60) * 1000;
    // Renewed a little before it expires (a minute, or a tenth of a short lifetime), so a question never leaves with a token about to lapse.
    session = { token: body.token, renewAt: now() + lifetimeMs - Math.min(60_000, lifetimeMs / 10) };
    return body.token;
  };

  return {
    /** The token to send, or null for a server without sessions. */
    async token(): Promise<string | null> {
      if (sessionless) return null;
      if (session && now() < session.renewAt) return session.token;
      // Questions asked together share one token request, which is not tied to any one question's
      // signal: a question stopped (or replaced by the next) must not fail the others waiting on it.
      pending ??= fetchToken().finally(() => (pending = null));
      return pending;
    },
    /** The server refused `token`: the next question fetches a new one (unless another already has). */
    drop(token: string): void {
      if (session?.token === token) session = null;
    },
  };
}

/** Whether this page may ask at all (`ChatTransport.check`). */
async function checkAccess(
  base: string,
  fetchImpl: typeof fetch,
  token: () => Promise<string | null>,
): Promise<"ok" | "refused" | "unreachable"> {
  try {
    // The session token the first question needs anyway: fetching it is the CORS check.
    await token();
    return "ok";
  } catch (error) {
    // The server answered, and refuses this page a token: no question from it can work.
    if (error instanceof ChatError && error.code === "origin_not_allowed") return "refused";
    if (!(error instanceof ChatError) || error.code !== "network") return "ok";
  }
  try {
    // A script cannot tell a refused CORS request from a server that is down; an opaque
    // request, which CORS does not govern, can: it succeeds if anything answers. To the
    // widget's own file, which (unlike the API) any site may load (Cross-Origin-Resource-Policy).
    await fetchImpl(`${base}/widget.js`, { method: "HEAD", mode: "no-cors", credentials: "omit" });
    return "refused";
  } catch {
    return "unreachable";
  }
}

/**
 * An answer's event stream, as events; it throws the `error` event the server sent instead of
 * finishing, or `incomplete` when the stream ends before `done`.
 */
async function* readAnswer(body: NonNullable<Response["body"]>, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
  const events = new AnswerEvents();
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let ended = false;
  try {
    // Read to the end even after `done` (the server closes right after it), so the request completes rather than aborts.
    while (!events.failure) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new ChatError("network", "The connection was lost", 0);
      }
      if (chunk.done) {
        ended = true;
        break;
      }
      events.feed(chunk.value);
      yield* events.queue.splice(0);
    }
    yield* events.queue.splice(0);
    if (events.failure) throw events.failure;
    if (!events.done) throw new ChatError("incomplete", "The answer was cut off", 0);
  } finally {
    if (!ended) reader.cancel().catch(() => {});
  }
}

/** The SSE messages of one answer, parsed into the events the widget shows; nothing counts after `done` or an `error`. */
class AnswerEvents {
  readonly queue: ChatEvent[] = [];
  failure: ChatError | null = null;
  done = false;
  private readonly parser = createSseParser(({ event, data }) => this.take(event, data));

  feed(text: string): void {
    this.parser.feed(text);
  }

  private take(event: string, data: string): void {
    if (this.done || this.failure) return;
    const payload = parseJson(data) as Record<string, unknown> | null;
    if (event === "error") {
      const body = (payload ?? {}) as { code?: string; message?: string; status?: number };
      this.failure = new ChatError(
        body.code ?? "server_error",
        body.message ?? "The answer failed",
        body.status ?? 500,
      );
    } else if (event === "done") {
      this.done = true;
      this.queue.push({ type: "done", ...(typeof payload?.id === "string" ? { id: payload.id } : {}) });
    } else if (
      payload &&
      (event === "contexts" || event === "delta" || event === "citations" || event === "suggestions")
    ) {
      this.queue.push({ ...payload, type: event } as ChatEvent);
    }
  }
}

/** `promise`, or the signal's AbortError as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason ?? new DOMException("The question was stopped", "AbortError"));
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

async function httpError(response: Response): Promise<ChatError> {
  const body = parseJson(await response.text().catch(() => "")) as {
    error?: { code?: string; message?: string };
  } | null;
  const retryAfter = Number(response.headers.get("retry-after"));
  return new ChatError(
    body?.error?.code ?? `http_${response.status}`,
    body?.error?.message ?? `The server answered ${response.status}`,
    response.status,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
