import path from "node:path";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchProject } from "./support/corpus.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";
import { waitFor } from "./support/wait-for.js";

// Issue 26, finding 3: feedback right after a reply was 404 on two workers (17 of 20), the turn
// still in the other worker's write queue. Reply ids are now signed with the session secret, so
// the worker that gets the vote knows the id for one of theirs and queues the vote behind it.

let server: ServerProcess;
let root: string;

beforeAll(async () => {
  const project = await scratchProject();
  root = project.root;
  server = await startServerProcess({
    DATA_DIR: project.dataDir,
    INDEX_DIR: project.indexDir,
    INSIGHTS_DB: path.join(project.root, "insights.sqlite"),
    LLM_PROVIDER: "extractive",
    WEB_CONCURRENCY: "2",
    RATE_LIMIT_PER_MINUTE: "0",
    ADMIN_KEYS: "site-owner-key",
    SESSION_SECRET: "a-test-secret-of-at-least-32-characters",
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("feedback on a server of two workers", () => {
  it("takes a vote sent at once after each of 20 replies, 20 of 20, and counts them all", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      // A new connection each time, so the cluster hands the reply and the vote to either worker.
      const reply = await fetch(`${server.url}/api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", connection: "close" },
        body: JSON.stringify({ message: `Which Latvian ports receive Kazakh cargo, take ${i}?` }),
      });
      const { id } = await reply.json();
      const vote = await fetch(`${server.url}/api/feedback`, {
        method: "POST",
        headers: { "content-type": "application/json", connection: "close" },
        body: JSON.stringify({ id, rating: "down" }),
      });
      statuses.push(vote.status);
    }
    expect(statuses).toEqual(Array(20).fill(204));
    // Each worker logs its requests with its id: both served, the round-robin giving votes to the
    // worker that did not answer (replies on one, votes on the other, as a rule).
    const servedBy = (route: string) =>
      new Set(
        [...server.output().matchAll(new RegExp(`"worker":(\\d+)[^\\n]*"path":"${route}"`, "g"))].map(
          (match) => match[1],
        ),
      );
    expect(new Set([...servedBy("/api/chat"), ...servedBy("/api/feedback")]).size).toBe(2);
    let report: { total: number; feedback: { down: number } } | undefined;
    await waitFor(
      async () => {
        report = await (
          await fetch(`${server.url}/api/insights`, { headers: { authorization: "Bearer site-owner-key" } })
        ).json();
        return report!.feedback.down === 20;
      },
      "every vote in the report",
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(report).toMatchObject({ total: 20, feedback: { up: 0, down: 20 } });
  });
});
