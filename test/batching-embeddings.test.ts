import { afterEach, describe, expect, it, vi } from "vitest";
import type { Answerer, ChatRequest } from "../src/answer/types.js";
import { BatchingQueryEmbeddings, type QueryBatchingOptions } from "../src/embed/batching-embeddings.js";
import { CachedQueryEmbeddings } from "../src/embed/cached-embeddings.js";
import { Embedder } from "../src/embed/embedder.js";
import { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { OverloadedError, QueryAbandonedError } from "../src/errors.js";
import { FakeAnswerer } from "./support/fake-answerer.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { postJson, startApp } from "./support/http.js";
import { waitFor } from "./support/wait-for.js";

const defaults: QueryBatchingOptions = { maxBatch: 16, maxWaitMs: 0, maxQueued: 64 };
const batching = (inner: Embedder, options: Partial<QueryBatchingOptions> = {}) =>
  new BatchingQueryEmbeddings(inner, { ...defaults, ...options });

/** An encoder whose batches finish only when the test lets them. */
class GatedEmbedder extends FakeEmbedder {
  private gates: Array<() => void> = [];
  override async embedDocuments(texts: string[]): Promise<number[][]> {
    const vectors = await super.embedDocuments(texts);
    await new Promise<void>((resolve) => this.gates.push(resolve));
    return vectors;
  }
  release(): void {
    for (const open of this.gates.splice(0)) open();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe("micro-batching of query embeddings", () => {
  it("embeds the questions asked in the same turn in one encoder call, each getting its own vector", async () => {
    const inner = new FakeEmbedder();
    const embedder = batching(inner);
    const texts = ["Who built the port?", "When was the vote?", "How many deputies?"];
    const vectors = await Promise.all(texts.map((text) => embedder.embedQuery(text)));
    expect(inner.calls).toEqual([texts]);
    expect(vectors).toEqual(await Promise.all(texts.map((text) => new FakeEmbedder().embedQuery(text))));
  });

  it("never puts more than EMBED_MAX_BATCH questions in one call, and keeps their order", async () => {
    const inner = new FakeEmbedder();
    const sizes: number[] = [];
    const embedder = batching(inner, { maxBatch: 4, onBatch: (size) => sizes.push(size) });
    const texts = Array.from({ length: 10 }, (_, i) => `question ${i}`);
    await Promise.all(texts.map((text) => embedder.embedQuery(text)));
    expect(sizes).toEqual([4, 4, 2]);
    expect(inner.calls.flat()).toEqual(texts);
  });

  it("sends a lone question to the encoder without waiting on a timer, whatever EMBED_MAX_WAIT_MS is", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] }); // a timer would never fire: the question would hang
    const inner = new FakeEmbedder();
    const embedder = batching(inner, { maxWaitMs: 50 });
    expect(await embedder.embedQuery("Where is the hub?")).toEqual(
      await new FakeEmbedder().embedQuery("Where is the hub?"),
    );
    // Still alone after a lone question: the last batch held one.
    expect(await embedder.embedQuery("Who is the president?")).toHaveLength(64);
    expect(inner.calls).toEqual([["Where is the hub?"], ["Who is the president?"]]);
  });

  it("with EMBED_MAX_WAIT_MS, after a batch of several, waits to gather questions that arrive over later turns, and goes at once when full", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    const inner = new FakeEmbedder();
    const embedder = batching(inner, { maxWaitMs: 5, maxBatch: 3 });
    await Promise.all([embedder.embedQuery("a one"), embedder.embedQuery("b two")]);
    const first = embedder.embedQuery("c three");
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(inner.calls).toHaveLength(1); // still waiting for the batch to fill
    const second = embedder.embedQuery("d four");
    await vi.advanceTimersByTimeAsync(5);
    await Promise.all([first, second]);
    expect(inner.calls).toEqual([
      ["a one", "b two"],
      ["c three", "d four"],
    ]);
    // A batch that fills does not wait for the timer.
    await Promise.all(["e", "f", "g"].map((text) => embedder.embedQuery(`${text} five`)));
    expect(inner.calls.at(-1)).toEqual(["e five", "f five", "g five"]);
  });

  it("answers a repeated question from the cache without touching the encoder", async () => {
    const inner = new FakeEmbedder();
    const embedder = new CachedQueryEmbeddings(batching(inner), { maxEntries: 10 });
    const first = await embedder.embedQuery("Who was interviewed?");
    const again = await Promise.all([
      embedder.embedQuery("Who was interviewed?"),
      embedder.embedQuery("Who was interviewed?"),
    ]);
    expect(again).toEqual([first, first]);
    expect(inner.calls).toEqual([["Who was interviewed?"]]);
  });

  it("refuses a question past MAX_QUEUED_QUESTIONS waiting with an OverloadedError that says when to retry, and answers the others", async () => {
    const inner = new GatedEmbedder();
    const embedder = batching(inner, { maxBatch: 2, maxQueued: 2 });
    const running = [embedder.embedQuery("q1 a"), embedder.embedQuery("q2 b")];
    await waitFor(() => inner.calls.length === 1, "encoder call 1"); // in the encoder: no longer waiting
    const waiting = [embedder.embedQuery("q3 c"), embedder.embedQuery("q4 d")];
    const refused = embedder.embedQuery("q5 e");
    await expect(refused).rejects.toBeInstanceOf(OverloadedError);
    await expect(refused).rejects.toMatchObject({ status: 503, code: "overloaded", retryAfterSeconds: 1 });
    inner.release();
    await waitFor(() => inner.calls.length === 2, "encoder call 2");
    inner.release();
    expect(await Promise.all([...running, ...waiting])).toHaveLength(4);
    expect(inner.calls).toEqual([
      ["q1 a", "q2 b"],
      ["q3 c", "q4 d"],
    ]);
  });

  it("takes a question whose asker left out of the queue before its batch runs", async () => {
    const inner = new GatedEmbedder();
    const embedder = batching(inner);
    const first = embedder.embedQuery("first one");
    await waitFor(() => inner.calls.length === 1, "encoder call 1");
    const leaving = new AbortController();
    const left = embedder.embedQuery("left early", { signal: leaving.signal });
    const stayed = embedder.embedQuery("stayed on");
    leaving.abort();
    await expect(left).rejects.toBeInstanceOf(QueryAbandonedError);
    expect(embedder.waiting).toBe(1);
    inner.release();
    await waitFor(() => inner.calls.length === 2, "encoder call 2");
    inner.release();
    await Promise.all([first, stayed]);
    expect(inner.calls).toEqual([["first one"], ["stayed on"]]);
    // One that had already left never reaches the queue.
    await expect(embedder.embedQuery("gone", { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      QueryAbandonedError,
    );
    expect(inner.calls.flat()).not.toContain("gone");
  });

  it("still answers someone who shares a cached call with an asker who left", async () => {
    const inner = new GatedEmbedder();
    const embedder = new CachedQueryEmbeddings(batching(inner), { maxEntries: 10 });
    const busy = embedder.embedQuery("keeps the encoder busy");
    await waitFor(() => inner.calls.length === 1, "encoder call 1");
    const leaving = new AbortController();
    const left = embedder.embedQuery("same question", { signal: leaving.signal });
    const shared = embedder.embedQuery("same question");
    leaving.abort();
    await expect(left).rejects.toBeInstanceOf(QueryAbandonedError);
    inner.release();
    await waitFor(() => inner.calls.length === 2, "encoder call 2");
    inner.release();
    expect(await shared).toEqual(await new FakeEmbedder().embedQuery("same question"));
    await busy;
    expect(inner.calls).toEqual([["keeps the encoder busy"], ["same question"]]);
  });

  it("fails every question of a batch whose encoder call fails, and carries on with the next", async () => {
    const inner = new FakeEmbedder();
    let fail = true;
    const flaky = Object.assign(Object.create(inner) as FakeEmbedder, {
      embedDocuments: async (texts: string[]) => {
        if (fail) throw new Error("encoder down");
        return inner.embedDocuments(texts);
      },
    });
    const embedder = batching(flaky);
    const results = await Promise.allSettled([embedder.embedQuery("one a"), embedder.embedQuery("two b")]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect(await embedder.embedQuery("three c")).toHaveLength(64);
  });

  it("with EMBED_MAX_BATCH 1, calls the encoder once a question, as before batching", async () => {
    const inner = new FakeEmbedder();
    const embedder = batching(inner, { maxBatch: 1 });
    await Promise.all([embedder.embedQuery("one a"), embedder.embedQuery("two b")]);
    expect(inner.calls).toEqual([["one a"], ["two b"]]);
  });
});

describe("batched vectors from the real encoder", () => {
  it("equal each question's vector embedded alone, within float noise (largest difference measured: 2.1e-7)", async () => {
    const local = new LocalEmbeddings();
    const sizes: number[] = [];
    const embedder = batching(local, { onBatch: (size) => sizes.push(size) });
    // Different lengths, so the shorter ones are padded in the batch.
    const questions = [
      "Who was interviewed?",
      "How many deputies will the Mazhilis have after the reform?",
      "What share of voters approved the amendments to the Constitution in the referendum?",
      "When?",
      "Where is the new container hub being built, and with which partners?",
      "Is the president's term limited to one seven-year term?",
    ];
    const batched = await Promise.all(questions.map((question) => embedder.embedQuery(question)));
    expect(sizes).toEqual([questions.length]);
    let largest = 0;
    for (const [i, question] of questions.entries()) {
      const alone = await local.embedQuery(question);
      expect(batched[i]).toHaveLength(alone.length);
      alone.forEach((value, d) => (largest = Math.max(largest, Math.abs(value - batched[i]![d]!))));
    }
    // float32 noise from different summation orders, a thousand times below what moves a ranking.
    expect(largest).toBeLessThan(1e-6);
  }, 30_000);
});

describe("a full queue over HTTP", () => {
  it("is a 503 with Retry-After and the overloaded code, and the questions already waiting are answered", async () => {
    const inner = new GatedEmbedder();
    const queued = batching(inner, { maxBatch: 2, maxQueued: 1 });
    const echo = new FakeAnswerer();
    const answerer: Answerer = {
      mode: "extractive",
      answer: async (request: ChatRequest, options) => {
        await queued.embedQuery(request.message, { signal: options?.signal });
        return echo.answer(request);
      },
      stream: (request) => echo.stream(request),
    };
    const app = await startApp({ answerer });
    try {
      const first = postJson(`${app.url}/api/chat`, { message: "first question" });
      await waitFor(() => inner.calls.length === 1, "encoder call 1");
      const second = postJson(`${app.url}/api/chat`, { message: "second question" });
      await waitFor(() => queued.waiting === 1, "a question waiting");
      const refused = await postJson(`${app.url}/api/chat`, { message: "third question" });
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(await refused.json()).toMatchObject({ error: { code: "overloaded" } });
      inner.release();
      await waitFor(() => inner.calls.length === 2, "encoder call 2");
      inner.release();
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe("batching settings", () => {
  it("default to batches of 16 gathered over the next turn, 64 questions waiting at most; out-of-range values are refused by name", async () => {
    const { loadConfig, ConfigError } = await import("../src/config.js");
    expect(loadConfig({}).queryBatching).toEqual({ maxBatch: 16, maxWaitMs: 0, maxQueued: 64 });
    expect(
      loadConfig({ EMBED_MAX_BATCH: "1", EMBED_MAX_WAIT_MS: "3", MAX_QUEUED_QUESTIONS: "8" }).queryBatching,
    ).toEqual({ maxBatch: 1, maxWaitMs: 3, maxQueued: 8 });
    expect(() => loadConfig({ EMBED_MAX_BATCH: "0" })).toThrow(ConfigError);
    expect(() => loadConfig({ EMBED_MAX_BATCH: "0" })).toThrow(/EMBED_MAX_BATCH/);
    expect(() => loadConfig({ MAX_QUEUED_QUESTIONS: "0" })).toThrow(/MAX_QUEUED_QUESTIONS/);
    expect(() => loadConfig({ EMBED_MAX_WAIT_MS: "-1" })).toThrow(/EMBED_MAX_WAIT_MS/);
  });
});
