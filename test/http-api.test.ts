import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../src/config.js";
import { FakeAnswerer } from "./support/fake-answerer.js";
import { postJson, readEvents, startApp } from "./support/http.js";

let app: Awaited<ReturnType<typeof startApp>>;
const answerer = new FakeAnswerer();

beforeAll(async () => {
  app = await startApp({
    answerer,
    protection: { allowedOrigins: ["https://allowed.example"], rateLimitPerMinute: 1000 },
  });
});
afterAll(() => app.close());

const chat = (body: unknown, headers?: Record<string, string>) => postJson(`${app.url}/api/chat`, body, headers);

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/application\/json/);
  const body = await response.json();
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  return body.error.message as string;
}

describe("POST /api/chat", () => {
  it("answers with the contract's JSON object, passing the trimmed question and history on", async () => {
    const response = await chat({ message: "  Why?  ", history: [{ role: "user", content: "Earlier" }] });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      answer: "You asked: Why? [1]",
      grounded: true,
      mode: "extractive",
      citations: [{ n: 1 }],
    });
    expect(answerer.requests.at(-1)).toEqual({ message: "Why?", history: [{ role: "user", content: "Earlier" }] });
  });

  it("marks a JSON answer as never to be cached: no-store and no ETag", async () => {
    const response = await chat({ message: "Why?" });
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("etag")).toBeNull();
  });

  it("streams contexts, deltas, citations and done as Server-Sent Events, ready for proxies", async () => {
    for (const [body, headers] of [
      [{ message: "Stream it", stream: true }, {}],
      [{ message: "Stream it" }, { accept: "text/event-stream" }],
    ] as const) {
      const response = await chat(body, headers);
      expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
      expect(response.headers.get("x-accel-buffering")).toBe("no");
      expect(response.headers.get("cache-control")).toMatch(/no-cache/);
      expect(response.headers.get("content-encoding")).toBeNull();
      const { events } = await readEvents(response);
      const names = events.map((event) => event.event);
      expect(names[0]).toBe("contexts");
      expect(names.slice(-3)).toEqual(["citations", "suggestions", "done"]);
      expect(names.slice(1, -3).every((name) => name === "delta") && names.length > 4).toBe(true);
      expect(
        events
          .filter((event) => event.event === "delta")
          .map((event) => JSON.parse(event.data).text)
          .join(""),
      ).toBe("You asked: Stream it [1]");
      expect(JSON.parse(events.at(-3)!.data)).toMatchObject({
        grounded: true,
        citations: [{ n: 1, quote: "A quote." }],
      });
    }
  });

  it.each([
    ["no message", {}, /message/],
    ["a blank message", { message: "   " }, /message: must not be empty/],
    ["a message over 2,000 characters", { message: "x".repeat(2001) }, /2,000/],
    [
      "21 history turns",
      { message: "ok", history: Array(21).fill({ role: "user", content: "x" }) },
      /history: must hold at most 20 turns/,
    ],
    [
      "a system turn in the history",
      { message: "ok", history: [{ role: "system", content: "x" }] },
      /history\.0\.role/,
    ],
    [
      "a history turn over 4,000 characters",
      { message: "ok", history: [{ role: "user", content: "x".repeat(4001) }] },
      /4,000/,
    ],
    ["a number for a message", { message: 42 }, /message/],
    ["an unknown field", { message: "ok", extra: true }, /extra|Unrecognized/i],
  ])("returns 400 invalid_request for %s", async (_name, body, message) => {
    expect(await expectError(await chat(body), 400, "invalid_request")).toMatch(message);
  });

  it("returns 400 when the body is JSON but not an object", async () => {
    expect(await expectError(await chat([1, 2]), 400, "invalid_request")).toMatch(/expected object/);
    await expectError(await chat("just a string"), 400, "invalid_json");
  });

  it("returns 400 invalid_json when the body is not valid JSON", async () => {
    const response = await fetch(`${app.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{oops",
    });
    await expectError(response, 400, "invalid_json");
  });

  it("returns 413 when the body is over 32 KB", async () => {
    await expectError(
      await chat({ message: "ok", history: [{ role: "user", content: "x".repeat(33_000) }] }),
      413,
      "payload_too_large",
    );
  });

  it("returns 415 when the body is not JSON", async () => {
    const response = await fetch(`${app.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "message=hi",
    });
    await expectError(response, 415, "unsupported_media_type");
  });

  it("returns 404 JSON for an unknown route", async () => {
    await expectError(await fetch(`${app.url}/api/nope`), 404, "not_found");
  });

  it("gives every reply a request id, keeping a sane one from the client", async () => {
    expect(
      (await fetch(`${app.url}/healthz`, { headers: { "x-request-id": "abc-123" } })).headers.get("x-request-id"),
    ).toBe("abc-123");
    expect(
      (await fetch(`${app.url}/healthz`, { headers: { "x-request-id": "bad id <>" } })).headers.get("x-request-id"),
    ).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends security headers", async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });
});

