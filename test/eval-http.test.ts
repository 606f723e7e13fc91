import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import type { Answerer, ChatRequest, ChatResponse } from "../src/answer/types.js";
import { UpstreamError } from "../src/errors.js";
import { askOverHttp, ChatRequestError, ServerUnreachableError, ServerUrlError } from "../src/evaluate/http-client.js";
import { loadQuestionSet, type EvalQuestion } from "../src/evaluate/question-set.js";
import { askAnswerer } from "../src/evaluate/ask-question.js";
import { runEval, sourceLookup } from "../src/evaluate/run-eval.js";
import { isError, type QuestionResult } from "../src/evaluate/score-response.js";
import { summarize } from "../src/evaluate/summarize.js";
import type { SourceFile } from "../src/ingest/load-corpus.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex, type OpenedIndex } from "../src/search-index/open-index.js";
import { scratchProject, starterQuestionsPath } from "./support/corpus.js";
import { FakeAnswerer } from "./support/fake-answerer.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { startApp } from "./support/http.js";

// The real extractive pipeline (with the hashing fake embedder, so no model loads) behind the real app.
let opened: OpenedIndex;
let answerer: ExtractiveAnswerer;
let questions: EvalQuestion[];
let server: Awaited<ReturnType<typeof startApp>>;

beforeAll(async () => {
  const project = await scratchProject();
  const embedder = new FakeEmbedder();
  opened = await openIndex({ ...project, embedder });
  answerer = new ExtractiveAnswerer({
    retriever: new HybridRetriever(opened.index, embedder),
    interviews: opened.interviews,
    chunks: opened.index.chunks,
  });
  questions = await loadQuestionSet(
    starterQuestionsPath,
    opened.sources.map((source) => source.text),
  );
  server = await startApp({ answerer, protection: { rateLimitPerMinute: 10_000 } });
});
afterAll(() => server.close());

const withoutLatency = (results: QuestionResult[]) => results.map((result) => ({ ...result, latencyMs: 0 }));

