import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../src/search-index/open-index.js";
import { chatTurnSchema, citationSchema, contextSchema } from "../src/contract/index.js";
import { SessionTokens } from "../src/serve/session-token.js";
import { limits, type ChatEvent, type WireCitation, type WireTurn } from "../src/widget/contract.js";
import { createSseParser, type SseMessage } from "../src/widget/sse.js";
import { ChatError, createTransport } from "../src/widget/transport.js";
import { scratchProject } from "./support/corpus.js";
import { FakeAnswerer } from "./support/fake-answerer.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { startApp } from "./support/http.js";

const citation: WireCitation = {
  n: 1,
  source: "interview.txt",
  chunkId: "q9",
  section: "How will Kazakhstan benefit?",
  quote: "Latvian ports (Liepaja, Riga, Ventspils)",
  start: 100,
  end: 140,
};

/** The SSE text the server writes for one answer (src/serve/event-stream.ts). */
function sse(events: Array<[string, unknown]>): string {
  return events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
}

const answerStream = sse([
  ["contexts", { contexts: [] }],
  ["delta", { text: "Cargo goes to " }],
  ["delta", { text: "Latvian ports [1]." }],
  ["citations", { citations: [citation], grounded: true, mode: "extractive" }],
  ["done", {}],
]);

interface FakeFetchCall {
  url: string;
  init: RequestInit;
}

/**
 * A hand-written fetch that answers with `body` streamed in `pieces` (split at arbitrary
 * characters, as the network would), one per `delayMs`, honouring the request's abort signal.
 */
function fakeFetch(options: {
  status?: number;
  body: string;
  headers?: Record<string, string>;
  pieces?: number;
  delayMs?: number;
  cutAfter?: number;
}) {
  const calls: FakeFetchCall[] = [];
  const sessionCalls: FakeFetchCall[] = [];
  const state = { cancelled: false };
  const fetchImpl = (async (url: string | URL | Request, init: RequestInit = {}) => {
    // The transport's token request, answered as the server does (calls holds the questions only).
    if (String(url).endsWith("/api/session")) {
      sessionCalls.push({ url: String(url), init });
      return Response.json({ token: `token-${sessionCalls.length}`, expiresAt: "", expiresIn: 600 });
    }
    calls.push({ url: String(url), init });
    const bytes = new TextEncoder().encode(options.body);
    const count = options.pieces ?? 7;
    const size = Math.ceil(bytes.length / count);
    const chunks = Array.from({ length: count }, (_, index) => bytes.slice(index * size, (index + 1) * size)).slice(
      0,
      options.cutAfter ?? count,
    );
    const signal = init.signal;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
        if (signal?.aborted) return controller.error(signal.reason);
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
      cancel() {
        state.cancelled = true;
      },
    });
    return new Response(stream, {
      status: options.status ?? 200,
      headers: { "content-type": "text/event-stream", ...options.headers },
    });
  }) as typeof fetch;
  return { fetch: fetchImpl, calls, sessionCalls, state };
}

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** fetch as a page on `origin` calls it: a browser sends the page's Origin with every POST. */
function asPageOn(origin: string): typeof fetch {
  return ((url: string, init: RequestInit = {}) =>
    fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), origin } })) as typeof fetch;
}

