import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  replayAnswer,
  type AnswerEvent,
  type Answerer,
  type ChatRequest,
  type ChatResponse,
} from "../src/answer/types.js";
import { Insights } from "../src/insights/insights.js";
import { normalizeQuestion } from "../src/insights/store.js";
import { SqliteInsightsStore } from "../src/insights/sqlite-store.js";
import { loadConfig } from "../src/config.js";
import { finishedTurn } from "./support/finished-turn.js";
import { postJson, readEvents, silentLogger, startApp } from "./support/http.js";

/** Answers by the question: "hi" is small talk, anything with "unknown" goes unanswered, the rest cite a section. */
class KindAnswerer implements Answerer {
  readonly mode = "extractive" as const;
  async answer({ message }: ChatRequest): Promise<ChatResponse> {
    const kind = /^hi\b/i.test(message) ? "smalltalk" : /unknown/i.test(message) ? "no_answer" : "answer";
    const citations =
      kind === "answer"
        ? [
            {
              n: 1,
              source: "interview.txt",
              chunkId: "q2",
              section: "What about trade?",
              quote: "Trade grew.",
              start: 0,
              end: 11,
            },
            {
              n: 2,
              source: "interview.txt",
              chunkId: "q2-2",
              section: "What about trade?",
              quote: "It grew more.",
              start: 12,
              end: 25,
            },
          ]
        : [];
    return {
      kind,
      answer:
        kind === "answer"
          ? `Secret answer text about ${message} [1][2]`
          : "The interview does not answer that question.",
      claims: [],
      citations,
      contexts: [],
      grounded: kind === "answer",
      mode: "extractive",
      suggestions: [],
    };
  }
  stream(request: ChatRequest): AsyncIterable<AnswerEvent> {
    return (async function* (answerer: KindAnswerer) {
      yield* replayAnswer(await answerer.answer(request));
    })(this);
  }
}

const answerer = new KindAnswerer();
const folders: string[] = [];
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempFile(): string {
  const folder = mkdtempSync(path.join(tmpdir(), "insights-"));
  folders.push(folder);
  return path.join(folder, "insights.sqlite");
}

function openInsights(file = tempFile(), options: Partial<Parameters<typeof Insights.open>[1]> = {}) {
  const insights = Insights.open({ file }, { logger: silentLogger, flushMs: 5, ...options });
  closers.push(() => insights.close());
  return insights;
}

async function serve(
  options: { insights?: Insights; rateLimitPerMinute?: number; apiKeys?: string[]; adminKeys?: string[] } = {},
) {
  const app = await startApp({
    answerer,
    insights: options.insights,
    adminKeys: options.adminKeys ?? ["admin-key-123"],
    protection: {
      rateLimitPerMinute: options.rateLimitPerMinute ?? 10_000,
      apiKeys: options.apiKeys,
      allowedOrigins: ["https://allowed.example"],
    },
  });
  closers.push(() => app.close());
  return app;
}

const ask = (url: string, message: string, headers: Record<string, string> = {}) =>
  postJson(`${url}/api/chat`, { message }, headers);
const adminGet = (url: string, query = "", key = "admin-key-123") =>
  fetch(`${url}/api/insights${query}`, { headers: { authorization: `Bearer ${key}` } });
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** With insights, a reply id carries its signature: any worker or replica sharing the key knows it for one of theirs. */
const signedId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[\w-]{22}$/;

describe("response ids", () => {
  it("come with every reply, JSON, SSE and /v1, and differ from reply to reply, without insights", async () => {
    const app = await serve();
    const first = await (await ask(app.url, "Trade?")).json();
    const second = await (await ask(app.url, "Trade?")).json();
    expect(first.id).toMatch(uuid);
    expect(second.id).toMatch(uuid);
    expect(first.id).not.toBe(second.id);

    const { events } = await readEvents(await postJson(`${app.url}/api/chat`, { message: "Trade?", stream: true }));
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    expect(JSON.parse(done.data)).toEqual({ id: expect.stringMatching(uuid) });

    const completion = await (
      await postJson(`${app.url}/v1/chat/completions`, { messages: [{ role: "user", content: "Trade?" }] })
    ).json();
    expect(completion.id).toMatch(/^chatcmpl-/);
  });
});

