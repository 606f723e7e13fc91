import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { Window } from "happy-dom";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCorpus } from "../src/ingest/load-corpus.js";
import { parseInterview, type ParsedInterview } from "../src/ingest/parse-interview.js";
import { createApp } from "../src/serve/create-app.js";
import { escapeHtml } from "../src/serve/widget-routes.js";
import { projectRoot } from "./support/corpus.js";
import { FakeAnswerer } from "./support/fake-answerer.js";
import { buildWidgetForTests, listen, startWidgetApp, type RunningServer } from "./support/widget-harness.js";

let assetsDir: string;
let interviews: ParsedInterview[];
let app: RunningServer;

beforeAll(async () => {
  assetsDir = await buildWidgetForTests();
  interviews = (await loadCorpus(path.join(projectRoot, "data"))).map(parseInterview);
  // A limit of 2 a minute and required keys: the widget's own routes must not be subject to either.
  app = await startWidgetApp({
    answerer: new FakeAnswerer(),
    interviews,
    assetsDir,
    protection: { rateLimitPerMinute: 2, apiKeys: ["secret-key"] },
  });
});

afterAll(() => app?.close());

function parse(html: string) {
  const window = new Window();
  window.document.write(html);
  return window.document;
}

describe("the widget bundle", () => {
  it("is one self-contained file of at most 25 KB gzipped", async () => {
    const bundle = await readFile(path.join(assetsDir, "widget.js"));
    const gzipped = gzipSync(bundle, { level: 9 }).length;
    expect(gzipped).toBeGreaterThan(1_000);
    expect(gzipped).toBeLessThanOrEqual(25 * 1024);
    const text = bundle.toString("utf8");
    expect(text).not.toMatch(/\bimport\s*\(|\brequire\s*\(|^\s*import\s/m);
    expect(await readdir(assetsDir)).toEqual(expect.arrayContaining(["widget.js", "demo.js", "demo.css"]));
  });

  it("holds no secrets and never parses data as HTML", async () => {
    const bundle = await readFile(path.join(assetsDir, "widget.js"), "utf8");
    for (const secret of ["OPENAI", "API_KEY", "sk-", "Bearer", "secret-key", "process.env"])
      expect(bundle).not.toContain(secret);
    for (const sink of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("])
      expect(bundle).not.toContain(sink);
  });

  it("type-checks as browser code, with no Node.js types", async () => {
    const tsc = path.join(projectRoot, "node_modules/.bin/tsc");
    await expect(
      promisify(execFile)(tsc, ["--noEmit", "-p", path.join(projectRoot, "src/widget/tsconfig.json")]),
    ).resolves.toBeDefined();
  });
});

describe("GET /widget.js", () => {
  it("is JavaScript any site may load, cacheable for an hour with an ETag", async () => {
    const response = await fetch(`${app.url}/widget.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^(text|application)\/javascript/);
    expect(response.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(response.headers.get("etag")).toBeTruthy();
    expect(await response.text()).toBe(await readFile(path.join(assetsDir, "widget.js"), "utf8"));
  });

  it("answers 304 to a request that already holds the current version", async () => {
    const etag = (await fetch(`${app.url}/widget.js`)).headers.get("etag")!;
    // fetch() adds "Cache-Control: no-cache" to conditional requests unless one is given; a browser revalidating sends max-age=0.
    const response = await fetch(`${app.url}/widget.js`, {
      headers: { "if-none-match": etag, "cache-control": "max-age=0" },
    });
    expect(response.status).toBe(304);
  });

  it("is served past the API's rate limit and key requirement", async () => {
    for (let i = 0; i < 4; i++) expect((await fetch(`${app.url}/widget.js`)).status).toBe(200);
    expect((await fetch(`${app.url}/`)).status).toBe(200);
  });

  it("answers 503 with a JSON error when the widget was not built", async () => {
    const empty = await mkdtemp(path.join(tmpdir(), "interview-chat-empty-"));
    const unbuilt = await startWidgetApp({ answerer: new FakeAnswerer(), interviews, assetsDir: empty });
    try {
      const response = await fetch(`${unbuilt.url}/widget.js`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error: { code: "widget_not_built", message: expect.stringContaining("npm run build:widget") },
      });
    } finally {
      await unbuilt.close();
    }
  });

  it("is not there when the app is created without the widget", async () => {
    const bare = await listen(createApp({ answerer: new FakeAnswerer(), logger: pino({ level: "silent" }) }));
    try {
      expect((await fetch(`${bare.url}/widget.js`)).status).toBe(404);
      expect((await fetch(`${bare.url}/`)).status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});

describe("GET / (the demo page)", () => {
  it("shows the interview: its title, every question as a heading, and text whose offsets give the source back", async () => {
    const response = await fetch(`${app.url}/`);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const document = parse(await response.text());
    const [interview] = interviews;
    const source = interview!.source.text;
    expect(document.querySelector("article h1")?.textContent).toBe(interview!.title!.text);
    const headings = [...document.querySelectorAll("article h2")].map((heading) => heading.textContent);
    expect(headings).toEqual(interview!.questions.map((question) => `${question.speaker}:${question.question.text}`));
    const spans = [...document.querySelectorAll("[data-start][data-end]")];
    expect(spans.length).toBeGreaterThan(interview!.questions.length * 2);
    for (const span of spans) {
      expect(span.textContent).toBe(
        source.slice(Number(span.getAttribute("data-start")), Number(span.getAttribute("data-end"))),
      );
    }
  });

  it("carries the widget, the demo script and the snippet to copy, with no inline script", async () => {
    const document = parse(await (await fetch(`${app.url}/`)).text());
    const scripts = [...document.querySelectorAll("script")];
    expect(scripts.map((script) => script.getAttribute("src"))).toEqual(["/demo.js", "/widget.js"]);
    expect(scripts.every((script) => script.textContent === "")).toBe(true);
    expect(scripts[1]!.getAttribute("data-suggestions")!.split("|").length).toBeGreaterThan(1);
    expect(document.querySelector("#snippet")?.textContent).toBe(`<script src="${app.url}/widget.js" defer></script>`);
  });

  it("keeps a strict content security policy without forcing HTTPS, so it works from a plain-HTTP server on the LAN", async () => {
    const policy = (await fetch(`${app.url}/`)).headers.get("content-security-policy") ?? "";
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain("upgrade-insecure-requests");
  });

  it("escapes markup in the interview", async () => {
    const text =
      'A <script>alert(1)</script> & "quoted" title\r\n\r\nLead with <img src=x onerror=alert(1)>.\n\nQ: Is <b>this</b> bold?\n\nNo & never.\n';
    const hostile = parseInterview({ id: "hostile", name: "hostile.txt", text, sha256: "x" });
    const server = await startWidgetApp({ answerer: new FakeAnswerer(), interviews: [hostile], assetsDir });
    try {
      const html = await (await fetch(`${server.url}/`)).text();
      expect(html).not.toContain("<script>alert");
      expect(html).not.toContain("<img src=x");
      const document = parse(html);
      expect(document.querySelectorAll("article img, article b, article script")).toHaveLength(0);
      for (const span of document.querySelectorAll("[data-start][data-end]")) {
        expect(span.textContent).toBe(
          text.slice(Number(span.getAttribute("data-start")), Number(span.getAttribute("data-end"))),
        );
      }
      expect(document.querySelector("article h2")?.textContent).toBe("Q:Is <b>this</b> bold?");
    } finally {
      await server.close();
    }
  });

  it("escapeHtml leaves nothing an HTML parser would read as markup", () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&amp;</a>\r`)).toBe(
      "&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;amp;&#60;/a&#62;&#13;",
    );
  });
});

describe("GET /embed", () => {
  it("documents every option, the JavaScript API, the citation event and ALLOWED_ORIGINS", async () => {
    const response = await fetch(`${app.url}/embed`);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    const document = parse(html);
    const documented = [...document.querySelectorAll("tbody th code")].map((code) => code.textContent);
    for (const option of [
      "data-api",
      "data-title",
      "data-greeting",
      "data-suggestions",
      "data-accent",
      "data-position",
      "data-open",
      "data-mode",
      "data-target",
    ]) {
      expect(documented).toContain(option);
    }
    for (const call of ["InterviewChat.open()", "InterviewChat.close()", "InterviewChat.ask(text)"])
      expect(documented).toContain(call);
    expect(document.body.textContent).toContain("interview-chat:citation");
    expect(document.body.textContent).toContain("ALLOWED_ORIGINS");
    expect(document.body.textContent).toContain(`<script src="${app.url}/widget.js" defer></script>`);
  });
});