describe("CORS", () => {
  it("lets an allowed origin's pages call the API, preflight included", async () => {
    const preflight = await fetch(`${app.url}/api/chat`, {
      method: "OPTIONS",
      headers: {
        origin: "https://allowed.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://allowed.example");
    const response = await chat({ message: "Hi there" }, { origin: "https://allowed.example" });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://allowed.example");
  });

  it("refuses other sites' pages with 403 and no CORS headers", async () => {
    const response = await chat({ message: "Hi there" }, { origin: "https://evil.example" });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(await expectError(response, 403, "origin_not_allowed")).toMatch(/ALLOWED_ORIGINS/);
  });
});

describe("protection", () => {
  it("answers 429 with Retry-After once a client is over its limit", async () => {
    const limited = await startApp({ answerer, protection: { rateLimitPerMinute: 3 } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await postJson(`${limited.url}/api/chat`, { message: "again" })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const response = await postJson(`${limited.url}/api/chat`, { message: "again" });
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      await expectError(response, 429, "rate_limited");
    } finally {
      await limited.close();
    }
  });

  it("sends Retry-After as the seconds until the client's window resets, not the whole window", async () => {
    // Only Date is faked: the limiter's window is measured with Date.now, the sockets run on real timers.
    const opened = Date.parse("2024-05-01T12:00:00Z");
    vi.useFakeTimers({ toFake: ["Date"], now: opened });
    const limited = await startApp({ answerer, protection: { rateLimitPerMinute: 2 } });
    const again = () => postJson(`${limited.url}/api/chat`, { message: "again" });
    try {
      expect((await again()).status).toBe(200); // the client's window opens now and resets a minute later
      vi.setSystemTime(opened + 25_000);
      expect((await again()).status).toBe(200);
      const refused = await again();
      await expectError(refused, 429, "rate_limited");
      expect(refused.headers.get("retry-after")).toBe("35");
      vi.setSystemTime(opened + 59_500);
      expect((await again()).headers.get("retry-after")).toBe("1");
      vi.setSystemTime(opened + 60_000);
      expect((await again()).status).toBe(200); // waiting exactly as long as told was enough
    } finally {
      vi.useRealTimers();
      await limited.close();
    }
  });

  it("limits each client on its own behind a trusted proxy: one client over its limit does not hold up another", async () => {
    const { trustProxy } = loadConfig({ TRUST_PROXY: "1" });
    const limited = await startApp({ answerer, trustProxy, protection: { rateLimitPerMinute: 2 } });
    const from = (client: string) =>
      postJson(`${limited.url}/api/chat`, { message: "again" }, { "x-forwarded-for": client });
    try {
      const first = [];
      for (let i = 0; i < 3; i++) first.push((await from("203.0.113.7")).status);
      expect(first).toEqual([200, 200, 429]);
      const second = [];
      for (let i = 0; i < 3; i++) second.push((await from("198.51.100.20")).status);
      expect(second).toEqual([200, 200, 429]);
      expect((await from("203.0.113.7")).status).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it("requires a bearer key when API_KEYS is set, or from allowed pages a session token (test/access.test.ts)", async () => {
    const keyed = await startApp({
      answerer,
      protection: { apiKeys: ["k-one", "k-two"], allowedOrigins: ["https://allowed.example"] },
    });
    try {
      await expectError(await postJson(`${keyed.url}/api/chat`, { message: "hi" }), 401, "unauthorized");
      await expectError(
        await postJson(`${keyed.url}/api/chat`, { message: "hi" }, { authorization: "Bearer wrong" }),
        401,
        "unauthorized",
      );
      expect(
        (await postJson(`${keyed.url}/api/chat`, { message: "hi" }, { authorization: "Bearer k-two" })).status,
      ).toBe(200);
      await expectError(
        await postJson(`${keyed.url}/api/chat`, { message: "hi" }, { origin: "https://allowed.example" }),
        401,
        "unauthorized",
      );
      const { token } = await (
        await postJson(`${keyed.url}/api/session`, {}, { origin: "https://allowed.example" })
      ).json();
      expect(
        (
          await postJson(
            `${keyed.url}/api/chat`,
            { message: "hi" },
            { origin: "https://allowed.example", "x-session-token": token },
          )
        ).status,
      ).toBe(200);
    } finally {
      await keyed.close();
    }
  });
});

describe("GET /openapi.json", () => {
  it("describes the endpoints with the request schema the server validates with", async () => {
    const document = await (await fetch(`${app.url}/openapi.json`)).json();
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/api/chat", "/v1/chat/completions", "/v1/models", "/healthz", "/api/sources/{id}"]),
    );
    const source = document.paths["/api/sources/{id}"].get.responses["200"].content["application/json"].schema;
    expect(source.required).toEqual(expect.arrayContaining(["text", "name", "interviewee"]));
    const schema = document.paths["/api/chat"].post.requestBody.content["application/json"].schema;
    expect(schema.required).toEqual(["message"]);
    expect(schema.properties.history.maxItems).toBe(20);
    expect(document.paths["/api/chat"].post.responses["413"]).toBeDefined();
  });
});
