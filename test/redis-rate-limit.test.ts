import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchProject } from "./support/corpus.js";
import { findRedisServer, startRedis, type RedisServer } from "./support/redis-server.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";
import { waitFor } from "./support/wait-for.js";

// Issue 13, finding 2, across machines: two server processes (two replicas) with REDIS_URL count
// one limit in a real redis-server from Debian, started here on 127.0.0.1 and a free port.

const redisServer = findRedisServer();
if (!redisServer)
  console.warn(
    "SKIPPED test/redis-rate-limit.test.ts: redis-server is not installed (apt-get install -y redis-server)",
  );

let redis: RedisServer | undefined;
const replicas: ServerProcess[] = [];
let replicaEnv: Record<string, string>;

beforeAll(async () => {
  if (!redisServer) return;
  redis = await startRedis(redisServer);
  const project = await scratchProject();
  const env = (replicaEnv = {
    DATA_DIR: project.dataDir,
    INDEX_DIR: project.indexDir,
    LLM_PROVIDER: "extractive",
    WEB_CONCURRENCY: "1",
    RATE_LIMIT_PER_MINUTE: "10",
    SESSION_QUOTA: "3",
    TRUST_PROXY: "1", // each test is its own client (X-Forwarded-For)
    REDIS_URL: redis.url,
    SESSION_SECRET: "the-same-secret-on-every-replica-0123456789",
    PUBLIC_URL: "https://chat.example.org", // replicas behind one proxy share their public origin
  });
  // One after the other: the first builds the index, the second opens it.
  replicas.push(await startServerProcess(env));
  replicas.push(await startServerProcess(env));
}, 180_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await redis?.stop();
});

describe.skipIf(!redisServer)("the rate limit across replicas, through Redis", () => {
  it("is one limit: 20 requests from one client alternating between 2 server processes, 10 answered", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${replicas[i % 2]!.url}/v1/models`, {
        headers: { "x-forwarded-for": "203.0.113.1" },
      });
      statuses.push(response.status);
      if (response.status === 429) {
        const seconds = Number(response.headers.get("retry-after"));
        expect(seconds).toBeGreaterThan(50);
        expect(seconds).toBeLessThanOrEqual(60);
      }
      await response.arrayBuffer();
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual(Array(10).fill(429));
  });

  it("counts a session token's quota on every replica: a token from one works on the other, 3 questions in all", async () => {
    const headers = (extra: Record<string, string> = {}) => ({
      "content-type": "application/json",
      "x-forwarded-for": "203.0.113.2",
      origin: "https://chat.example.org",
      ...extra,
    });
    // Both replicas sign with SESSION_SECRET, so either accepts a token the other issued.
    const { token } = await (
      await fetch(`${replicas[0]!.url}/api/session`, { method: "POST", headers: headers(), body: "{}" })
    ).json();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${replicas[i % 2]!.url}/api/chat`, {
        method: "POST",
        headers: headers({ "x-session-token": token }),
        body: JSON.stringify({ message: "Which Latvian ports?" }),
      });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it(
    "closes its Redis connection on SIGTERM with QUIT, after its last request, and exits 0",
    { timeout: 120_000 },
    async () => {
      const replica = await startServerProcess(replicaEnv);
      const observer = new Redis(replicaEnv.REDIS_URL!, { maxRetriesPerRequest: 1 });
      try {
        const name = `interview-chat:${replica.child.pid}`;
        const clientNames = async () =>
          [...((await observer.call("CLIENT", "LIST")) as string).matchAll(/ name=(\S*)/g)].map((match) => match[1]);
        expect(
          (await fetch(`${replica.url}/v1/models`, { headers: { "x-forwarded-for": "203.0.113.4" } })).status,
        ).toBe(200);
        expect(await clientNames()).toContain(name);
        const exited = new Promise<number | null>((resolve) => replica.child.once("exit", (code) => resolve(code)));
        replica.child.kill("SIGTERM");
        expect(await exited).toBe(0);
        // Logged only once Redis acknowledged the QUIT; a dropped socket would say otherwise.
        expect(replica.output()).toContain("Redis connection closed (QUIT)");
        expect(replica.output()).not.toContain("did not acknowledge QUIT");
        expect(await clientNames()).not.toContain(name);
      } finally {
        observer.disconnect();
        await replica.stop();
      }
    },
  );

  it("counts in the process, without a 5xx or a wait, while Redis cannot be reached", async () => {
    await redis!.stop();
    const started = Date.now();
    const response = await fetch(`${replicas[0]!.url}/v1/models`, { headers: { "x-forwarded-for": "203.0.113.3" } });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_500);
    await waitFor(
      () => /cannot be reached; rate limits count in this process/.test(replicas[0]!.output()),
      "the warning",
    );
  });
});
