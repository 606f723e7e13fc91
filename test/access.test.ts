import { request as httpRequest } from "node:http";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { loadCorpus } from "../src/ingest/load-corpus.js";
import { parseInterview } from "../src/ingest/parse-interview.js";
import { SessionTokens } from "../src/serve/session-token.js";
import { escapeHtml, widgetRoutes } from "../src/serve/widget-routes.js";
import { projectRoot } from "./support/corpus.js";
import { FakeAnswerer } from "./support/fake-answerer.js";
import { postJson, startApp } from "./support/http.js";

// Issue 13, finding 1: API_KEYS must hold against any script, whatever Origin and Host it claims;
// pages get short-lived session tokens instead, and failed key attempts count against the limit.

const answerer = new FakeAnswerer();
const question = { message: "Which Latvian ports?" };

/** A raw request, so the test, like curl, chooses the Host header too. */
function rawPost(
  url: string,
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { hostname, port, path, method: "POST", headers: { "content-type": "application/json", ...headers } },
      (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on("error", reject);
    request.end(JSON.stringify(body));
  });
}

async function session(url: string, origin: string): Promise<Response> {
  return postJson(`${url}/api/session`, {}, { origin });
}

describe("API keys", () => {
  it("refuses a forged Origin matching a forged Host (401), with or without ALLOWED_ORIGINS", async () => {
    for (const allowedOrigins of [[], ["https://allowed.example"]]) {
      const app = await startApp({
        answerer,
        protection: { apiKeys: ["k-one"], allowedOrigins, rateLimitPerMinute: 100 },
      });
      try {
        const forged = await rawPost(app.url, "/api/chat", { origin: "http://x.invalid", host: "x.invalid" }, question);
        expect(forged.status).toBe(401);
        expect(JSON.parse(forged.body).error.code).toBe("unauthorized");
      } finally {
        await app.close();
      }
    }
  });

  it("grants nothing for an Origin alone: the server's own and an allowed one still need a key or a token", async () => {
    const app = await startApp({
      answerer,
      protection: { apiKeys: ["k-one"], allowedOrigins: ["https://allowed.example"], rateLimitPerMinute: 100 },
    });
    try {
      for (const origin of [app.url, "https://allowed.example"]) {
        const response = await postJson(`${app.url}/api/chat`, question, { origin });
        expect(response.status).toBe(401);
      }
      expect((await postJson(`${app.url}/api/chat`, question, { authorization: "Bearer k-one" })).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("counts failed key attempts against the rate limit, so keys cannot be guessed at full speed", async () => {
    const app = await startApp({ answerer, protection: { apiKeys: ["k-one"], rateLimitPerMinute: 3 } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await postJson(`${app.url}/api/chat`, question, { authorization: `Bearer guess-${i}` })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const limited = await postJson(`${app.url}/api/chat`, question, { authorization: "Bearer k-one" });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it("stays open without API_KEYS, as for local use", async () => {
    const app = await startApp({ answerer, protection: { rateLimitPerMinute: 100 } });
    try {
      expect((await postJson(`${app.url}/api/chat`, question)).status).toBe(200);
      expect((await postJson(`${app.url}/api/chat`, question, { origin: app.url })).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe("session tokens", () => {
  it("are given to allowed pages only, and let them ask with API_KEYS set", async () => {
    const app = await startApp({
      answerer,
      protection: { apiKeys: ["k-one"], allowedOrigins: ["https://allowed.example"], rateLimitPerMinute: 100 },
    });
    try {
      expect((await session(app.url, "https://evil.example")).status).toBe(403);
      expect((await postJson(`${app.url}/api/session`, {})).status).toBe(403); // no Origin: not a page
      const issued = await session(app.url, "https://allowed.example");
      expect(issued.status).toBe(200);
      expect(issued.headers.get("access-control-allow-origin")).toBe("https://allowed.example");
      const body = await issued.json();
      expect(body).toEqual({ token: expect.stringMatching(/^s1\./), expiresAt: expect.any(String), expiresIn: 600 });
      const asked = await postJson(`${app.url}/api/chat`, question, {
        origin: "https://allowed.example",
        "x-session-token": body.token,
      });
      expect(asked.status).toBe(200);
      // The server's own page (the demo) gets one too, on the address the connection arrived on.
      const own = await (await session(app.url, app.url)).json();
      expect(
        (await postJson(`${app.url}/api/chat`, question, { origin: app.url, "x-session-token": own.token })).status,
      ).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("are bound to their origin and cannot be forged or altered", async () => {
    const app = await startApp({
      answerer,
      protection: {
        apiKeys: ["k-one"],
        allowedOrigins: ["https://a.example", "https://b.example"],
        rateLimitPerMinute: 100,
      },
    });
    try {
      const { token } = await (await session(app.url, "https://a.example")).json();
      const use = (origin: string | undefined, sent: string) =>
        postJson(`${app.url}/api/chat`, question, { ...(origin ? { origin } : {}), "x-session-token": sent });
      expect((await use("https://b.example", token)).status).toBe(401);
      expect((await use(undefined, token)).status).toBe(401);
      const [prefix, payload, mac] = token.split(".");
      const altered = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), o: "https://b.example" }),
      ).toString("base64url");
      expect((await use("https://b.example", `${prefix}.${altered}.${mac}`)).status).toBe(401);
      const foreign = new SessionTokens({ secret: randomBytes(32), ttlSeconds: 600 }).issue("https://a.example").token;
      const refused = await use("https://a.example", foreign);
      expect(refused.status).toBe(401);
      expect((await refused.json()).error.code).toBe("session_invalid");
    } finally {
      await app.close();
    }
  });

  it("expire: a token works until its lifetime is over, then gets 401 session_expired", async () => {
    let now = Date.parse("2026-01-01T12:00:00Z");
    const sessions = new SessionTokens({ secret: randomBytes(32), ttlSeconds: 300, now: () => now });
    const app = await startApp({
      answerer,
      sessions,
      protection: { apiKeys: ["k-one"], allowedOrigins: ["https://allowed.example"], rateLimitPerMinute: 100 },
    });
    try {
      const body = await (await session(app.url, "https://allowed.example")).json();
      expect(body.expiresIn).toBe(300);
      const ask = () =>
        postJson(`${app.url}/api/chat`, question, { origin: "https://allowed.example", "x-session-token": body.token });
      now += 299_000;
      expect((await ask()).status).toBe(200);
      now += 1_000;
      const expired = await ask();
      expect(expired.status).toBe(401);
      expect((await expired.json()).error.code).toBe("session_expired");
    } finally {
      await app.close();
    }
  });

  it("carry a quota of their own, on top of the per-IP limit", async () => {
    const app = await startApp({
      answerer,
      protection: { allowedOrigins: ["https://allowed.example"], rateLimitPerMinute: 100, sessionQuota: 2 },
    });
    try {
      const { token } = await (await session(app.url, "https://allowed.example")).json();
      const ask = (sent: string) =>
        postJson(`${app.url}/api/chat`, question, { origin: "https://allowed.example", "x-session-token": sent });
      expect((await ask(token)).status).toBe(200);
      expect((await ask(token)).status).toBe(200);
      const refused = await ask(token);
      expect(refused.status).toBe(429);
      expect((await refused.json()).error.code).toBe("session_quota_exceeded");
      // Until the token's window (its lifetime) is over.
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(590);
      const { token: another } = await (await session(app.url, "https://allowed.example")).json();
      expect((await ask(another)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("count questions only: model lists, feedback and refused requests leave the quota", async () => {
    const app = await startApp({
      answerer,
      protection: { allowedOrigins: ["https://allowed.example"], rateLimitPerMinute: 100, sessionQuota: 3 },
    });
    try {
      const { token } = await (await session(app.url, "https://allowed.example")).json();
      const headers = { origin: "https://allowed.example", "x-session-token": token };
      for (let i = 0; i < 5; i++) expect((await fetch(`${app.url}/v1/models`, { headers })).status).toBe(200);
      for (let i = 0; i < 3; i++)
        expect((await postJson(`${app.url}/api/chat`, { message: "" }, headers)).status).toBe(400);
      for (let i = 0; i < 3; i++) expect((await postJson(`${app.url}/api/chat`, question, headers)).status).toBe(200);
      expect((await postJson(`${app.url}/api/chat`, question, headers)).status).toBe(429);
    } finally {
      await app.close();
    }
  });

  it("serve the demo page behind an HTTPS proxy when PUBLIC_URL names it, whatever Host the proxy forwards", async () => {
    const { publicUrl } = loadConfig({ PUBLIC_URL: "https://chat.example.org/" });
    expect(publicUrl).toBe("https://chat.example.org");
    const app = await startApp({ answerer, protection: { apiKeys: ["k-one"], publicUrl, rateLimitPerMinute: 100 } });
    try {
      const issued = await rawPost(
        app.url,
        "/api/session",
        { origin: "https://chat.example.org", host: "10.0.0.7:3000" },
        {},
      );
      expect(issued.status).toBe(200);
      const { token } = JSON.parse(issued.body);
      const asked = await rawPost(
        app.url,
        "/api/chat",
        { origin: "https://chat.example.org", host: "10.0.0.7:3000", "x-session-token": token },
        question,
      );
      expect(asked.status).toBe(200);
      // With PUBLIC_URL set, the connection's own address is no longer the server's origin.
      expect((await session(app.url, app.url)).status).toBe(403);
    } finally {
      await app.close();
    }
  });
});

describe("the server's own page behind an HTTPS proxy, without PUBLIC_URL or TRUST_PROXY", () => {
  // Issue 13, finding 7: the demo page at https://chat.example.org sends that Origin, while the
  // server sees plain HTTP on 10.0.0.7:3000 from the proxy: 403 origin_not_allowed for its own page.
  // The browser's Sec-Fetch-Site, which no page's script can set, says the page is on this origin.
  const proxied = { host: "10.0.0.7:3000", origin: "https://chat.example.org" };

  it("gets a token and asks with it when the browser says the page is same-origin", async () => {
    const app = await startApp({ answerer, protection: { apiKeys: ["k-one"], rateLimitPerMinute: 100 } });
    try {
      // What the issue found, and still the answer without the browser's word for it.
      expect((await rawPost(app.url, "/api/session", proxied, {})).status).toBe(403);
      const issued = await rawPost(app.url, "/api/session", { ...proxied, "sec-fetch-site": "same-origin" }, {});
      expect(issued.status).toBe(200);
      const { token } = JSON.parse(issued.body);
      const asked = await rawPost(
        app.url,
        "/api/chat",
        { ...proxied, "sec-fetch-site": "same-origin", "x-session-token": token },
        question,
      );
      expect(asked.status).toBe(200);
      // The token is bound to the page's origin, as any other.
      expect(
        (
          await rawPost(
            app.url,
            "/api/chat",
            { ...proxied, origin: "https://other.example", "sec-fetch-site": "same-origin", "x-session-token": token },
            question,
          )
        ).status,
      ).toBe(401);
    } finally {
      await app.close();
    }
  });

  it("grants nothing else: keys still hold, and other sites' pages (cross-site, same-site) are refused", async () => {
    const app = await startApp({ answerer, protection: { apiKeys: ["k-one"], rateLimitPerMinute: 100 } });
    try {
      const keyless = await rawPost(app.url, "/api/chat", { ...proxied, "sec-fetch-site": "same-origin" }, question);
      expect(keyless.status).toBe(401);
      for (const site of ["cross-site", "same-site", "none"]) {
        const refused = await rawPost(
          app.url,
          "/api/session",
          { origin: "https://evil.example", host: "10.0.0.7:3000", "sec-fetch-site": site },
          {},
        );
        expect(refused.status).toBe(403);
        expect(JSON.parse(refused.body).error.code).toBe("origin_not_allowed");
      }
    } finally {
      await app.close();
    }
  });

  it("on an open server (no API_KEYS), answers its own page and still refuses other sites' pages", async () => {
    const app = await startApp({ answerer, protection: { rateLimitPerMinute: 100 } });
    try {
      expect((await rawPost(app.url, "/api/chat", proxied, question)).status).toBe(403);
      expect(
        (await rawPost(app.url, "/api/chat", { ...proxied, "sec-fetch-site": "same-origin" }, question)).status,
      ).toBe(200);
      expect(
        (
          await rawPost(
            app.url,
            "/api/chat",
            { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
            question,
          )
        ).status,
      ).toBe(403);
    } finally {
      await app.close();
    }
  });
});

describe("POST /api/session in the OpenAPI document", () => {
  it("is described, with the token reply and its refusals", async () => {
    const app = await startApp({ answerer });
    try {
      const document = await (await fetch(`${app.url}/openapi.json`)).json();
      const post = document.paths["/api/session"].post;
      expect(post.responses["200"].content["application/json"].schema.required).toEqual([
        "token",
        "expiresAt",
        "expiresIn",
      ]);
      expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(["200", "403", "429"]));
      // The document describes what the route sends.
      const { token, ...rest } = await (await session(app.url, app.url)).json();
      expect(Object.keys({ token, ...rest }).sort()).toEqual(
        Object.keys(post.responses["200"].content["application/json"].schema.properties).sort(),
      );
    } finally {
      await app.close();
    }
  });
});

describe("the demo page behind a proxy", () => {
  it("shows the embed snippet at PUBLIC_URL, not at whatever Host the proxy forwards", async () => {
    const interviews = (await loadCorpus(path.join(projectRoot, "data"))).map(parseInterview);
    const app = await startApp({
      answerer,
      widget: widgetRoutes({ interviews, publicUrl: "https://chat.example.org" }),
      protection: { publicUrl: "https://chat.example.org" },
    });
    try {
      const page = await (await fetch(`${app.url}/`, { headers: { host: "10.0.0.7:3000" } })).text();
      expect(page).toContain(escapeHtml('<script src="https://chat.example.org/widget.js" defer></script>'));
      expect(page).not.toContain("10.0.0.7");
    } finally {
      await app.close();
    }
  });
});
