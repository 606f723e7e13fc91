import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { projectRoot } from "./questions.js";

/**
 * The server for the load runs (bench/load-run.ts, bench/insights-load.ts), started as `npm start`
 * starts it (Node with tsx's loader, src/main.ts), on a free port, with a bare environment plus
 * `env`. Unlike bench/server-process.ts, which keeps a tail, it keeps every line the server prints
 * on stdout and stderr: the load runs search every log line for secrets.
 */
export interface LoadServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** Every line printed so far, stdout and stderr. */
  lines(): string[];
  /** SIGTERM (a graceful shutdown: in-flight requests finish, insights are flushed), then waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startLoadServer(
  env: Record<string, string>,
  { workers, timeoutMs = 240_000 }: { workers: number; timeoutMs?: number },
): Promise<LoadServer> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      PORT: "0",
      LOG_LEVEL: "info",
      WEB_CONCURRENCY: String(workers),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const partial = { stdout: "", stderr: "" };
  const collect = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
    const text = partial[stream] + chunk.toString();
    const end = text.lastIndexOf("\n") + 1;
    partial[stream] = text.slice(end);
    if (end > 0) lines.push(...text.slice(0, end - 1).split("\n"));
  };
  child.stdout!.on("data", collect("stdout"));
  child.stderr!.on("data", collect("stderr"));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let exited = false;
  void exit.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  // In a cluster every worker listens on the port the primary chose for port 0: one line each.
  let ports: string[];
  while (
    (ports = lines.flatMap((line) => /Listening on http:\/\/localhost:(\d+)/.exec(line)?.slice(1) ?? [])).length <
    workers
  ) {
    if (exited) throw new Error(`The server exited before it listened:\n${lines.slice(-20).join("\n")}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The server did not listen within ${timeoutMs / 1000} s:\n${lines.slice(-20).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const port = Number(ports[0]);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    lines: () => [...lines, ...[partial.stdout, partial.stderr].filter(Boolean)],
    stop: async () => {
      if (!exited) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const result = await exit;
      clearTimeout(timer);
      return result;
    },
  };
}

export interface Reply {
  status: number;
  /** The error code of a JSON error body, or of an SSE `error` event. */
  code?: string;
  /** Parsed JSON body, when it was JSON. */
  json?: Record<string, unknown>;
  /** The answer's kind: `kind` of the JSON reply or of the SSE `citations` event. */
  kind?: string;
  /** SSE: the events' names in order, and the `done` event's data. */
  events?: string[];
  done?: Record<string, unknown>;
  /** The status an SSE `error` event carried (the HTTP status was already 200). */
  streamErrorStatus?: number;
  /** Set when no reply came: a connection error or timeout. */
  failure?: string;
  sentAt: number;
  ms: number;
}

/**
 * One request on a connection of its own (no keep-alive), so the cluster hands successive requests
 * of one client to both workers; `localAddress` picks the client's address on the loopback
 * (127.0.0.2, 127.0.0.3, …), so each class of client has an IP of its own for the per-IP limit.
 */
export function request(
  url: string,
  {
    method = "POST",
    path,
    headers = {},
    body,
    localAddress,
    timeoutMs = 60_000,
  }: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: unknown;
    localAddress?: string;
    timeoutMs?: number;
  },
): Promise<Reply> {
  const target = new URL(path, url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const sentAt = Date.now();
  const started = performance.now();
  return new Promise((resolve) => {
    const outgoing = http.request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path: `${target.pathname}${target.search}`,
        agent: false,
        localAddress,
        timeout: timeoutMs,
        headers: {
          ...(payload
            ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) }
            : {}),
          ...headers,
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("error", (error) =>
          resolve({
            status: incoming.statusCode ?? 0,
            failure: error.message,
            sentAt,
            ms: performance.now() - started,
          }),
        );
        incoming.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const reply: Reply = { status: incoming.statusCode ?? 0, sentAt, ms: performance.now() - started };
          if ((incoming.headers["content-type"] ?? "").startsWith("text/event-stream")) {
            reply.events = [];
            for (const block of text.split("\n\n")) {
              const name = /^event: (.+)$/m.exec(block)?.[1];
              const data = /^data: (.*)$/m.exec(block)?.[1];
              if (!name) continue;
              reply.events.push(name);
              if (name === "done" && data) reply.done = JSON.parse(data) as Record<string, unknown>;
              if (name === "citations" && data) reply.kind = (JSON.parse(data) as { kind?: string }).kind;
              if (name === "error" && data) {
                const error = JSON.parse(data) as { code?: string; status?: number };
                reply.code = error.code;
                reply.streamErrorStatus = error.status ?? 500;
              }
            }
          } else {
            try {
              reply.json = JSON.parse(text) as Record<string, unknown>;
              reply.code = (reply.json.error as { code?: string } | undefined)?.code;
              if (typeof reply.json.kind === "string") reply.kind = reply.json.kind;
            } catch {
              // Not JSON: the status says what happened.
            }
          }
          resolve(reply);
        });
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no reply within ${timeoutMs} ms`)));
    outgoing.on("error", (error) =>
      resolve({ status: 0, failure: error.message, sentAt, ms: performance.now() - started }),
    );
    outgoing.end(payload);
  });
}

/** A reply that is a server fault: a 5xx status, or an SSE `error` event with a 5xx status. */
export function isServerError(reply: Reply): boolean {
  return reply.status >= 500 || (reply.streamErrorStatus ?? 0) >= 500;
}
