import { execFile } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import v8 from "node:v8";
import vm from "node:vm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import { LlmAnswerer } from "../src/answer/llm/llm-answerer.js";
import type { Answerer } from "../src/answer/types.js";
import { createOpenAiClient } from "../src/openai-client.js";
import { createLogger } from "../src/logger.js";
import { loadPrompts } from "../src/answer/llm/load-prompts.js";
import { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../src/search-index/open-index.js";
import { beekeeperTranscript } from "./support/beekeeper-interview.js";
import { projectRoot, scratchProject } from "./support/corpus.js";
import { FakeOpenAiServer, type Fault } from "./support/fake-openai-server.js";
import { postJson, readEvents, startApp } from "./support/http.js";
import { expectOneCompleteIndex } from "./support/index-checks.js";
import { waitFor } from "./support/wait-for.js";
import { OpenAiChatModel } from "../src/answer/model/openai-chat-model.js";

let extractive: ExtractiveAnswerer;
let retriever: HybridRetriever;
let upstream: FakeOpenAiServer;

beforeAll(async () => {
  const embedder = new LocalEmbeddings();
  const opened = await openIndex({ ...(await scratchProject()), embedder });
  retriever = new HybridRetriever(opened.index, embedder);
  extractive = new ExtractiveAnswerer({ retriever, interviews: opened.interviews, chunks: opened.index.chunks });
  upstream = await new FakeOpenAiServer().start();
});
afterAll(() => upstream.stop());

/** The key the LLM answerers send upstream: no log line and no reply may ever hold it. */
const secretKey = "sk-test-Zq8Wv3Nx5Ty7Ua9Rb1Kc2Lm4";
/** Every log line of the upstream fault suite, as the server's logger writes it. */
const logLines: string[] = [];
const faultLogger = createLogger("debug", { write: (line: string) => void logLines.push(line) }, [secretKey]);

async function llm(timeoutMs = 2_000, options: { maxRetries?: number; idleTimeoutMs?: number } = {}) {
  return new LlmAnswerer({
    // Built as the server builds it (redirects not followed), with the answer's deadline from its timeout.
    model: new OpenAiChatModel(
      createOpenAiClient({
        apiKey: secretKey,
        baseURL: upstream.baseURL,
        timeoutMs,
        maxRetries: options.maxRetries ?? 0,
      }),
      "fake",
    ),
    prompts: await loadPrompts(path.join(projectRoot, "prompts")),
    retriever,
    fallback: extractive,
    idleTimeoutMs: options.idleTimeoutMs,
    logger: faultLogger,
  });
}

/** Settles as `promise` does, or fails after `ms`: a hung answer fails its test instead of stalling the run. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`still not settled after ${ms} ms`)), ms)),
  );
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Wraps an answerer to count the answers it is still streaming. */
function counted(inner: Answerer): { answerer: Answerer; active: () => number } {
  let active = 0;
  const answerer: Answerer = {
    mode: inner.mode,
    answer: (request, options) => inner.answer(request, options),
    async *stream(request, options) {
      active++;
      try {
        yield* inner.stream(request, options);
      } finally {
        active--;
      }
    },
  };
  return { answerer, active: () => active };
}

const questions = [
  "How many deputies will the Mazhilis have?",
  "Which Latvian ports receive cargo?",
  "Who won a Grammy?",
  "What is the capital of France?",
  "When were diplomatic ties established?",
];

describe("under load", () => {
  it("answers 200 concurrent requests, mixed JSON and SSE, with no 5xx and no socket left busy", async () => {
    const app = await startApp({ answerer: extractive, protection: { rateLimitPerMinute: 0 } });
    try {
      const results = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const stream = i % 2 === 1;
          const response = await postJson(`${app.url}/api/chat`, {
            message: `${questions[i % questions.length]} (${i})`,
            stream,
          });
          if (!stream) return { status: response.status, complete: typeof (await response.json()).answer === "string" };
          const { events } = await readEvents(response);
          return { status: response.status, complete: events.at(-1)?.event === "done" };
        }),
      );
      expect(results.filter((result) => result.status !== 200)).toEqual([]);
      expect(results.every((result) => result.complete)).toBe(true);
      app.server.closeIdleConnections();
      const open = await new Promise<number>((resolve) => app.server.getConnections((_, count) => resolve(count)));
      expect(open).toBe(0);
    } finally {
      await app.close();
    }
  });

  it("answers a burst over the rate limit with 429 and Retry-After, never an error", async () => {
    const app = await startApp({ answerer: extractive, protection: { rateLimitPerMinute: 20 } });
    try {
      const responses = await Promise.all(
        Array.from({ length: 60 }, () => postJson(`${app.url}/api/chat`, { message: questions[0] })),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(20);
      expect(statuses.filter((status) => status === 429)).toHaveLength(40);
      for (const response of responses.filter((r) => r.status === 429))
        expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});

describe("upstream faults", () => {
  /** A server in LLM mode whose upstream will start "Cargo goes to Riga ..." and fail with `fault`. */
  async function appFacing(fault: Fault) {
    const app = await startApp({
      // A deadline of 2 s, not less: the question after the fault must still be answered by the model
      // on a machine busy with other test files (800 ms: degraded once, its encoder call kept waiting).
      answerer: await llm(2_000),
      logger: faultLogger,
      protection: { rateLimitPerMinute: 0 },
    });
    upstream.faults.length = 0;
    upstream.chat = { reply: "Cargo goes to Riga and to Liepaja and to Ventspils [1]." };
    upstream.faults.push(fault);
    return app;
  }

  it.each([
    ["500", "degraded"],
    ["429", "degraded"],
    ["hang", "degraded"],
    ["reset", "degraded"],
    ["empty", "degraded"],
    ["reset-mid-stream", "error event"],
    ["malformed-sse", "error event"],
    ["stall-after-headers", "degraded"],
    ["drip", "timeout event"],
    ["401-secret", "degraded"],
    ["error-secret-mid-stream", "error event"],
    ["redirect", "degraded"],
  ] as const)(
    "ends a streamed answer as specified when the upstream fails with %s (%s), then keeps serving",
    async (fault, outcome) => {
      const app = await appFacing(fault);
      try {
        const response = await within(10_000, postJson(`${app.url}/api/chat`, { message: questions[1], stream: true }));
        const { events } = await within(10_000, readEvents(response));
        const last = events.at(-1)!;
        if (outcome === "degraded") {
          expect(last.event).toBe("done");
          expect(JSON.parse(events.find((event) => event.event === "citations")!.data)).toMatchObject({
            degraded: true,
          });
          expect(events.at(-2)!.event).toBe("suggestions");
        } else {
          // The stream showed text, so it cannot be replaced: it ends with an error, in a fixed wording.
          expect(events.some((event) => event.event === "delta")).toBe(true);
          expect(last.event).toBe("error");
          const timedOut = outcome === "timeout event";
          expect(JSON.parse(last.data)).toEqual({
            code: timedOut ? "upstream_timeout" : "upstream_error",
            status: timedOut ? 504 : 502,
            message: timedOut
              ? "The language model did not answer in time; try again shortly"
              : "The language model failed to answer; try again shortly",
          });
        }
        // Nothing the upstream said reaches the client.
        const everything = events.map((event) => event.data).join("\n");
        for (const leak of [secretKey, "llm-7.internal", "Incorrect API key", "mid-stream failure", "not json"])
          expect(everything).not.toContain(leak);
        const next = await (await postJson(`${app.url}/api/chat`, { message: questions[1] })).json();
        expect(next).toMatchObject({ mode: "llm", grounded: true });
      } finally {
        await app.close();
      }
    },
  );

  it.each(["reset-mid-stream", "malformed-sse", "stall-after-headers", "drip", "error-secret-mid-stream"] as const)(
    "gives a JSON client the degraded answer when the upstream fails with %s after it started answering",
    async (fault) => {
      const app = await appFacing(fault);
      try {
        const response = await within(10_000, postJson(`${app.url}/api/chat`, { message: questions[1] }));
        const text = await response.text();
        expect(response.status).toBe(200);
        const body = JSON.parse(text);
        expect(body).toMatchObject({ degraded: true, kind: "answer" });
        // Only the extractive answer: none of the model's half-answer is mixed in.
        expect(body.answer).not.toMatch(/^Cargo goes/);
        for (const leak of [secretKey, "llm-7.internal"]) expect(text).not.toContain(leak);
      } finally {
        await app.close();
      }
    },
    20_000,
  );

  it("keeps retries and condensing inside one deadline, and ends a silent stream after the idle timeout", async () => {
    const answerer = await llm(1_000, { maxRetries: 3 });
    upstream.faults.length = 0;
    // Every attempt hangs before its headers: 4 attempts of 1 s each, plus backoff, without one deadline.
    upstream.faults.push(...Array.from({ length: 4 }, () => "hang" as const));
    let started = Date.now();
    expect(await within(10_000, answerer.answer({ message: questions[1]! }))).toMatchObject({ degraded: true });
    expect(Date.now() - started).toBeLessThan(3_000);
    // A follow-up: condense and answer, 4 attempts each, all within the same second.
    upstream.faults.length = 0;
    upstream.faults.push(...Array.from({ length: 8 }, () => "hang" as const));
    started = Date.now();
    const followUp = await within(
      20_000,
      answerer.answer({ message: "And which ports?", history: [{ role: "user", content: questions[1]! }] }),
    );
    expect(followUp).toMatchObject({ degraded: true });
    expect(Date.now() - started).toBeLessThan(3_000);
    // Headers, then silence: the idle timeout ends it long before the 20 s deadline.
    upstream.faults.length = 0;
    upstream.faults.push("stall-after-headers");
    started = Date.now();
    expect(
      await within(10_000, (await llm(20_000, { idleTimeoutMs: 300 })).answer({ message: questions[1]! })),
    ).toMatchObject({ degraded: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    upstream.faults.length = 0;
  }, 60_000);

  it("does not follow an upstream's redirect: the prompt is never posted elsewhere", async () => {
    const elsewhere = await new FakeOpenAiServer().start();
    try {
      upstream.faults.length = 0;
      upstream.redirectTo = `${elsewhere.baseURL}/chat/completions`;
      upstream.faults.push("redirect");
      expect(await (await llm(2_000)).answer({ message: questions[1]! })).toMatchObject({ degraded: true });
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.stop();
    }
  });

  it("logs upstream failures with the request id and without any secret, in every line of the fault suite", () => {
    // The suite above ran every fault: the upstream's errors are logged, scrubbed.
    expect(logLines.some((line) => line.includes("Incorrect API key provided"))).toBe(true);
    expect(logLines.some((line) => line.includes("mid-stream failure"))).toBe(true);
    for (const line of logLines) {
      expect(line).not.toContain(secretKey);
      expect(line).not.toContain(secretKey.slice(3));
    }
    const warnings = logLines
      .map((line) => JSON.parse(line) as { msg: string; requestId?: string })
      .filter((entry) => entry.msg.startsWith("LLM failed"));
    // Those logged while serving a request say which (the direct answerer calls above have none to say).
    expect(warnings.filter((warning) => typeof warning.requestId === "string").length).toBeGreaterThanOrEqual(10);
  });

  it("survives many clients aborting mid-stream: no unhandled rejections, memory back to its level", async () => {
    v8.setFlagsFromString("--expose_gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    upstream.faults.length = 0;
    upstream.chat = { reply: "A slow answer about Riga [1].", delayMs: 300 };
    const { answerer, active } = counted(await llm());
    const app = await startApp({ answerer, protection: { rateLimitPerMinute: 0 } });
    const abortMany = async () => {
      await Promise.all(
        Array.from({ length: 25 }, async () => {
          const response = await postJson(`${app.url}/api/chat`, { message: questions[1], stream: true }).catch(
            () => null,
          );
          const reader = response?.body?.getReader();
          await reader?.read();
          await reader?.cancel();
        }),
      );
      // Settled: every answer has ended, however long a busy machine takes. (The clients' idle
      // keep-alive sockets stay open, to be reused by the next round, as a real client's would.)
      await waitFor(() => active() === 0, "the aborted answers to end");
    };
    try {
      await abortMany();
      gc();
      const before = process.memoryUsage().heapUsed;
      for (let round = 0; round < 4; round++) await abortMany();
      gc();
      const growth = process.memoryUsage().heapUsed - before;
      expect(growth).toBeLessThan(8 * 1024 * 1024);
      expect(rejections).toEqual([]);
      const next = await (await postJson(`${app.url}/api/chat`, { message: questions[1] })).json();
      expect(next.kind).toBe("answer");
    } finally {
      process.off("unhandledRejection", onRejection);
      upstream.chat = { reply: "ok [1]." };
      await app.close();
    }
  }, 60_000);
});

/**
 * The HTTP contract's valid `POST /api/chat` body, written out independently of the server's schema:
 * only `message` (a string, 1–2,000 characters once trimmed), `history` (at most 20 turns, each
 * exactly a user or assistant role and content of at most 4,000 characters) and `stream` (a boolean).
 */
function isValidChatRequest(body: unknown): boolean {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const { message, history, stream } = body as Record<string, unknown>;
  if (Object.keys(body).some((key) => !["message", "history", "stream"].includes(key))) return false;
  if (typeof message !== "string" || message.trim().length < 1 || message.trim().length > 2000) return false;
  if (!/[^\s\p{Cf}]/u.test(message)) return false; // only zero-width or other invisible format characters
  if (stream !== undefined && typeof stream !== "boolean") return false;
  if (history === undefined) return true;
  if (!Array.isArray(history) || history.length > 20) return false;
  return history.every((turn: unknown) => {
    if (typeof turn !== "object" || turn === null || Array.isArray(turn)) return false;
    const { role, content } = turn as Record<string, unknown>;
    return (
      Object.keys(turn).every((key) => key === "role" || key === "content") &&
      (role === "user" || role === "assistant") &&
      typeof content === "string" &&
      content.length <= 4000
    );
  });
}

describe("hostile request bodies", () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    app = await startApp({ answerer: extractive, protection: { rateLimitPerMinute: 0 } });
  });
  afterAll(() => app.close());

  const send = (body: string | Buffer, contentType = "application/json") =>
    fetch(`${app.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : new Uint8Array(body).slice(),
    });

  it("answers random JSON with 4xx unless it is a valid request, which gets its answer: never 5xx", async () => {
    const turn = fc.record({ role: fc.constantFrom("user", "assistant"), content: fc.string({ maxLength: 60 }) });
    const seen = { valid: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ message: fc.jsonValue(), history: fc.jsonValue() }, { requiredKeys: [] }),
          fc.record({ message: fc.string({ maxLength: 3000 }), stream: fc.jsonValue() }),
          fc.dictionary(
            fc.constantFrom("message", "history", "stream", "__proto__", "constructor", "prototype"),
            fc.jsonValue(),
          ),
          // Mostly valid requests, some just over a limit.
          fc.record(
            { message: fc.string({ maxLength: 80 }), history: fc.array(turn, { maxLength: 22 }), stream: fc.boolean() },
            { requiredKeys: ["message"] },
          ),
        ),
        async (value) => {
          const text = JSON.stringify(value);
          const valid = isValidChatRequest(text === undefined ? undefined : JSON.parse(text));
          seen[valid ? "valid" : "invalid"]++;
          const response = await send(text ?? "");
          if (!valid) {
            expect(response.status).toBeGreaterThanOrEqual(400);
            expect(response.status).toBeLessThan(500);
            expect((await response.json()).error.code).toEqual(expect.any(String));
            return;
          }
          expect(response.status).toBe(200);
          if ((value as { stream?: boolean }).stream) {
            expect((await readEvents(response)).events.at(-1)?.event).toBe("done");
          } else {
            expect((await response.json()).answer).toEqual(expect.any(String));
          }
        },
      ),
      { numRuns: 150 },
    );
    // Both kinds were tried, so neither half of the property held vacuously.
    expect(seen.valid).toBeGreaterThan(10);
    expect(seen.invalid).toBeGreaterThan(10);
  });

  it("rejects huge strings, deep nesting, invalid UTF-8 and prototype pollution with 4xx", async () => {
    const cases: Array<[string | Buffer, number]> = [
      [JSON.stringify({ message: "x".repeat(1_000_000) }), 413],
      ["[".repeat(30_000) + "]".repeat(30_000), 413],
      ["[".repeat(15_000) + "]".repeat(15_000), 400],
      [Buffer.concat([Buffer.from('{"message":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]), 400],
      ['{"message":"hi","__proto__":{"polluted":true}}', 400],
      ['{"message":"hi","constructor":{"prototype":{"polluted":true}}}', 400],
      ['{"message":"hi","history":[{"role":"user","content":"x","__proto__":{"polluted":true}}]}', 400],
    ];
    for (const [body, status] of cases) {
      const response = await send(body);
      expect(response.status, String(body).slice(0, 40)).toBe(status);
      expect((await response.json()).error.code).toEqual(expect.any(String));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await postJson(`${app.url}/api/chat`, { message: questions[0] })).status).toBe(200);
  });

  it("rejects a message of only zero-width characters with 400", async () => {
    for (const message of ["\u200B", "\u200B\u200C\u200D", " \u2060\uFEFF\u200B ", "\u00AD\u200E"]) {
      const response = await send(JSON.stringify({ message }));
      expect(response.status, JSON.stringify(message)).toBe(400);
      expect((await response.json()).error.code).toBe("invalid_request");
    }
    expect((await send(JSON.stringify({ message: "\u200BWho won a Grammy?" }))).status).toBe(200);
  });

  it("treats a wrong charset or content type as the client's mistake", async () => {
    expect((await send('{"message":"hi"}', "application/json; charset=latin9")).status).toBe(415);
    expect((await send('{"message":"hi"}', "application/x-www-form-urlencoded")).status).toBe(415);
  });
});

describe("unknown paths", () => {
  it("answer 404 before any key, origin or rate limit check", async () => {
    const app = await startApp({
      answerer: extractive,
      protection: { apiKeys: ["a-key-nobody-sends"], allowedOrigins: [], rateLimitPerMinute: 1 },
    });
    try {
      const probes = [
        fetch(`${app.url}/admin`),
        fetch(`${app.url}/api/unknown`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        }),
        fetch(`${app.url}/v1/embeddings`, { method: "POST", headers: { origin: "https://evil.example" } }),
        fetch(`${app.url}/.env`, { headers: { authorization: "Bearer wrong" } }),
        fetch(`${app.url}/api/chat/../../etc/passwd`),
      ];
      for (const response of await Promise.all(probes)) {
        expect(response.status, response.url).toBe(404);
        expect((await response.json()).error.code).toBe("not_found");
      }
      // The API itself still asks for its key.
      expect((await postJson(`${app.url}/api/chat`, { message: questions[0] })).status).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe("index faults across processes", () => {
  it("leaves one valid index when two processes build at once", async () => {
    // A short interview of its own: the race is about writing the index, not the corpus.
    const project = await scratchProject({ index: "none" });
    await rm(path.join(project.dataDir, "interview.txt"));
    await writeFile(path.join(project.dataDir, "bees.txt"), beekeeperTranscript());
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: project.dataDir,
      INDEX_DIR: project.indexDir,
      LOG_LEVEL: "warn",
    };
    const ingest = () =>
      promisify(execFile)(path.join(projectRoot, "node_modules/.bin/tsx"), ["src/cli/ingest.ts"], {
        cwd: projectRoot,
        env,
      });
    await Promise.all([ingest(), ingest()]);
    const { manifest } = await expectOneCompleteIndex(project.indexDir);
    expect(manifest.embedder.id).toBe(new LocalEmbeddings().id);
    const reopened = await openIndex({ ...project, embedder: new LocalEmbeddings() });
    expect(reopened.rebuilt).toBeNull();
    expect(reopened.index.chunks.length).toBe(manifest.chunkCount);
  }, 120_000);
});