describe("evaluating a running server over HTTP", () => {
  it("scores exactly what the same pipeline scores in process, checking quotes against the local interview", async () => {
    const sourceOf = sourceLookup(opened.sources);
    const overHttp = await runEval({ questions, ask: askOverHttp(server.url), sourceOf, k: 3 });
    const inProcess = await runEval({ questions, ask: askAnswerer(answerer), sourceOf, k: 3 });
    expect(withoutLatency(overHttp)).toEqual(withoutLatency(inProcess));
    const summary = summarize(overHttp, 3);
    expect(summary.errors).toBe(0);
    expect(summary.metrics.citationValidity).toBe(1);
    expect(summary.metrics.abstentionRecall).not.toBeNull();
    expect(overHttp.every((result) => !isError(result) && result.latencyMs > 0)).toBe(true);
  });

  it("scores scripted replies over HTTP exactly as worked out by hand", async () => {
    // Five questions with replies written to hit each rule once; the expected scores below are
    // computed by hand from the rules in README.md ("Measure"), not by running the scorer.
    const source = opened.sources[0]!.text;
    const chunk = (id: string) => opened.index.chunks.find((candidate) => candidate.id === id)!;
    const context = (id: string) => ({
      source: "interview.txt",
      chunkId: id,
      section: chunk(id).section,
      text: chunk(id).text,
      score: 0.5,
      start: chunk(id).start,
      end: chunk(id).end,
    });
    const cite = (id: string, quote: string, shift = 0) => {
      const start = source.indexOf(quote) + shift;
      return {
        n: 1,
        source: "interview.txt",
        chunkId: id,
        section: chunk(id).section,
        quote,
        start,
        end: start + quote.length,
      };
    };
    const deputies = "The number of deputies of the Mazhlis will be reduced from 107 to 98";
    const ports =
      "Since March 2022, export cargoes were redirected to Latvian ports (Liepaja, Riga, Ventspils) and to the Middle Corridor.";
    const senate = "the president will now nominate 10 members to the Senate";
    const renaissance = "I think that Kazakhstan is experiencing a so called cultural renaissance nowadays.";
    const asked: EvalQuestion[] = [
      {
        id: "rank-k",
        question: "How many deputies will the Mazhilis have?",
        answerable: true,
        evidence: ["reduced from 107 to 98"],
        facts: [["98"]],
      },
      {
        id: "rank-k+1",
        question: "Which Latvian ports receive cargo?",
        answerable: true,
        evidence: ["Latvian ports (Liepaja, Riga, Ventspils)"],
        facts: [["Riga"]],
      },
      {
        id: "bad-offsets",
        question: "How many senators will the president appoint?",
        answerable: true,
        evidence: [senate],
        facts: [["10", "ten"]],
      },
      { id: "abstains", question: "What is the capital of France?", answerable: false },
      { id: "answers-anyway", question: "Who won the 2018 World Cup?", answerable: false },
    ];
    const answered = (answer: string, citations: unknown[], contexts: unknown[]) => ({
      kind: "answer",
      claims: [],
      suggestions: [],
      answer,
      citations,
      contexts,
      grounded: true,
      mode: "extractive",
    });
    const replies: Record<string, unknown> = {
      // Evidence at rank 3 = k: a hit, and the question passes.
      [asked[0]!.question]: answered(
        `${deputies} [1].`,
        [cite("q1-4", deputies)],
        [context("q6"), context("q2"), context("q1-4")],
      ),
      // Evidence at rank 4 > k: everything else right, the question fails on retrieval alone.
      [asked[1]!.question]: answered(
        `${ports} [1]`,
        [cite("q4-2", ports)],
        [context("q6"), context("q2"), context("q1-4"), context("q4-2")],
      ),
      // The right words at the wrong offsets: an invalid citation, so no quote holds the evidence and the sentence is unsupported.
      [asked[2]!.question]: answered(`Now ${senate} [1].`, [cite("q1-4", senate, 1)], [context("q1-4")]),
      [asked[3]!.question]: {
        kind: "no_answer",
        claims: [],
        suggestions: [],
        answer: "The interview does not answer that question.",
        citations: [],
        contexts: [context("q6")],
        grounded: false,
        mode: "extractive",
      },
      [asked[4]!.question]: answered(`${renaissance} [1]`, [cite("q6", renaissance)], [context("q6")]),
    };
    const scripted: Answerer = {
      mode: "extractive",
      answer: async (request) => replies[request.message] as ChatResponse,
      stream: () => {
        throw new Error("JSON only");
      },
    };
    const scriptedServer = await startApp({ answerer: scripted });
    try {
      const results = await runEval({
        questions: asked,
        ask: askOverHttp(scriptedServer.url),
        sourceOf: sourceLookup(opened.sources),
        k: 3,
      });
      expect(results.map((result) => ({ id: result.id, passed: result.passed, misses: result.misses }))).toEqual([
        { id: "rank-k", passed: true, misses: [] },
        { id: "rank-k+1", passed: false, misses: ["evidence at rank 4 > 3"] },
        {
          id: "bad-offsets",
          passed: false,
          misses: ["no quote holds the evidence", "1/1 citations invalid", "1/1 sentences unsupported"],
        },
        { id: "abstains", passed: true, misses: [] },
        { id: "answers-anyway", passed: false, misses: ["answered instead of abstaining"] },
      ]);
      expect(results.map((result) => (isError(result) ? "error" : result.evidenceRank))).toEqual([3, 4, 1, null, null]);
      const summary = summarize(results, 3);
      expect(summary).toMatchObject({ questions: 5, answerable: 3, unanswerable: 2, passed: 2, errors: 0, k: 3 });
      const { metrics } = summary;
      expect(metrics.hitAt1).toBeCloseTo(1 / 3); // ranks 3, 4, 1
      expect(metrics.hitAtK).toBeCloseTo(2 / 3); // rank 3 counts at k = 3, rank 4 does not
      expect(metrics.mrr).toBeCloseTo((1 / 3 + 1 / 4 + 1) / 3);
      expect(metrics.citationValidity).toBe(3 / 4); // one of four citations has wrong offsets
      expect(metrics.quoteEvidenceRecall).toBeCloseTo(2 / 3);
      expect(metrics.sentenceCitationCoverage).toBe(3 / 4); // four answers of one sentence each, one unsupported
      expect(metrics.factAccuracy).toBe(1);
      expect(metrics.abstentionRecall).toBe(1 / 2);
      expect(metrics.falseAbstentionRate).toBe(0);
    } finally {
      await scriptedServer.close();
    }
  });

  it("measures a server that requires an API key when given one, and reports each question's 401 without it", async () => {
    const protectedServer = await startApp({
      answerer,
      protection: { rateLimitPerMinute: 10_000, apiKeys: ["eval-key"] },
    });
    try {
      const sample = questions.slice(0, 3);
      const sourceOf = sourceLookup(opened.sources);
      const withKey = await runEval({
        questions: sample,
        ask: askOverHttp(protectedServer.url, { apiKey: "eval-key" }),
        sourceOf,
        k: 3,
      });
      expect(withKey.some(isError)).toBe(false);
      const withoutKey = await runEval({ questions: sample, ask: askOverHttp(protectedServer.url), sourceOf, k: 3 });
      expect(withoutKey.every((result) => isError(result) && /401/.test(result.error))).toBe(true);
    } finally {
      await protectedServer.close();
    }
  });

  it("tells the progress callback about every question in order", async () => {
    const seen: string[] = [];
    const few = questions.slice(0, 3);
    await runEval({
      questions: few,
      ask: askOverHttp(server.url),
      sourceOf: sourceLookup(opened.sources),
      k: 3,
      onProgress: (done, total, id) => seen.push(`${done}/${total} ${id}`),
    });
    expect(seen).toEqual(few.map((question, index) => `${index + 1}/3 ${question.id}`));
  });

  it("counts a server's quote that is not in the local interview as invalid", async () => {
    const fake = await startApp({ answerer: new FakeAnswerer() });
    try {
      const [result] = await runEval({
        questions: questions.slice(0, 1),
        ask: askOverHttp(fake.url),
        sourceOf: sourceLookup(opened.sources),
        k: 3,
      });
      expect(result).toMatchObject({ citations: 1, invalidCitations: 1, passed: false });
      expect(result!.misses).toContain("1/1 citations invalid");
    } finally {
      await fake.close();
    }
  });

  it("records an error status against its question and goes on with the rest", async () => {
    class FailingOnce extends FakeAnswerer {
      override async answer(request: ChatRequest): Promise<ChatResponse> {
        if (request.message === questions[0]!.question) throw new UpstreamError("The model is down", true);
        return super.answer(request);
      }
    }
    const failing = await startApp({ answerer: new FailingOnce() });
    try {
      const results = await runEval({
        questions: questions.slice(0, 2),
        ask: askOverHttp(failing.url),
        sourceOf: sourceLookup(opened.sources),
        k: 3,
      });
      expect(results[0]).toMatchObject({
        id: questions[0]!.id,
        passed: false,
        error: `${failing.url}/api/chat answered 502 upstream_error: The language model failed to answer; try again shortly`,
      });
      expect(isError(results[1]!)).toBe(false);
      expect(summarize(results, 3).errors).toBe(1);
    } finally {
      await failing.close();
    }
  });

  it("stops the run with one clear error when nothing listens at the address", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const run = runEval({
      questions,
      ask: askOverHttp(`http://127.0.0.1:${port}`),
      sourceOf: sourceLookup(opened.sources),
      k: 3,
    });
    await expect(run).rejects.toThrow(ServerUnreachableError);
    await expect(run).rejects.toThrow(
      `Cannot reach http://127.0.0.1:${port}/api/chat: connection refused (is the server running?)`,
    );
  });
});

