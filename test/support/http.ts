import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import pino from "pino";
import { createApp, type AppDependencies } from "../../src/serve/create-app.js";

export const silentLogger = pino({ level: "silent" });

/** Runs the real app on 127.0.0.1 and a free port. */
export async function startApp(dependencies: Omit<AppDependencies, "logger"> & { logger?: AppDependencies["logger"] }) {
  const app = createApp({ logger: silentLogger, ...dependencies });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Reads a whole SSE response into its events and comment lines, with a maintained SSE parser. */
export async function readEvents(response: Response): Promise<{ events: EventSourceMessage[]; comments: string[] }> {
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const parser = createParser({
    onEvent: (event) => events.push(event),
    onComment: (comment) => comments.push(comment),
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  return { events, comments };
}