describe("the record of turns", () => {
  it("keeps all of 200 concurrent questions, with kind, verdict, cited chunks and latency, and no address or key", async () => {
    const file = tempFile();
    const insights = openInsights(file);
    const app = await serve({ insights, apiKeys: ["api-key-456"] });
    const auth = { authorization: "Bearer api-key-456" };
    const messages = Array.from({ length: 200 }, (_, i) =>
      i % 4 === 0 ? "hi there" : i % 4 === 1 ? `unknown thing ${i % 3}` : "What about TRADE?",
    );
    const replies = await Promise.all(
      messages.map((message) => ask(app.url, message, auth).then((response) => response.json())),
    );
    expect(new Set(replies.map((reply) => reply.id)).size).toBe(200);
    expect(replies[0].id).toMatch(signedId);
    await insights.flush();

    const db = new Database(file, { readonly: true });
    try {
      expect((db.prepare("SELECT count(*) AS n FROM turns").get() as { n: number }).n).toBe(200);
      const row = db.prepare("SELECT * FROM turns WHERE id = ?").get(replies[2].id) as Record<string, unknown>;
      expect(row).toMatchObject({
        question: "What about TRADE?",
        kind: "answer",
        grounded: 1,
        mode: "extractive",
        degraded: 0,
        chunk_ids: '["q2","q2-2"]',
        answer: null,
      });
      expect(row.latency_ms).toBeGreaterThan(0);
      expect(row.client).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      db.close();
    }

    const report = await (await adminGet(app.url, "?days=7")).json();
    expect(report.total).toBe(200);
    expect(report.byKind).toEqual({ answer: 100, no_answer: 50, smalltalk: 50 });
    expect(report.answerRate).toBeCloseTo(100 / 150);
    expect(report.byDay).toHaveLength(1);
    expect(report.topQuestions[0]).toEqual({ question: "what about trade", count: 100 });
    expect(report.unanswered.map((entry: { question: string; count: number }) => entry.count).sort()).toEqual([
      16, 17, 17,
    ]);
    expect(report.topSections).toEqual([{ section: "What about trade?", count: 100 }]); // once a turn, not once a citation
    expect(report.latencyMs.p50).toBeGreaterThan(0);

    await insights.close();
    const bytes = readFileSync(file).toString("latin1") + readWal(file);
    for (const secret of ["127.0.0.1", "api-key-456", "admin-key-123", "Secret answer text"])
      expect(bytes).not.toContain(secret);
  });

  it("keeps answers only with storeAnswers, from streams too", async () => {
    const file = tempFile();
    const insights = openInsights(file, { storeAnswers: true });
    const app = await serve({ insights });
    const { events } = await readEvents(await postJson(`${app.url}/api/chat`, { message: "Trade?", stream: true }));
    const { id } = JSON.parse(events.at(-1)!.data);
    await insights.flush();
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT answer, kind FROM turns WHERE id = ?").get(id)).toEqual({
      answer: "Secret answer text about Trade? [1][2]",
      kind: "answer",
    });
    db.close();
  });

  it("records /v1 completions under the completion's id", async () => {
    const insights = openInsights();
    const app = await serve({ insights });
    const completion = await (
      await postJson(`${app.url}/v1/chat/completions`, { messages: [{ role: "user", content: "Trade?" }] })
    ).json();
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(await insights.hasTurn(completion.id)).toBe(true);
  });

  it("deletes turns past the retention period at start, and keeps the rest", async () => {
    const file = tempFile();
    const day = 86_400_000;
    const now = Date.UTC(2026, 10, 30);
    const old = Insights.open({ file }, { logger: silentLogger, now: () => now - 40 * day });
    old.record(finishedTurn("old", { question: "Old?", clientAddress: "10.0.0.1" }));
    await old.close();
    const recent = Insights.open({ file }, { logger: silentLogger, now: () => now - 2 * day });
    recent.record(finishedTurn("recent", { question: "Recent?", clientAddress: "10.0.0.1" }));
    await recent.close();
    const today = openInsights(file, { now: () => now, retentionDays: 30 });
    await today.flush();
    expect(await today.prune()).toBe(0); // done at start already
    expect(await today.hasTurn("old")).toBe(false);
    expect(await today.hasTurn("recent")).toBe(true);
  });

  it("drops turns past a full queue instead of holding them", async () => {
    const insights = openInsights(tempFile(), { maxQueue: 3, flushMs: 60_000 });
    for (let i = 0; i < 5; i += 1) insights.record(finishedTurn(`t${i}`));
    expect(insights.dropped).toBe(2);
    expect((await insights.report(1)).total).toBe(3);
  });

  it("migrates a new file to the latest schema version once, and reopens it keeping its rows and salt", async () => {
    const file = tempFile();
    const store = new SqliteInsightsStore(file);
    expect(store.schemaVersion).toBe(2);
    const salt = await store.salt();
    await store.insertTurns([
      {
        id: "a",
        time: Date.now(),
        question: "Q?",
        standalone: null,
        kind: "answer",
        grounded: true,
        mode: "llm",
        degraded: false,
        chunkIds: [],
        sections: [],
        latencyMs: 1,
        client: "c",
        answer: null,
      },
    ]);
    await store.close();
    const again = new SqliteInsightsStore(file);
    expect(again.schemaVersion).toBe(2);
    expect(await again.salt()).toBe(salt);
    expect(await again.hasTurn("a")).toBe(true);
    await again.close();
  });

  it("normalises questions for counting", () => {
    expect(normalizeQuestion("  What about  Imports?! ")).toBe("what about imports");
  });
});

