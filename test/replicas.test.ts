import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, scratchProject } from "./support/corpus.js";
import { findPostgresBin, startPostgres, type PostgresServer } from "./support/postgres-server.js";
import { findRedisServer, startRedis, type RedisServer } from "./support/redis-server.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";

// Issue 29, "done when": two replicas of the server (separate processes) sharing PostgreSQL
// (DATABASE_URL), Redis (REDIS_URL), SESSION_SECRET and ADMIN_KEYS, as behind a load balancer.

const postgresBin = findPostgresBin();
const redisServer = findRedisServer();
const missing = [!postgresBin && "postgresql", !redisServer && "redis-server"].filter(Boolean);
if (missing.length > 0)
  console.warn(
    `SKIPPED test/replicas.test.ts: not installed: ${missing.join(", ")} (apt-get install -y ${missing.join(" ")})`,
  );

const run = promisify(execFile);
let postgres: PostgresServer | undefined;
let redis: RedisServer | undefined;
let root: string | undefined;
const replicas: ServerProcess[] = [];
let env: Record<string, string>;
/** Every question any test asked, so the totals can be checked against it. */
let asked = 0;

beforeAll(async () => {
  if (missing.length > 0) return;
  [postgres, redis] = await Promise.all([startPostgres(postgresBin!), startRedis(redisServer!)]);
  const project = await scratchProject();
  root = project.root;
  env = {
    DATA_DIR: project.dataDir,
    INDEX_DIR: project.indexDir,
    LLM_PROVIDER: "extractive",
    WEB_CONCURRENCY: "1",
    RATE_LIMIT_PER_MINUTE: "10",
    TRUST_PROXY: "1", // each test is its own reader (X-Forwarded-For)
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    SESSION_SECRET: "the-same-secret-on-every-replica-0123456789",
    ADMIN_KEYS: "site-owner-key",
    PUBLIC_URL: "https://chat.example.org",
  };
  // One after the other: the first builds the index, the second opens it.
  replicas.push(await startServerProcess(env));
  replicas.push(await startServerProcess(env));
}, 180_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await Promise.all([postgres?.stop(), redis?.stop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

function ask(replica: ServerProcess, reader: string, message = "Which Latvian ports receive Kazakh cargo?") {
  asked += 1;
  return fetch(`${replica.url}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": reader },
    body: JSON.stringify({ message }),
  });
}

const report = async (replica: ServerProcess) =>
  (await (
    await fetch(`${replica.url}/api/insights`, { headers: { authorization: "Bearer site-owner-key" } })
  ).json()) as {
    total: number;
    feedback: { up: number; down: number };
  };

/** Both replicas' reports once every turn asked so far is written (each queue flushes within a fraction of a second). */
async function settledReports() {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reports = await Promise.all(replicas.map(report));
    if (reports.every((each) => each.total === asked) || Date.now() > deadline) return reports;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(missing.length > 0)("two replicas sharing PostgreSQL and Redis", () => {
  it("take feedback on each of 6 replies at the other replica, 6 of 6 each way", async () => {
    for (const [from, to] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        const reader = `203.0.113.${10 * from + i + 1}`;
        const reply = await ask(replicas[from]!, reader, `What about the ports, question ${i}?`);
        expect(reply.status).toBe(200);
        const { id } = await reply.json();
        const vote = await fetch(`${replicas[to]!.url}/api/feedback`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": reader },
          body: JSON.stringify({ id, rating: i % 2 === 0 ? "up" : "down" }),
        });
        statuses.push(vote.status);
      }
      expect(statuses).toEqual(Array(6).fill(204));
    }
    const reports = await settledReports();
    for (const each of reports) expect(each.feedback).toEqual({ up: 6, down: 6 });
  });

  it("count every turn of both in /api/insights on either, and `npm run insights -- --json` reads the same total", async () => {
    await ask(replicas[0]!, "203.0.113.40", "hello");
    await ask(replicas[1]!, "203.0.113.41", "Who won the football cup in 1966?");
    const reports = await settledReports();
    expect(reports.map((each) => each.total)).toEqual([asked, asked]);
    const { stdout } = await run(process.execPath, ["--import", "tsx", "src/cli/insights.ts", "--json"], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, DATABASE_URL: env.DATABASE_URL },
    });
    expect(JSON.parse(stdout).total).toBe(asked);
  });

  it("answer a session token from one on the other", async () => {
    const headers = { "content-type": "application/json", "x-forwarded-for": "203.0.113.50", origin: env.PUBLIC_URL! };
    const { token } = await (
      await fetch(`${replicas[0]!.url}/api/session`, { method: "POST", headers, body: "{}" })
    ).json();
    asked += 1;
    const reply = await fetch(`${replicas[1]!.url}/api/chat`, {
      method: "POST",
      headers: { ...headers, "x-session-token": token },
      body: JSON.stringify({ message: "Which Latvian ports?" }),
    });
    expect(reply.status).toBe(200);
  });

  it("let exactly 10 of 14 questions from one reader through, spread over both (RATE_LIMIT_PER_MINUTE=10)", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i += 1) {
      const reply = await ask(replicas[i % 2]!, "203.0.113.60");
      statuses.push(reply.status);
      await reply.arrayBuffer();
    }
    asked -= statuses.filter((status) => status === 429).length; // refused questions are not turns
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(4);
  });

  it(
    "answer and stay healthy with PostgreSQL stopped, say so at /readyz, and write the turns once it is back",
    { timeout: 60_000 },
    async () => {
      await postgres!.kill();
      const timings: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const started = performance.now();
        expect((await fetch(`${replicas[i % 2]!.url}/healthz`)).status).toBe(200);
        timings.push(performance.now() - started);
        expect((await ask(replicas[i % 2]!, `203.0.113.7${i}`)).status).toBe(200);
      }
      expect(Math.max(...timings)).toBeLessThan(1_000);
      // The queue meets the stopped database at its next write and says so.
      let ready: { status: string; checks: { insights: { status: string; queued: number } } } | undefined;
      for (let attempt = 0; attempt < 50; attempt += 1) {
        ready = await (await fetch(`${replicas[0]!.url}/readyz`)).json();
        if (ready!.checks.insights.status === "down") break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ready).toMatchObject({ status: "degraded", checks: { insights: { status: "down" } } });
      expect(ready!.checks.insights.queued).toBeGreaterThanOrEqual(2); // its two questions, and any turn not yet written before
      await postgres!.restart();
      const reports = await settledReports();
      expect(reports.map((each) => each.total)).toEqual([asked, asked]);
      expect(await (await fetch(`${replicas[1]!.url}/readyz`)).json()).toMatchObject({
        status: "ready",
        checks: {
          index: { status: "ok" },
          model: { status: "ok", mode: "extractive" },
          redis: { status: "ok" },
          insights: { status: "ok", store: "postgres", queued: 0, dropped: 0 },
        },
      });
    },
  );
});
