import type { Response } from "express";

export interface EventStream {
  /** Writes one event; `data` is sent as JSON. */
  send(event: string | null, data: unknown): void;
  /** Writes raw `data:` payload (the OpenAI-compatible stream's `[DONE]`). */
  sendRaw(data: string): void;
  end(): void;
}

/**
 * Starts a Server-Sent Events reply that survives reverse proxies: no caching, no buffering
 * (`X-Accel-Buffering: no` for nginx), headers flushed at once, and a comment line every
 * `heartbeatMs` while nothing else is written, so idle proxies do not cut a slow answer.
 */
export function openEventStream(response: Response, heartbeatMs: number): EventStream {
  response.status(200);
  response.setHeader("Content-Type", "text/event-stream; charset=utf-8");
  response.setHeader("Cache-Control", "no-cache, no-transform");
  response.setHeader("X-Accel-Buffering", "no");
  response.setHeader("Connection", "keep-alive");
  response.flushHeaders();
  let lastWrite = Date.now();
  const write = (text: string) => {
    if (response.writableEnded || response.destroyed) return;
    response.write(text);
    lastWrite = Date.now();
  };
  const heartbeat = setInterval(() => {
    if (Date.now() - lastWrite >= heartbeatMs - 5) write(": heartbeat\n\n");
  }, heartbeatMs);
  heartbeat.unref();
  response.on("close", () => clearInterval(heartbeat));
  return {
    send(event, data) {
      write(`${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`);
    },
    sendRaw(data) {
      write(`data: ${data}\n\n`);
    },
    end() {
      clearInterval(heartbeat);
      if (!response.writableEnded) response.end();
    },
  };
}

/** An AbortSignal that fires when the client goes away before the reply is finished. */
export function abortOnDisconnect(response: Response): AbortSignal {
  const controller = new AbortController();
  response.on("close", () => {
    if (!response.writableFinished) controller.abort(new Error("The client disconnected"));
  });
  return controller.signal;
}
