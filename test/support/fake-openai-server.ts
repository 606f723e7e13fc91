import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackServer } from "./loopback-server.js";

/** What the fake does with the next request to an endpoint; the default answers normally. */
export type Fault =
  | "500"
  | "429"
  | "hang"
  | "reset"
  | "reset-mid-stream"
  | "malformed-sse"
  | "empty"
  /** Streams: headers and the role chunk, then nothing, never ending. */
  | "stall-after-headers"
  /** Streams: a piece every 20 ms, forever, never a finish_reason. */
  | "drip"
  /** A 401 whose body quotes the request's key, as OpenAI's "Incorrect API key provided" does. */
  | "401-secret"
  /** Streams: two pieces, then an SSE error chunk quoting the request's Authorization and an internal host. */
  | "error-secret-mid-stream"
  /** A 307 to `redirectTo`. */
  | "redirect";

export interface ChatScript {
  /** Reply text; a function sees the request's messages. */
  reply: string | ((messages: Array<{ role: string; content: string }>) => string);
  /** Delay before the first byte, in ms. */
  delayMs?: number;
}

export interface RecordedRequest {
  path: string;
  body: Record<string, unknown>;
  authorization?: string;
}

/**
 * An OpenAI-compatible server for tests, on 127.0.0.1 and a free port: `/v1/embeddings` (hashed,
 * repeatable vectors) and `/v1/chat/completions` (scripted replies, streamed or not), with faults
 * on demand. Records every request; `aborted` counts requests whose client went away.
 */
export class FakeOpenAiServer extends LoopbackServer {
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  chat: ChatScript = { reply: "Scripted reply [1]." };
  /** The prompt tokens it reports; the completion tokens are the reply's pieces (words). */
  promptTokens = 1;
  /** Stop a streamed reply after `max_tokens` pieces, as a model stops (off: a run-away reply ignores it). */
  honorMaxTokens = false;
  dimensions = 16;
  aborted = 0;
  /** Where the "redirect" fault points. */
  redirectTo = "http://127.0.0.1:9/v1/chat/completions";

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of request) raw += chunk;
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    this.requests.push({ path: request.url ?? "", body, authorization: request.headers.authorization });
    // On the response, not the keep-alive socket, which would gather one listener per request.
    response.on("close", () => {
      if (!response.writableFinished) this.aborted++;
    });
    const fault = this.faults.shift();
    if (fault === "500") return json(response, 500, { error: { message: "boom", type: "server_error" } });
    if (fault === "429")
      return json(response, 429, { error: { message: "slow down", type: "rate_limit" } }, { "retry-after": "0" });
    if (fault === "hang") return;
    if (fault === "401-secret") {
      const key = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1] ?? "";
      return json(response, 401, {
        error: {
          message: `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          type: "invalid_request_error",
          code: "invalid_api_key",
        },
      });
    }
    if (fault === "redirect") {
      response.writeHead(307, { location: this.redirectTo });
      response.end();
      return;
    }
    if (fault === "reset") {
      request.socket.destroy();
      return;
    }
    if (request.url?.endsWith("/embeddings")) return this.embeddings(body, response);
    if (request.url?.endsWith("/chat/completions")) return this.completions(request, body, response, fault);
    json(response, 404, { error: { message: "unknown route" } });
  }

  private embeddings(body: Record<string, unknown>, response: ServerResponse): void {
    const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
    // Reversed on purpose: clients must order by `index`, not by position.
    const data = input
      .map((text, index) => ({ object: "embedding", index, embedding: hashVector(text, this.dimensions) }))
      .reverse();
    json(response, 200, { object: "list", data, model: body.model, usage: { prompt_tokens: 1, total_tokens: 1 } });
  }

  private async completions(
    request: IncomingMessage,
    body: Record<string, unknown>,
    response: ServerResponse,
    fault: Fault | undefined,
  ): Promise<void> {
    const messages = body.messages as Array<{ role: string; content: string }>;
    const text =
      fault === "empty" ? "" : typeof this.chat.reply === "function" ? this.chat.reply(messages) : this.chat.reply;
    if (this.chat.delayMs) await new Promise((resolve) => setTimeout(resolve, this.chat.delayMs));
    const base = { id: "chatcmpl-fake", created: 0, model: String(body.model) };
    if (!body.stream) {
      return json(response, 200, {
        ...base,
        object: "chat.completion",
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        usage: { prompt_tokens: this.promptTokens, completion_tokens: 1, total_tokens: this.promptTokens + 1 },
      });
    }
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (payload: unknown) => response.write(`data: ${JSON.stringify(payload)}\n\n`);
    // A word is a token here.
    const words = text.match(/\S+\s*/g) ?? [];
    const cap = this.honorMaxTokens && typeof body.max_tokens === "number" ? body.max_tokens : Number.POSITIVE_INFINITY;
    const pieces = words.slice(0, cap);
    const finishReason = pieces.length < words.length ? "length" : "stop";
    send({
      ...base,
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
    });
    const piece = (content: string) =>
      send({
        ...base,
        object: "chat.completion.chunk",
        choices: [{ index: 0, delta: { content }, finish_reason: null }],
      });
    if (fault === "stall-after-headers") return; // and nothing more, until the client goes away
    if (fault === "drip") {
      // Never idle long, never finished: only a deadline on the whole answer ends it.
      const timer = setInterval(() => piece("and "), 20);
      response.on("close", () => clearInterval(timer));
      return;
    }
    if (fault === "error-secret-mid-stream") {
      piece(pieces[0] ?? "The ");
      piece(pieces[1] ?? "cargo ");
      await new Promise((resolve) => setTimeout(resolve, 50));
      const message = `mid-stream failure; upstream saw Authorization=${request.headers.authorization}; internal host llm-7.internal:8443`;
      send({ error: { message, type: "server_error" } });
      response.end();
      return;
    }
    for (const [i, piece] of pieces.entries()) {
      if (fault === "malformed-sse" && i === 1) {
        response.write("data: {this is not json\n\n");
        response.end();
        return;
      }
      if (fault === "reset-mid-stream" && i === 2) {
        // Let the first pieces reach the client before the connection drops.
        await new Promise((resolve) => setTimeout(resolve, 50));
        response.socket?.destroy();
        return;
      }
      send({
        ...base,
        object: "chat.completion.chunk",
        choices: [{ index: 0, delta: { content: piece }, finish_reason: null }],
      });
    }
    send({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: finishReason }] });
    if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) {
      const usage = {
        prompt_tokens: this.promptTokens,
        completion_tokens: pieces.length,
        total_tokens: this.promptTokens + pieces.length,
      };
      send({ ...base, object: "chat.completion.chunk", choices: [], usage });
    }
    response.end("data: [DONE]\n\n");
  }
}

function json(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(payload));
}

/** Bag-of-words hashed into `dimensions` buckets: texts sharing words get similar vectors. */
export function hashVector(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/\p{L}+|\p{N}+/gu) ?? []) {
    let hash = 2166136261;
    for (const char of word) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
    vector[(hash >>> 0) % dimensions]! += 1;
  }
  vector[0]! += 0.01;
  return vector;
}