describe("the widget's wire types", () => {
  // The widget's types are the contract's (src/widget/contract.ts imports them); this holds a
  // running server to the same schemas, field for field, as the widget's transport reads it.
  it("are what a running server sends and accepts: citations, contexts, turns and limits", async () => {
    const embedder = new FakeEmbedder();
    const opened = await openIndex({ ...(await scratchProject()), embedder });
    const answerer = new ExtractiveAnswerer({
      retriever: new HybridRetriever(opened.index, embedder),
      interviews: opened.interviews,
      chunks: opened.index.chunks,
    });
    const app = await startApp({ answerer, protection: { rateLimitPerMinute: 0 } });
    try {
      const transport = createTransport({ api: app.url, fetch: asPageOn(app.url) });
      const ask = async (message: string, history: WireTurn[] = []) =>
        collect<ChatEvent>(transport.stream({ message, history }));
      const events = await ask("Which Latvian ports receive Kazakh export cargo?");
      const contexts = events.flatMap((event) => (event.type === "contexts" ? event.contexts : []));
      const citations = events.flatMap((event) => (event.type === "citations" ? event.citations : []));
      expect(contexts.length).toBeGreaterThan(0);
      expect(citations.length).toBeGreaterThan(0);
      for (const context of contexts) expect(contextSchema.strict().parse(context)).toEqual(context);
      for (const item of citations) expect(citationSchema.strict().parse(item)).toEqual(item);
      expect(citations.every((item) => item.source === "interview.txt")).toBe(true);

      const answer = events.map((event) => (event.type === "delta" ? event.text : "")).join("");
      const turns: WireTurn[] = [
        { role: "user", content: "Which Latvian ports receive Kazakh export cargo?" },
        { role: "assistant", content: answer },
      ];
      for (const turn of turns) expect(chatTurnSchema.parse(turn)).toEqual(turn);
      expect((await ask("What about Riga?", turns)).at(-1)).toEqual({ type: "done", id: expect.any(String) });

      // The widget's limits are the server's: at the limit is accepted, one over is a 400.
      const status = (message: string, history: WireTurn[] = []) =>
        ask(message, history).then(
          () => 200,
          (error: ChatError) => error.status,
        );
      const turn = (content: string): WireTurn => ({ role: "user", content });
      expect(await status("x".repeat(limits.message))).toBe(200);
      expect(await status("x".repeat(limits.message + 1))).toBe(400);
      expect(
        await status(
          "Why?",
          Array.from({ length: limits.turns }, () => turn("x")),
        ),
      ).toBe(200);
      expect(
        await status(
          "Why?",
          Array.from({ length: limits.turns + 1 }, () => turn("x")),
        ),
      ).toBe(400);
      expect(await status("Why?", [turn("x".repeat(limits.turnLength))])).toBe(200);
      expect(await status("Why?", [turn("x".repeat(limits.turnLength + 1))])).toBe(400);
    } finally {
      await app.close();
    }
  });
});

describe("createSseParser", () => {
  it("yields the same events whether the text arrives whole or one character at a time, with LF, CRLF or CR line ends", () => {
    const text =
      ': heartbeat\n\nevent: delta\ndata: {"text":"a"}\n\ndata: first\ndata: second\n\nevent: done\ndata: {}\n\n';
    const expected: SseMessage[] = [
      { event: "delta", data: '{"text":"a"}' },
      { event: "message", data: "first\nsecond" },
      { event: "done", data: "{}" },
    ];
    for (const variant of [text, text.replaceAll("\n", "\r\n"), text.replaceAll("\n", "\r")]) {
      const whole: SseMessage[] = [];
      createSseParser((message) => whole.push(message)).feed(variant);
      expect(whole).toEqual(expected);
      const byCharacter: SseMessage[] = [];
      const parser = createSseParser((message) => byCharacter.push(message));
      for (const character of variant) parser.feed(character);
      expect(byCharacter).toEqual(expected);
    }
  });

  it("does not dispatch an event until its blank line arrives", () => {
    const messages: SseMessage[] = [];
    const parser = createSseParser((message) => messages.push(message));
    parser.feed('event: delta\ndata: {"text":"a"}\n');
    expect(messages).toEqual([]);
    parser.feed("\n");
    expect(messages).toHaveLength(1);
  });
});