describe("a database that cannot be used", () => {
  it("a corrupt file is reported and the server keeps answering; feedback and insights say 503", async () => {
    const file = tempFile();
    writeFileSync(file, "this is not a database ".repeat(500));
    const logged: string[] = [];
    const logger = silentLogger.child({});
    logger.error = ((_object: unknown, message: string) => logged.push(message)) as unknown as typeof logger.error;
    const insights = Insights.open({ file }, { logger });
    closers.push(() => insights.close());
    await insights.flush();
    expect(insights.available).toBe(false);
    expect(insights.health()).toMatchObject({ store: "sqlite", status: "down" });
    expect(logged.join()).toMatch(/Insights store unavailable/);
    const app = await serve({ insights });
    const reply = await ask(app.url, "Trade?");
    expect(reply.status).toBe(200);
    const { id } = await reply.json();
    expect(id).toMatch(signedId);
    expect((await postJson(`${app.url}/api/feedback`, { id, rating: "up" })).status).toBe(503);
    expect((await adminGet(app.url)).status).toBe(503);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200); // answers still work: degraded, not out of service
    expect(await ready.json()).toMatchObject({
      status: "degraded",
      checks: { index: { status: "ok" }, insights: { status: "down", store: "sqlite" } },
    });
  });

  it("a file another process holds locked at start: answers go on, and the turns are written once it frees", async () => {
    const file = tempFile();
    await new SqliteInsightsStore(file).close();
    // Another process mid-way through a long write: nobody else may write until it commits.
    const holder = new Database(file);
    holder.exec("BEGIN EXCLUSIVE");
    const insights = openInsights(file, { maxRetryMs: 20 });
    const app = await serve({ insights });
    try {
      await insights.flush();
      expect(insights.available).toBe(false);
      const reply = await ask(app.url, "Trade?");
      expect(reply.status).toBe(200);
      expect((await reply.json()).kind).toBe("answer");
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    await insights.flush();
    expect(insights.available).toBe(true);
    expect((await insights.report(1)).total).toBe(1);
  });

  it("a lock taken while serving holds no reply and no health check, and loses no turn", async () => {
    const file = tempFile();
    const insights = openInsights(file, { maxRetryMs: 50 });
    const app = await serve({ insights });
    await insights.flush();
    expect(insights.available).toBe(true);
    const holder = new Database(file);
    holder.exec("BEGIN EXCLUSIVE");
    const slowest: number[] = [];
    try {
      for (let i = 0; i < 6; i += 1) {
        const started = performance.now();
        expect((await ask(app.url, `What about trade, part ${i}?`)).status).toBe(200);
        expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
        slowest.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 100)); // the queue's writes meet the lock meanwhile
      }
      expect(insights.health()).toMatchObject({ status: "down", queued: 6 });
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    // A question and a health check together took tens of milliseconds, never the busy timeout's 5 s of old.
    expect(Math.max(...slowest)).toBeLessThan(1_000);
    await insights.flush();
    expect(insights.health()).toMatchObject({ status: "ok", queued: 0, dropped: 0 });
    expect((await insights.report(1)).total).toBe(6);
  });

  it("a batch the store refuses for good is logged and dropped; one it cannot take now is kept and written later", async () => {
    const insights = openInsights();
    insights.record(finishedTurn("first"));
    await insights.flush();
    const store = (insights as unknown as { store: SqliteInsightsStore }).store;
    const original = store.insertTurns.bind(store);
    store.insertTurns = async () => {
      throw new Error("CHECK constraint failed");
    };
    insights.record(finishedTurn("refused"));
    await insights.flush();
    expect(insights.dropped).toBe(1);
    store.insertTurns = async () => {
      throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    };
    insights.record(finishedTurn("kept"));
    await insights.flush();
    expect(insights.health()).toMatchObject({ status: "down", queued: 1, dropped: 1 });
    store.insertTurns = original;
    await insights.flush();
    expect(await insights.hasTurn("refused")).toBe(false);
    expect(await insights.hasTurn("kept")).toBe(true);
    expect(insights.health()).toMatchObject({ status: "ok", queued: 0, dropped: 1 });
  });
});

