import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Insights } from "../src/insights/insights.js";
import { createTransport } from "../src/widget/transport.js";
import { FakeAnswerer } from "./support/fake-answerer.js";
import { silentLogger, startApp } from "./support/http.js";

const folder = mkdtempSync(path.join(tmpdir(), "widget-feedback-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("the widget's transport against a running server", () => {
  it("reads the reply's id off the done event and posts thumbs with its session token, under API_KEYS", async () => {
    const insights = Insights.open(
      { file: path.join(folder, "insights.sqlite") },
      { logger: silentLogger, flushMs: 1 },
    );
    const app = await startApp({
      answerer: new FakeAnswerer(),
      insights,
      adminKeys: ["admin"],
      protection: { apiKeys: ["k"], rateLimitPerMinute: 1000 },
    });
    try {
      // The widget runs on the server's own page, so its Origin is the server's.
      const fetchAsPage: typeof fetch = (input, init) =>
        fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: app.url } });
      const transport = createTransport({ api: app.url, fetch: fetchAsPage });
      const events = [];
      for await (const event of transport.stream({ message: "Where?", history: [] })) events.push(event);
      const done = events.at(-1)!;
      expect(done).toEqual({ type: "done", id: expect.stringMatching(/^[0-9a-f-]{36}\.[\w-]{22}$/) });
      await transport.feedback!({ id: (done as { id: string }).id, rating: "down", comment: "Too short" });
      const report = await (
        await fetch(`${app.url}/api/insights`, { headers: { authorization: "Bearer admin" } })
      ).json();
      expect(report.thumbsDown).toMatchObject([
        { id: (done as { id: string }).id, question: "Where?", comment: "Too short" },
      ]);
      await expect(transport.feedback!({ id: "no-such-reply", rating: "up" })).rejects.toMatchObject({ status: 404 });
    } finally {
      await app.close();
      await insights.close();
    }
  });
});