describe("createTransport", () => {
  it("posts the question, the history and stream: true to <api>/api/chat", async () => {
    const fake = fakeFetch({ body: answerStream });
    const history: WireTurn[] = [
      { role: "user", content: "Earlier?" },
      { role: "assistant", content: "Yes [1]." },
    ];
    await collect(
      createTransport({ api: "http://127.0.0.1:9/", fetch: fake.fetch }).stream({ message: "Which ports?", history }),
    );
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]!.url).toBe("http://127.0.0.1:9/api/chat");
    expect(fake.calls[0]!.init.method).toBe("POST");
    expect(new Headers(fake.calls[0]!.init.headers).get("content-type")).toBe("application/json");
    expect(JSON.parse(String(fake.calls[0]!.init.body))).toEqual({ message: "Which ports?", history, stream: true });
  });

  it("yields contexts, each delta in order, the parsed citations and done, however the stream is split", async () => {
    for (const pieces of [1, 3, 17, answerStream.length]) {
      const fake = fakeFetch({ body: answerStream, pieces });
      const events = await collect(
        createTransport({ api: "http://x", fetch: fake.fetch }).stream({ message: "q", history: [] }),
      );
      expect(events.map((event) => event.type)).toEqual(["contexts", "delta", "delta", "citations", "done"]);
      const text = events.map((event) => (event.type === "delta" ? event.text : "")).join("");
      expect(text).toBe("Cargo goes to Latvian ports [1].");
      expect(events[3]).toEqual({ type: "citations", citations: [citation], grounded: true, mode: "extractive" });
    }
  });

  it("passes degraded and an abstention's grounded: false through", async () => {
    const body = sse([
      ["contexts", { contexts: [] }],
      ["delta", { text: "The interview does not answer that question." }],
      ["citations", { citations: [], grounded: false, mode: "llm", degraded: true }],
      ["done", {}],
    ]);
    const events = await collect(
      createTransport({ api: "http://x", fetch: fakeFetch({ body }).fetch }).stream({ message: "q", history: [] }),
    );
    expect(events).toContainEqual({ type: "citations", citations: [], grounded: false, mode: "llm", degraded: true });
  });

  it("throws the server's error event as a ChatError after the events before it", async () => {
    const body = sse([
      ["contexts", { contexts: [] }],
      ["delta", { text: "Partly" }],
      ["error", { code: "upstream_timeout", message: "The language model did not answer in time", status: 504 }],
    ]);
    const seen: string[] = [];
    const error = await (async () => {
      try {
        for await (const event of createTransport({ api: "http://x", fetch: fakeFetch({ body }).fetch }).stream({
          message: "q",
          history: [],
        }))
          seen.push(event.type);
      } catch (caught) {
        return caught;
      }
    })();
    expect(seen).toEqual(["contexts", "delta"]);
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({
      code: "upstream_timeout",
      status: 504,
      message: "The language model did not answer in time",
    });
  });

  it("surfaces a 429 JSON error with its code and Retry-After", async () => {
    const body = JSON.stringify({
      error: { code: "rate_limited", message: "Too many requests: at most 60 a minute. Try again shortly." },
    });
    const fake = fakeFetch({ status: 429, body, headers: { "content-type": "application/json", "retry-after": "42" } });
    const stream = createTransport({ api: "http://x", fetch: fake.fetch }).stream({ message: "q", history: [] });
    await expect(collect(stream)).rejects.toMatchObject({
      name: "ChatError",
      code: "rate_limited",
      status: 429,
      retryAfter: 42,
    });
  });

  it("surfaces an HTTP error without a JSON body by its status", async () => {
    const fake = fakeFetch({ status: 502, body: "<html>Bad gateway</html>", headers: { "content-type": "text/html" } });
    await expect(
      collect(createTransport({ api: "http://x", fetch: fake.fetch }).stream({ message: "q", history: [] })),
    ).rejects.toMatchObject({
      code: "http_502",
      status: 502,
    });
  });

  it("reports an unreachable server as a network error", async () => {
    const down = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    await expect(
      collect(createTransport({ api: "http://x", fetch: down }).stream({ message: "q", history: [] })),
    ).rejects.toMatchObject({
      code: "network",
      status: 0,
    });
  });

  it("reports a stream that ends before done as cut off", async () => {
    const fake = fakeFetch({ body: answerStream, pieces: 10, cutAfter: 6 });
    await expect(
      collect(createTransport({ api: "http://x", fetch: fake.fetch }).stream({ message: "q", history: [] })),
    ).rejects.toMatchObject({
      code: "incomplete",
    });
  });

  it("stops reading when aborted mid-stream, with an AbortError rather than a ChatError", async () => {
    const fake = fakeFetch({ body: answerStream, pieces: 40, delayMs: 5 });
    const controller = new AbortController();
    const seen: string[] = [];
    let caught: unknown;
    try {
      for await (const event of createTransport({ api: "http://x", fetch: fake.fetch }).stream(
        { message: "q", history: [] },
        controller.signal,
      )) {
        seen.push(event.type);
        if (event.type === "delta") controller.abort();
      }
    } catch (error) {
      caught = error;
    }
    expect(seen).toContain("delta");
    expect(seen).not.toContain("done");
    expect(caught).not.toBeInstanceOf(ChatError);
    expect((caught as Error).name).toBe("AbortError");
    expect(fake.calls[0]!.init.signal).toBe(controller.signal);
  });

  it("passes an abort before the reply arrives through as the fetch's AbortError", async () => {
    const controller = new AbortController();
    const hanging = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) =>
        init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      )) as unknown as typeof fetch;
    const pending = collect(
      createTransport({ api: "http://x", fetch: hanging }).stream({ message: "q", history: [] }, controller.signal),
    );
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("the transport's session token", () => {
  it("is fetched once, sent with every question, and renewed before it expires", async () => {
    let now = 0;
    const fake = fakeFetch({ body: answerStream });
    const transport = createTransport({ api: "http://x", fetch: fake.fetch, now: () => now });
    const ask = () => collect(transport.stream({ message: "q", history: [] }));
    await ask();
    await ask();
    expect(fake.sessionCalls).toHaveLength(1);
    expect(fake.sessionCalls[0]!.url).toBe("http://x/api/session");
    expect(fake.sessionCalls[0]!.init.method).toBe("POST");
    expect(fake.calls.map((call) => new Headers(call.init.headers).get("x-session-token"))).toEqual([
      "token-1",
      "token-1",
    ]);
    now = 539_000; // the token lives 600 s; it is renewed in its last minute
    await ask();
    expect(fake.sessionCalls).toHaveLength(1);
    now = 541_000;
    await ask();
    expect(fake.sessionCalls).toHaveLength(2);
    expect(new Headers(fake.calls.at(-1)!.init.headers).get("x-session-token")).toBe("token-2");
  });

  it("is renewed against a real server with API_KEYS set, the visitor seeing nothing of it", async () => {
    let now = Date.parse("2026-01-01T12:00:00Z");
    const sessions = new SessionTokens({ secret: randomBytes(32), ttlSeconds: 120, now: () => now });
    const app = await startApp({
      answerer: new FakeAnswerer(),
      sessions,
      protection: { apiKeys: ["k-one"], rateLimitPerMinute: 100 },
    });
    try {
      const requests: string[] = [];
      const page = asPageOn(app.url);
      const recording = ((url: string, init?: RequestInit) => (
        requests.push(new URL(url).pathname),
        page(url, init)
      )) as typeof fetch;
      // The server's clock runs ahead of the page's: the token expires on the server before the page renews it.
      const transport = createTransport({ api: app.url, fetch: recording, now: () => 0 });
      const ask = async () =>
        (await collect<ChatEvent>(transport.stream({ message: "Which ports?", history: [] }))).at(-1);
      expect(await ask()).toEqual({ type: "done", id: expect.any(String) });
      now += 121_000;
      expect(await ask()).toEqual({ type: "done", id: expect.any(String) });
      expect(requests).toEqual(["/api/session", "/api/chat", "/api/chat", "/api/session", "/api/chat"]);
      // Without a page's Origin (a script that does not claim one), no token and no answer.
      await expect(
        collect(createTransport({ api: app.url }).stream({ message: "q", history: [] })),
      ).rejects.toMatchObject({ status: 403, code: "origin_not_allowed" });
    } finally {
      await app.close();
    }
  });

  it("is replaced when its questions are used up (SESSION_QUOTA=2), the question asked again with the new one; the per-IP limit is not", async () => {
    const app = await startApp({
      answerer: new FakeAnswerer(),
      protection: { rateLimitPerMinute: 0, sessionQuota: 2 },
    });
    try {
      const requests: string[] = [];
      const page = asPageOn(app.url);
      const recording = (async (url: string, init?: RequestInit) => {
        const response = await page(url, init);
        requests.push(`${new URL(url).pathname} ${response.status}`);
        return response;
      }) as typeof fetch;
      const transport = createTransport({ api: app.url, fetch: recording });
      for (let i = 0; i < 5; i++)
        expect((await collect<ChatEvent>(transport.stream({ message: "Which ports?", history: [] }))).at(-1)).toEqual({
          type: "done",
          id: expect.any(String),
        });
      expect(requests).toEqual([
        "/api/session 200",
        "/api/chat 200",
        "/api/chat 200",
        "/api/chat 429",
        "/api/session 200",
        "/api/chat 200",
        "/api/chat 200",
        "/api/chat 429",
        "/api/session 200",
        "/api/chat 200",
      ]);
    } finally {
      await app.close();
    }
    // A 429 rate_limited is the visitor's to wait out: no new token, no second try.
    const limited = fakeFetch({
      status: 429,
      headers: { "retry-after": "30" },
      body: JSON.stringify({ error: { code: "rate_limited", message: "Too many requests" } }),
    });
    const transport = createTransport({ api: "http://x", fetch: limited.fetch });
    await expect(collect(transport.stream({ message: "q", history: [] }))).rejects.toMatchObject({
      code: "rate_limited",
      retryAfter: 30,
    });
    expect([limited.calls.length, limited.sessionCalls.length]).toEqual([1, 1]);
  });

  it("tells a page the server refuses a token (403 origin_not_allowed) that it is refused", async () => {
    const refusing = (async () =>
      new Response(JSON.stringify({ error: { code: "origin_not_allowed", message: "No" } }), {
        status: 403,
      })) as unknown as typeof fetch;
    expect(await createTransport({ api: "http://x", fetch: refusing }).check!()).toBe("refused");
  });

  it("is done without against a server that has no /api/session", async () => {
    const fake = fakeFetch({ body: answerStream });
    const noSessions = (async (url: string | URL | Request, init?: RequestInit) =>
      String(url).endsWith("/api/session")
        ? new Response("{}", { status: 404 })
        : fake.fetch(url, init)) as typeof fetch;
    const transport = createTransport({ api: "http://x", fetch: noSessions });
    expect((await collect(transport.stream({ message: "q", history: [] }))).at(-1)).toEqual({ type: "done" });
    expect(new Headers(fake.calls[0]!.init.headers).get("x-session-token")).toBeNull();
  });
});