describe("feedback across workers", () => {
  it("a vote that comes while the store is still opening waits in the queue, and is written once it opens", async () => {
    const insights = Insights.open({ file: tempFile() }, { logger: silentLogger, flushMs: 5 });
    closers.push(() => insights.close());
    expect(insights.health().status).toBe("connecting");
    insights.record(finishedTurn("early"));
    expect(() => insights.vote({ id: "early", clientAddress: "x", rating: "up" })).not.toThrow();
    await insights.flush();
    expect((await insights.report(1)).feedback).toEqual({ up: 1, down: 0 });
  });

  it("a vote reaching another worker before the reply's turn is written is taken, and counted once the turn is", async () => {
    const file = tempFile();
    const secret = Buffer.from("one key for every worker and replica of this server");
    // Two workers on one file: the first holds its turns for a minute, as a busy queue might.
    const first = openInsights(file, { idSecret: secret, flushMs: 60_000 });
    const second = openInsights(file, { idSecret: secret });
    const one = await serve({ insights: first });
    const two = await serve({ insights: second });
    await second.flush();
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) ids.push((await (await ask(one.url, `Trade ${i}?`)).json()).id);
    const statuses = await Promise.all(
      ids.map(async (id) => (await postJson(`${two.url}/api/feedback`, { id, rating: "down" })).status),
    );
    expect(statuses).toEqual(Array(20).fill(204));
    // An id nobody gave, or one signed with another key, is still unknown.
    const stranger = openInsights(tempFile(), { idSecret: Buffer.from("another server's key, not this one's") });
    expect((await postJson(`${two.url}/api/feedback`, { id: stranger.newId(), rating: "up" })).status).toBe(404);
    // A given id with its last character changed (to one it is not) is a forgery.
    const given = ids[0]!;
    const forged = given.slice(0, -1) + (given.endsWith("x") ? "y" : "x");
    expect((await postJson(`${two.url}/api/feedback`, { id: forged, rating: "up" })).status).toBe(404);
    await first.flush();
    const report = await (await adminGet(two.url)).json();
    expect(report.feedback).toEqual({ up: 0, down: 20 });
    expect(report.thumbsDown).toHaveLength(20);
  });
});

