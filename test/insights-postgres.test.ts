import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Insights } from "../src/insights/insights.js";
import { PostgresInsightsStore } from "../src/insights/postgres-store.js";
import { SqliteInsightsStore } from "../src/insights/sqlite-store.js";
import type { InsightsStore, TurnRecord } from "../src/insights/store.js";
import { finishedTurn } from "./support/finished-turn.js";
import { silentLogger } from "./support/http.js";
import { waitFor } from "./support/wait-for.js";
import { findPostgresBin, startPostgres, type PostgresServer } from "./support/postgres-server.js";

// Issue 29: the insights store on PostgreSQL (DATABASE_URL), behind the interface SQLite serves,
// against a real server from Debian's `postgresql`, started here in a temporary folder.

const bin = findPostgresBin();
if (!bin)
  console.warn("SKIPPED test/insights-postgres.test.ts: PostgreSQL is not installed (apt-get install -y postgresql)");

let server: PostgresServer | undefined;
let databases = 0;
const folder = mkdtempSync(path.join(tmpdir(), "insights-pg-"));

beforeAll(async () => {
  if (bin) server = await startPostgres(bin);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** A new, empty database on the test's server, so each test starts from nothing. */
async function newDatabase(): Promise<string> {
  const name = `insights_${(databases += 1)}`;
  const admin = new pg.Client({ connectionString: server!.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return server!.url.replace(/\/postgres$/, `/${name}`);
}

const day = 86_400_000;
const now = Date.UTC(2026, 11, 6, 12);

function turn(id: string, overrides: Partial<TurnRecord>): TurnRecord {
  return {
    id,
    time: now - 1000,
    question: "What about trade?",
    standalone: null,
    kind: "answer",
    grounded: true,
    mode: "extractive",
    degraded: false,
    chunkIds: ["q2"],
    sections: ["What about trade?"],
    latencyMs: 10,
    client: "c1",
    answer: null,
    ...overrides,
  };
}

/** The same history written into any store: kinds, days, repeats, ties, a NUL, votes changed and votes before their turn. */
async function writeHistory(store: InsightsStore): Promise<void> {
  await store.insertTurns([
    turn("a1", { latencyMs: 5 }),
    turn("a2", { question: "what about TRADE", latencyMs: 7, sections: ["What about trade?", "Ports?", "Ports?"] }),
    turn("a3", { question: "Which ports?", sections: ["Ports?"], time: now - 2 * day, latencyMs: 30 }),
    turn("n1", { question: "Who won the cup?", kind: "no_answer", grounded: false, sections: [], latencyMs: 3 }),
    turn("n2", { question: "who won the cup", kind: "no_answer", grounded: false, sections: [], time: now - day }),
    turn("n3", { question: "Any\u0000 budget?", kind: "no_answer", grounded: false, sections: [], latencyMs: 2 }),
    turn("s1", { question: "hi", kind: "smalltalk", grounded: false, sections: [], latencyMs: 1 }),
    turn("old", { question: "Ancient?", time: now - 40 * day }),
  ]);
  // A retried batch writes nothing twice.
  await store.insertTurns([turn("a1", { question: "changed?" })]);
  await store.upsertVotes([
    { id: "a1", client: "c1", rating: "up", comment: null, time: now - 500 },
    { id: "a1", client: "c1", rating: "down", comment: "Wrong year", time: now - 400 }, // the same reader changes their mind
    { id: "a2", client: "c2", rating: "down", comment: null, time: now - 300 },
    { id: "a3", client: "c2", rating: "up", comment: null, time: now - 200 },
    { id: "later", client: "c3", rating: "down", comment: "early vote", time: now - 100 }, // its turn is not written yet
  ]);
}

describe.skipIf(!bin)("the insights store on PostgreSQL", () => {
  it("reports exactly what the SQLite store reports for the same history", async () => {
    const sqlite = new SqliteInsightsStore(path.join(folder, "same.sqlite"));
    const postgres = await PostgresInsightsStore.open(await newDatabase());
    try {
      for (const store of [sqlite, postgres]) await writeHistory(store);
      for (const days of [1, 7, 60]) expect(await postgres.report(days, now)).toEqual(await sqlite.report(days, now));
      const report = await postgres.report(7, now);
      expect(report.byKind).toEqual({ answer: 3, no_answer: 3, smalltalk: 1 });
      expect(report.feedback).toEqual({ up: 1, down: 2 }); // the early vote waits for its turn
      // Once a turn, not once a citation; ties by name.
      expect(report.topSections).toEqual([
        { section: "Ports?", count: 2 },
        { section: "What about trade?", count: 2 },
      ]);
      // PostgreSQL's text holds no NUL: the question is kept without it, the rest as in SQLite.
      const withoutNul = (await sqlite.evalCandidates(now - 7 * day)).map((row) => ({
        ...row,
        question: row.question.replace("\u0000", ""),
      }));
      expect(await postgres.evalCandidates(now - 7 * day)).toEqual(withoutNul);
      expect(withoutNul.map((row) => row.question)).toContain("Any budget?");
      // The early vote counts once its turn arrives (from another replica's queue).
      for (const store of [sqlite, postgres]) await store.insertTurns([turn("later", { question: "Later?" })]);
      expect((await postgres.report(7, now)).feedback).toEqual({ up: 1, down: 3 });
      expect(await postgres.report(7, now)).toEqual(await sqlite.report(7, now));
      expect(await postgres.deleteBefore(now - 30 * day)).toBe(1);
      expect(await sqlite.deleteBefore(now - 30 * day)).toBe(1);
      expect(await postgres.hasTurn("old")).toBe(false);
      expect(await postgres.hasTurn("a1")).toBe(true);
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });

  it("is migrated once when replicas start together, and they share one salt", async () => {
    const url = await newDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresInsightsStore.open(url)));
    try {
      expect(await Promise.all(stores.map((store) => store.schemaVersion()))).toEqual([1, 1, 1, 1]);
      expect(new Set(await Promise.all(stores.map((store) => store.salt()))).size).toBe(1);
      const again = await PostgresInsightsStore.open(url);
      expect(await again.salt()).toBe(await stores[0]!.salt());
      await again.close();
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it(
    "while PostgreSQL is down, keeps the turns queued and says so; writes them when it is back",
    { timeout: 60_000 },
    async () => {
      const insights = Insights.open(
        { databaseUrl: await newDatabase() },
        { logger: silentLogger, flushMs: 5, maxRetryMs: 100 },
      );
      try {
        await insights.flush();
        expect(insights.health()).toMatchObject({ store: "postgres", status: "ok" });
        insights.record(finishedTurn("before"));
        await insights.flush();
        await server!.kill();
        for (let i = 0; i < 5; i += 1) insights.record(finishedTurn(`during-${i}`));
        const started = performance.now();
        await insights.flush();
        expect(performance.now() - started).toBeLessThan(10_000); // each attempt ends within the pool's timeouts
        expect(insights.health()).toMatchObject({ status: "down", queued: 5, dropped: 0 });
        expect(() => insights.vote({ id: "before", clientAddress: "x", rating: "up" })).toThrow(/not being recorded/);
        await server!.restart();
        await insights.flush();
        expect(insights.health()).toMatchObject({ status: "ok", queued: 0, dropped: 0 });
        expect((await insights.report(1)).total).toBe(6);
      } finally {
        await insights.close();
      }
    },
  );

  it(
    "tells, with no traffic at all, that PostgreSQL stopped answering and that it is back",
    { timeout: 60_000 },
    async () => {
      const insights = Insights.open(
        { databaseUrl: await newDatabase() },
        { logger: silentLogger, flushMs: 5, maxRetryMs: 100, probeMs: 50 },
      );
      try {
        await insights.flush();
        expect(insights.health().status).toBe("ok");
        await server!.kill();
        await waitFor(() => insights.health().status === "down", "the idle probe to notice", { timeoutMs: 20_000 });
        await server!.restart();
        await waitFor(() => insights.health().status === "ok", "the idle probe to see it back", { timeoutMs: 20_000 });
      } finally {
        await insights.close();
      }
    },
  );

  it("is refused with a clear error when the database cannot be reached at all", async () => {
    await expect(
      PostgresInsightsStore.open("postgresql://nobody@127.0.0.1:1/none", { connectMs: 500 }),
    ).rejects.toThrow(/ECONNREFUSED|connect/);
  });
});
