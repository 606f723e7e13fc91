import type { ChatEvent, WireTurn } from "./contract.js";
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
}

export interface ChatTransport {
  /**
   * Asks one question and yields the answer's events as they arrive.
   * @throws ChatError for HTTP errors, `error` events, an unreachable server or a cut stream;
   *   when `signal` aborts, the fetch's AbortError.
   */
  stream(question: { message: string; history: WireTurn[] }, signal?: AbortSignal): AsyncGenerator<ChatEvent>;
}

/** The widget's only channel to the server: `POST /api/chat` with `"stream": true`, read as SSE. */
export function createTransport({ api, fetch: fetchImpl = globalThis.fetch.bind(globalThis) }: TransportOptions): ChatTransport {
  const url = `${api.replace(/\/+$/, "")}/api/chat`;
  return {
    async *stream({ message, history }, signal) {
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "text/event-stream" },
          body: JSON.stringify({ message, history, stream: true }),
          signal,
          credentials: "omit",
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new ChatError("network", "The server could not be reached", 0);
      }
      if (!response.ok || !response.body) throw await httpError(response);

      const queue: ChatEvent[] = [];
      let failure: ChatError | null = null;
      let done = false;
      const parser = createSseParser(({ event, data }) => {
        if (done || failure) return;
        const payload = parseJson(data) as Record<string, unknown> | null;
        if (event === "error") {
          const body = (payload ?? {}) as { code?: string; message?: string; status?: number };
          failure = new ChatError(body.code ?? "server_error", body.message ?? "The answer failed", body.status ?? 500);
        } else if (event === "done") {
          done = true;
          queue.push({ type: "done" });
        } else if (payload && (event === "contexts" || event === "delta" || event === "citations" || event === "suggestions")) {
          queue.push({ ...payload, type: event } as ChatEvent);
        }
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let ended = false;
      try {
        // Read to the end even after `done` (the server closes right after it), so the request completes rather than aborts.
        while (!failure) {
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
          parser.feed(chunk.value);
          yield* queue.splice(0);
        }
        yield* queue.splice(0);
        if (failure) throw failure;
        if (!done) throw new ChatError("incomplete", "The answer was cut off", 0);
      } finally {
        if (!ended) reader.cancel().catch(() => {});
      }
    },
  };
}

async function httpError(response: Response): Promise<ChatError> {
  const body = parseJson(await response.text().catch(() => "")) as { error?: { code?: string; message?: string } } | null;
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