describe("POST /api/feedback", () => {
  it("takes a vote on a known reply, one per client (the last counts), with a comment of at most 500 characters", async () => {
    const insights = openInsights(tempFile(), { storeAnswers: true });
    const app = await serve({ insights });
    const { id } = await (await ask(app.url, "Trade?")).json();
    const vote = (body: unknown) => postJson(`${app.url}/api/feedback`, body);
    expect((await vote({ id: "no-such-reply", rating: "up" })).status).toBe(404);
    expect((await vote({ id, rating: "sideways" })).status).toBe(400);
    expect((await vote({ id, rating: "down", comment: "x".repeat(501) })).status).toBe(400);
    expect((await vote({ id, rating: "up" })).status).toBe(204);
    expect((await vote({ id, rating: "down", comment: "Missed the 2021 figure" })).status).toBe(204);
    const report = await (await adminGet(app.url)).json();
    expect(report.feedback).toEqual({ up: 0, down: 1 });
    expect(report.thumbsDown).toEqual([
      {
        id,
        time: expect.any(String),
        question: "Trade?",
        answer: "Secret answer text about Trade? [1][2]",
        comment: "Missed the 2021 figure",
      },
    ]);
  });

  it("is rate limited like questions", async () => {
    const insights = openInsights();
    const app = await serve({ insights, rateLimitPerMinute: 3 });
    const { id } = await (await ask(app.url, "Trade?")).json();
    const statuses = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push((await postJson(`${app.url}/api/feedback`, { id, rating: "up" })).status);
    expect(statuses).toEqual([204, 204, 429]);
  });
});

describe("GET /api/insights", () => {
  it("needs one of ADMIN_KEYS: not an API key, not a session token, not nothing", async () => {
    const insights = openInsights();
    const app = await serve({ insights, apiKeys: ["api-key-456"] });
    expect((await fetch(`${app.url}/api/insights`)).status).toBe(401);
    expect((await adminGet(app.url, "", "api-key-456")).status).toBe(401);
    expect((await adminGet(app.url, "", "admin-key-12")).status).toBe(401);
    const { token } = await (
      await postJson(`${app.url}/api/session`, {}, { origin: "https://allowed.example" })
    ).json();
    expect(
      (
        await fetch(`${app.url}/api/insights`, {
          headers: { "x-session-token": token, authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(401);
    expect((await adminGet(app.url, "?days=0")).status).toBe(400);
    const report = await adminGet(app.url, "?days=3");
    expect(report.status).toBe(200);
    expect(await report.json()).toMatchObject({ days: 3, total: 0, answerRate: null });
  });

  it("is closed to everyone when no ADMIN_KEYS are set", async () => {
    const app = await serve({ insights: openInsights(), adminKeys: [] });
    expect((await adminGet(app.url)).status).toBe(401);
  });
});

describe("configuration", () => {
  it("is on by default at var/insights.sqlite, off with INSIGHTS=off", () => {
    const on = loadConfig({ ADMIN_KEYS: "a, b" }, "/srv/chat");
    expect(on.insights).toEqual({
      store: { file: "/srv/chat/var/insights.sqlite" },
      storeAnswers: false,
      retentionDays: 30,
    });
    expect(on.adminKeys).toEqual(["a", "b"]);
    expect(loadConfig({ INSIGHTS: "off" }, "/srv/chat").insights).toBeUndefined();
    expect(
      loadConfig({ INSIGHTS_STORE_ANSWERS: "on", INSIGHTS_RETENTION_DAYS: "7", INSIGHTS_DB: "x.db" }, "/srv/chat")
        .insights,
    ).toEqual({ store: { file: "/srv/chat/x.db" }, storeAnswers: true, retentionDays: 7 });
    expect(
      loadConfig({ DATABASE_URL: "postgres://chat:pw@db.internal:5432/chat" }, "/srv/chat").insights?.store,
    ).toEqual({
      databaseUrl: "postgres://chat:pw@db.internal:5432/chat",
    });
    expect(() => loadConfig({ DATABASE_URL: "mysql://db.internal/chat" })).toThrow(/DATABASE_URL/);
  });
});

function readWal(file: string): string {
  try {
    return readFileSync(`${file}-wal`).toString("latin1");
  } catch {
    return "";
  }
}