describe("the HTTP client", () => {
  const reply: ChatResponse = {
    kind: "answer",
    claims: [],
    suggestions: [],
    answer: "Yes [1].",
    citations: [],
    contexts: [],
    grounded: true,
    mode: "extractive",
  };
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

  /** A hand-written fetch that replays `replies` in order and records the URLs and bodies it got. */
  function scriptedFetch(replies: Response[]) {
    const calls: Array<{ url: string; body: unknown; authorization?: string }> = [];
    const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
      const authorization = (init?.headers as Record<string, string> | undefined)?.authorization;
      calls.push({
        url: String(url),
        body: JSON.parse(String(init?.body)),
        ...(authorization ? { authorization } : {}),
      });
      return replies.shift()!;
    }) as typeof globalThis.fetch;
    return { fetch, calls };
  }

  it("posts the question and history as non-streaming JSON to /api/chat under the base URL", async () => {
    const { fetch, calls } = scriptedFetch([json(200, reply)]);
    const answered = await askOverHttp("http://example.test/chat-app", { fetch })({
      message: "Why?",
      history: [{ role: "user", content: "Earlier" }],
    });
    expect(calls).toEqual([
      {
        url: "http://example.test/chat-app/api/chat",
        body: { message: "Why?", history: [{ role: "user", content: "Earlier" }], stream: false },
      },
    ]);
    expect(answered.response).toEqual(reply);
  });

  it("sends the API key as a bearer token when one is given, and no authorization header otherwise", async () => {
    const { fetch, calls } = scriptedFetch([json(200, reply), json(200, reply)]);
    await askOverHttp("http://example.test", { fetch, apiKey: "secret-key" })({ message: "Why?" });
    await askOverHttp("http://example.test", { fetch })({ message: "Why?" });
    expect(calls.map((call) => call.authorization)).toEqual(["Bearer secret-key", undefined]);
  });

  it("waits out a 429 for its Retry-After and times only the request that answered", async () => {
    const { fetch, calls } = scriptedFetch([
      json(429, { error: { code: "rate_limited", message: "Slow down" } }, { "retry-after": "7" }),
      json(200, reply),
    ]);
    const waits: number[] = [];
    const told: number[] = [];
    let clock = 0;
    const ask = askOverHttp("http://example.test", {
      fetch,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
      onRateLimited: (seconds) => told.push(seconds),
      now: () => (clock += 5),
    });
    const answered = await ask({ message: "Why?" });
    expect(calls).toHaveLength(2);
    expect(waits).toEqual([7000]);
    expect(told).toEqual([7]);
    expect(answered.latencyMs).toBe(5);
  });

  it("fails the question when the rate limit outlasts its retries", async () => {
    const limited = () => json(429, { error: { code: "rate_limited", message: "Slow down" } }, { "retry-after": "1" });
    const { fetch } = scriptedFetch([limited(), limited()]);
    const ask = askOverHttp("http://example.test", { fetch, maxRateLimitRetries: 1, sleep: async () => {} });
    await expect(ask({ message: "Why?" })).rejects.toThrow(
      "http://example.test/api/chat answered 429 rate_limited: Slow down",
    );
  });

  it("rejects a reply that does not follow the HTTP contract", async () => {
    const { fetch } = scriptedFetch([
      json(200, { ...reply, grounded: "yes" }),
      new Response("<html>", { status: 200 }),
    ]);
    const ask = askOverHttp("http://example.test", { fetch });
    await expect(ask({ message: "Why?" })).rejects.toThrow(/answered outside the HTTP contract: grounded: /);
    await expect(ask({ message: "Why?" })).rejects.toThrow(ChatRequestError);
  });

  it("turns a timeout into that question's error, not the run's", async () => {
    const fetch = (async () => {
      throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    }) as typeof globalThis.fetch;
    await expect(askOverHttp("http://example.test", { fetch, timeoutMs: 1500 })({ message: "Why?" })).rejects.toThrow(
      new ChatRequestError("no reply from http://example.test/api/chat within 1.5 s"),
    );
  });

  it("refuses an address that is not http(s)", () => {
    expect(() => askOverHttp("ftp://example.test")).toThrow(ServerUrlError);
    expect(() => askOverHttp("localhost:3000")).toThrow(/--url must be an http\(s\) address/);
  });
});

describe("finding a citation's file", () => {
  const file = (id: string): SourceFile => ({ id, name: `${id}.txt`, text: `text of ${id}`, sha256: "" });

  it("reads the file the citation's source names, whatever the number of files", () => {
    expect(sourceLookup([file("interview")])("interview.txt")).toBe("text of interview");
    const several = sourceLookup([file("a"), file("b")]);
    expect(several("b.txt")).toBe("text of b");
    expect(several("b")).toBeUndefined();
    expect(several("c.txt")).toBeUndefined();
  });
});
