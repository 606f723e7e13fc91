import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchProject } from "./support/corpus.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";
import { waitFor } from "./support/wait-for.js";

// Issue 13, finding 2: with WEB_CONCURRENCY=2 each worker counted its own limit (40 requests at
// RATE_LIMIT_PER_MINUTE=10 → 20 answered). The counters now live in the cluster's primary.

let server: ServerProcess;

beforeAll(async () => {
  const project = await scratchProject();
  server = await startServerProcess({
    DATA_DIR: project.dataDir,
    INDEX_DIR: project.indexDir,
    LLM_PROVIDER: "extractive",
    WEB_CONCURRENCY: "2",
    RATE_LIMIT_PER_MINUTE: "10",
    SESSION_SECRET: "a-test-secret-of-at-least-32-characters",
  });
}, 120_000);

afterAll(() => server?.stop());

describe("the rate limit across a cluster's workers", () => {
  it("is one limit: 40 requests from one client over 2 workers, 10 answered", async () => {
    const started = Date.now();
    const statuses: number[] = [];
    const retryAfter: number[] = [];
    for (let i = 0; i < 40; i++) {
      // A new connection each time, so the cluster hands requests to both workers.
      const response = await fetch(`${server.url}/v1/models`, { headers: { connection: "close" } });
      statuses.push(response.status);
      if (response.status === 429) retryAfter.push(Number(response.headers.get("retry-after")));
      await response.arrayBuffer();
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30);
    // Both workers served: each logs its requests with its worker id.
    const workers = new Set(
      [...server.output().matchAll(/"worker":(\d+)[^\n]*"path":"\/v1\/models"/g)].map((match) => match[1]),
    );
    expect(workers.size).toBe(2);
    // Retry-After: the seconds until the window that opened with the first request resets.
    const elapsed = Math.ceil((Date.now() - started) / 1000);
    for (const seconds of retryAfter) {
      expect(seconds).toBeLessThanOrEqual(60);
      expect(seconds).toBeGreaterThanOrEqual(60 - elapsed);
    }
  });

  it("survives a worker's restart: the new worker does not start the client from zero", async () => {
    const pids = [
      ...new Set([...server.output().matchAll(/"pid":(\d+),[^\n]*"worker":\d+/g)].map((match) => Number(match[1]))),
    ];
    expect(pids).toHaveLength(2);
    process.kill(pids[0]!, "SIGKILL");
    // The primary forks a replacement a second later.
    await waitFor(() => [...server.output().matchAll(/Listening on/g)].length === 3, "the replacement worker", {
      timeoutMs: 60_000,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${server.url}/v1/models`, { headers: { connection: "close" } });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses).toEqual(Array(6).fill(429));
    expect(server.output()).not.toMatch(/ValidationError|ERR_ERL_/);
  }, 90_000);
});
