import { readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import express from "express";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import type { AnswerEvent, Answerer, AnswerOptions, ChatRequest, ChatResponse } from "../src/answer/types.js";
import { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../src/search-index/open-index.js";
import { projectRoot, readInterview, scratchProject } from "./support/corpus.js";
import { widgetRoutes } from "../src/serve/widget-routes.js";
import {
  buildWidgetForTests,
  hasChromium,
  chromiumPath,
  launchChromium,
  listen,
  startWidgetApp,
  type RunningServer,
} from "./support/widget-harness.js";

// The real app (real index, local encoder, extractive answerer) and Debian's Chromium, all on 127.0.0.1.
const artifacts = path.join(projectRoot, "test-artifacts");
let source: string;
let browser: Browser;
let app: RunningServer;
let slowApp: RunningServer;
let quotaApp: RunningServer;
let scriptedServer: RunningServer;
let host: RunningServer;
let strangerHost: RunningServer;
let context: BrowserContext;
let page: Page;
const hanging = new (class HangingAnswerer implements Answerer {
  readonly mode = "extractive" as const;
  aborted = 0;
  answer(): Promise<ChatResponse> {
    throw new Error("stream only");
  }
  /** One delta, then nothing until the client goes away. */
  async *stream(_request: ChatRequest, options: AnswerOptions = {}): AsyncIterable<AnswerEvent> {
    yield { type: "contexts", contexts: [] };
    yield { type: "delta", text: "Let me think about " };
    await new Promise<void>((resolve) => options.signal?.addEventListener("abort", () => resolve()));
    this.aborted++;
  }
})();

/** Ten seconds of silence, as an 8 kHz 8-bit WAV file: a recording the page's player can seek in. */
const silence = path.join(tmpdir(), `interview-chat-silence-${process.pid}.wav`);
writeFileSync(
  silence,
  (() => {
    const samples = 8000 * 10;
    const wav = Buffer.alloc(44 + samples, 0x80);
    wav.write("RIFF", 0);
    wav.writeUInt32LE(36 + samples, 4);
    wav.write("WAVEfmt ", 8);
    wav.writeUInt32LE(16, 16);
    wav.writeUInt16LE(1, 20); // PCM
    wav.writeUInt16LE(1, 22); // mono
    wav.writeUInt32LE(8000, 24);
    wav.writeUInt32LE(8000, 28);
    wav.writeUInt16LE(1, 32);
    wav.writeUInt16LE(8, 34);
    wav.write("data", 36);
    wav.writeUInt32LE(samples, 40);
    return wav;
  })(),
);

/** Pages on another origin that embed the widget, as a customer's site would. */
function hostSite(widgetUrl: () => string): express.Express {
  const site = express();
  const embed = (attributes = "") => `<script src="${widgetUrl()}/widget.js" defer ${attributes}></script>`;
  const page = (head: string, body: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>${head}</head><body>${body}</body></html>`;
  site.get("/blank", (_request, response) => {
    response.type("html").send(page("", "<p>No widget here.</p>"));
  });
  site.get("/hostile", (_request, response) => {
    response.type("html").send(
      page(
        `<style>* { all: unset } button { display: none } .launcher, .panel, textarea { display: none !important }</style>
${embed('data-title="Ask the ambassador" data-accent="rgb(11, 122, 90)" data-position="bottom-left" data-suggestions="Which Latvian ports receive Kazakh cargo?|Who was interviewed?"')}`,
        "<h1>A customer's page</h1><button>Host button</button>",
      ),
    );
  });
  site.get("/plain", (_request, response) => {
    response
      .type("html")
      .send(
        page(
          embed(),
          `<h1>A customer's page</h1><div class="panel message chip">host content</div><button class="launcher">Host button</button><textarea></textarea>`,
        ),
      );
  });
  // A host whose body is transformed: position: fixed inside it would be relative to the body, 3000 px tall.
  site.get("/transformed", (_request, response) => {
    response
      .type("html")
      .send(
        page(
          `<style>body { transform: scale(1); margin: 0 } .tall { height: 3000px }</style>${embed()}`,
          `<main class="tall">A long page</main>`,
        ),
      );
  });
  // A right-to-left page in Arabic: the widget keeps its own language and direction.
  site.get("/rtl", (_request, response) => {
    response
      .type("html")
      .send(
        `<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>مضيف</title>${embed()}</head><body><p>صفحة</p></body></html>`,
      );
  });
  // A page with the interview's recording on it, which quotes' times seek.
  site.get("/media", (_request, response) => {
    response
      .type("html")
      .send(
        page(
          embed('data-media="#recording"'),
          `<main><h1>The interview</h1><audio id="recording" controls preload="auto" src="/silence.wav"></audio></main>`,
        ),
      );
  });
  site.get("/silence.wav", (_request, response) => response.sendFile(silence));
  site.get("/logo.png", (_request, response) => {
    response
      .type("png")
      .send(
        Buffer.from(
          "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
          "base64",
        ),
      );
  });
  site.get("/options", (_request, response) => {
    response
      .type("html")
      .send(
        page(
          embed(
            `data-theme="dark" data-avatar="/logo.png" data-lang="de" data-labels='{"send":"Los"}' data-placeholder="Ihre Frage zum Interview" data-persist="local" data-source="interview.txt" data-accent="rgb(11, 122, 90)"`,
          ),
          "<main><h1>Options</h1></main>",
        ),
      );
  });
  site.get("/inline", (_request, response) => {
    response
      .type("html")
      .send(
        page(
          embed('data-mode="inline" data-target="#slot"'),
          `<div id="slot" style="height: 480px; width: 420px"></div>`,
        ),
      );
  });
  return site;
}

/** Closes the connection of the "drop" answer that `scriptedApp` is holding open. */
let dropConnection = () => {};

/** 2,500 words in paragraphs, the first with bold and a citation marker, a list in the middle. */
const longAnswer = Array.from({ length: 25 }, (_, paragraph) => {
  const words = Array.from({ length: 100 }, (_, i) => `word${paragraph}x${i}`);
  if (paragraph === 0) words.splice(10, 0, "**cargo**", "[1]");
  if (paragraph === 12) return `- ${words.slice(0, 50).join(" ")}\n- ${words.slice(50).join(" ")}`;
  return words.join(" ");
}).join("\n\n");

/**
 * A server whose /api/chat misbehaves on purpose, beside the real demo page: for "drop" it sends
 * two deltas and then closes the connection mid-stream; for anything else it streams `longAnswer`
 * in five-word deltas, cites one quote and ends.
 */
function scriptedApp(
  interviews: Parameters<typeof widgetRoutes>[0]["interviews"],
  assetsDir: string,
  quote: { text: string; start: number },
): express.Express {
  const scripted = express();
  scripted.use(express.json());
  scripted.post("/api/session", (_request, response) => {
    response.status(404).json({ error: { code: "not_found", message: "No such route" } });
  });
  scripted.post("/api/chat", async (request, response) => {
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    send("contexts", { contexts: [] });
    if ((request.body as { message?: string }).message === "drop") {
      send("delta", { text: "The first half of an answer, " });
      send("delta", { text: "and then the line goes" });
      // The test cuts the line once the page shows those words: a drop that came with them could fail the fetch itself.
      await new Promise<void>((resolve) => (dropConnection = resolve));
      response.socket?.destroy();
      return;
    }
    const words = longAnswer.split(/(?<= )/);
    for (let i = 0; i < words.length; i += 5) {
      send("delta", { text: words.slice(i, i + 5).join("") });
      if (i % 50 === 0) await pause();
    }
    const citation = {
      n: 1,
      chunkId: "c0",
      section: "Introduction",
      quote: quote.text,
      start: quote.start,
      end: quote.start + quote.text.length,
    };
    send("citations", { kind: "answer", citations: [citation], grounded: true, mode: "extractive" });
    send("done", {});
    response.end();
  });
  scripted.use(widgetRoutes({ interviews, assetsDir }));
  return scripted;
}

if (!hasChromium)
  console.warn(
    `Skipping the browser tests: no Chromium at ${chromiumPath} (install Debian's chromium, or set CHROMIUM_PATH).`,
  );

beforeAll(async () => {
  if (!hasChromium) return;
  source = await readInterview();
  const [assetsDir, opened] = await Promise.all([
    buildWidgetForTests(),
    scratchProject().then((project) => openIndex({ ...project, embedder: new LocalEmbeddings() })),
  ]);
  const embedder = new LocalEmbeddings();
  const answerer = new ExtractiveAnswerer({
    retriever: new HybridRetriever(opened.index, embedder),
    interviews: opened.interviews,
    chunks: opened.index.chunks,
  });
  let appUrl = "";
  host = await listen(hostSite(() => appUrl));
  strangerHost = await listen(hostSite(() => appUrl));
  // API keys required: the demo page and the allowed site ask with the session tokens the widget fetches (issue 13).
  app = await startWidgetApp({
    answerer,
    interviews: opened.interviews,
    assetsDir,
    protection: { allowedOrigins: [host.url], apiKeys: ["browser-test-key"], rateLimitPerMinute: 0 },
  });
  appUrl = app.url;
  slowApp = await startWidgetApp({
    answerer: hanging,
    interviews: opened.interviews,
    assetsDir,
    protection: { rateLimitPerMinute: 0 },
  });
  // SESSION_QUOTA=3: each session token may ask three questions.
  quotaApp = await startWidgetApp({
    answerer,
    interviews: opened.interviews,
    assetsDir,
    protection: { rateLimitPerMinute: 0, sessionQuota: 3 },
  });
  const quoteStart = source.indexOf("Riga");
  scriptedServer = await listen(
    scriptedApp(opened.interviews, assetsDir, { text: source.slice(quoteStart, quoteStart + 60), start: quoteStart }),
  );
  browser = await launchChromium();
  await mkdir(artifacts, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([
    app?.close(),
    slowApp?.close(),
    quotaApp?.close(),
    scriptedServer?.close(),
    host?.close(),
    strangerHost?.close(),
  ]);
});

const dialogs: string[] = [];
const pageErrors: string[] = [];

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  dialogs.length = 0;
  pageErrors.length = 0;
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
});

afterEach(async () => {
  await context?.close();
  expect(pageErrors).toEqual([]);
});

const widget = (selector: string) => page.locator(`interview-chat ${selector}`);

/** Types a question and sends it with Enter; resolves once the answer has finished (or failed). */
async function ask(question: string): Promise<void> {
  await widget("textarea").fill(question);
  await widget("textarea").press("Enter");
  await widget(".stop").waitFor({ state: "hidden" });
  await widget(".send").waitFor({ state: "visible" });
}

/** Types a question and sends it with Enter; resolves while the answer streams, once it reads exactly `text`. */
async function sendUntilAnswerReads(question: string, text: string): Promise<void> {
  await widget("textarea").fill(question);
  await widget("textarea").press("Enter");
  await page.waitForFunction(
    (expected) =>
      document.querySelector("interview-chat")!.shadowRoot!.querySelector(".assistant:last-child .text")
        ?.textContent === expected,
    text,
  );
}

const lastAnswer = () => widget(".assistant").last();

/** The widget's shadow root's focused element, described. */
const focused = () =>
  page.evaluate(() => {
    const active = document.activeElement?.shadowRoot?.activeElement ?? document.activeElement;
    return active ? `${active.tagName.toLowerCase()}.${active.className}` : "";
  });

/** axe-core's rules run in the page (shadow roots included); each violation as "rule: targets". */
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
async function axeViolations(within?: string): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the page's CSP (script-src 'self') does not govern.
  await page.evaluate(axeSource);
  return page.evaluate(async (selector) => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: Document | Element,
          ): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown[] }> }> }>;
        };
      }
    ).axe;
    const { violations } = await axe.run(selector ? document.querySelector(selector)! : document);
    return violations.map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => JSON.stringify(node.target)).join(", ")}`,
    );
  }, within);
}

describe.skipIf(!hasChromium)("the widget on the demo page", () => {
  it("has no axe-core violations on the demo page with an answer and an open citation, nor on /embed", async () => {
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    await ask("Which Latvian ports receive Kazakh cargo?");
    await lastAnswer().locator("button.chip").first().click();
    await lastAnswer().locator(".card-quote").waitFor();
    await page.locator("mark.cited").first().waitFor();
    expect(await axeViolations()).toEqual([]);

    await page.goto(`${app.url}/embed`);
    await page.locator("#chat-here interview-chat").waitFor({ state: "attached" });
    await widget(".panel").waitFor();
    expect(await axeViolations()).toEqual([]);
  });

  it("streams an answer with citation chips; a chip shows a quote from the interview and highlights it in the text", async () => {
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    await widget("textarea").fill("Which Latvian ports receive Kazakh cargo?");
    const reply = page.waitForResponse((response) => response.url().endsWith("/api/chat"));
    await widget("textarea").press("Enter");
    expect((await reply).headers()["content-type"]).toMatch(/^text\/event-stream/);
    await widget(".send").waitFor({ state: "visible" });

    const text = await lastAnswer().locator(".text").textContent();
    expect(text).toMatch(/Riga/);
    const chips = lastAnswer().locator("button.chip");
    expect(await chips.count()).toBeGreaterThan(0);
    await chips.first().click();
    expect(await chips.first().getAttribute("aria-expanded")).toBe("true");
    const quote = (await lastAnswer().locator(".card-quote").textContent())!;
    const question = (await lastAnswer().locator(".card-question").textContent())!;
    expect(quote.length).toBeGreaterThan(20);
    expect(source).toContain(quote);
    expect(source).toContain(question);
    expect(await lastAnswer().locator(".card-quote").getAttribute("title")).toMatch(
      /^Characters \d+–\d+ of the interview$/,
    );

    // The demo page marks exactly the quote, at its offsets, and scrolls to it.
    await page.locator("mark.cited").first().waitFor();
    expect((await page.locator("mark.cited").allTextContents()).join("")).toBe(quote);
    await page.waitForFunction(() => {
      const box = document.querySelector("mark.cited")!.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= innerHeight;
    });
    const live = await widget("[aria-live=polite]").textContent();
    expect(live).toMatch(/^Answer: .*Riga/);

    await page.screenshot({ path: path.join(artifacts, "widget-answer.png") });
    // docs/widget.png and docs/widget-phone.png are made by scripts/widget-screenshots.ts.
  });

  it("says so when the interview does not answer the question", async () => {
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    await ask("What is the capital of France?");
    expect(await lastAnswer().locator(".text").textContent()).toMatch(/does not answer/);
    // Said once, by the answer itself: no second note repeating it.
    expect(await lastAnswer().locator(".note").count()).toBe(0);
    expect(await lastAnswer().locator("button.chip").count()).toBe(0);
    // Suggested questions the interview answers; one click asks it.
    const suggestions = lastAnswer().locator("button.suggestion");
    expect(await suggestions.count()).toBeGreaterThanOrEqual(2);
    const suggestion = (await suggestions.first().textContent())!;
    await suggestions.first().click();
    await expect
      .poll(async () => (await widget(".user").last().textContent())?.replace(/^You: /, "").trim())
      .toBe(suggestion);
    await expect
      .poll(async () => await lastAnswer().locator("button.chip").count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
  });

  it("shows a question holding an XSS payload as text, running nothing", async () => {
    const payload = "<img src=x onerror=alert(1)>";
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    await ask(payload);
    expect(await widget(".user").last().textContent()).toContain(payload);
    const images = await page.evaluate(
      () =>
        document.querySelectorAll("img").length +
        document.querySelector("interview-chat")!.shadowRoot!.querySelectorAll("img").length,
    );
    expect(images).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("works by keyboard alone: open, type, Shift+Enter, send with Enter, open a citation, Escape closes it, then the panel", async () => {
    await page.goto(`${app.url}/`);
    for (let i = 0; i < 12 && !(await focused()).startsWith("button.launcher"); i++) await page.keyboard.press("Tab");
    expect(await focused()).toBe("button.launcher");
    await page.keyboard.press("Enter");
    expect(await widget(".panel").isVisible()).toBe(true);
    expect(await focused()).toBe("textarea.");

    await page.keyboard.type("Which Latvian ports");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("receive Kazakh cargo?");
    expect(await widget("textarea").inputValue()).toBe("Which Latvian ports\nreceive Kazakh cargo?");
    expect(await widget(".user").count()).toBe(0);
    await page.keyboard.press("Enter");
    await widget(".send").waitFor({ state: "visible" });
    expect(await widget(".user").textContent()).toContain("Which Latvian ports\nreceive Kazakh cargo?");

    for (let i = 0; i < 8 && !(await focused()).startsWith("button.chip"); i++) await page.keyboard.press("Shift+Tab");
    expect(await focused()).toBe("button.chip");
    await page.keyboard.press("Enter");
    expect(await lastAnswer().locator(".card-quote").isVisible()).toBe(true);

    // Escape closes the innermost thing first: the quote, back to its chip; then the panel.
    await page.keyboard.press("Escape");
    expect(await lastAnswer().locator(".card-quote").count()).toBe(0);
    expect(await widget(".panel").isVisible()).toBe(true);
    expect(await focused()).toBe("button.chip");
    await page.keyboard.press("Escape");
    expect(await widget(".panel").isHidden()).toBe(true);
    expect(await focused()).toBe("button.launcher");
  });

  it("keeps the conversation across a reload, until it is cleared", async () => {
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    await ask("Who did Tokayev meet in Brussels?");
    const answer = await lastAnswer().locator(".text").textContent();
    await page.reload();
    // The panel comes back open, as it was.
    await widget(".panel").waitFor();
    expect(await widget(".user").textContent()).toContain("Who did Tokayev meet in Brussels?");
    expect(await lastAnswer().locator(".text").textContent()).toBe(answer);
    expect(await lastAnswer().locator("button.chip").count()).toBeGreaterThan(0);

    await widget("[aria-label='Clear conversation']").click();
    await widget(".confirm").getByRole("button", { name: "Clear", exact: true }).click();
    expect(await widget(".user").count()).toBe(0);
    await widget(".launcher").click();
    await page.reload();
    // Closed before the reload, closed after it.
    expect(await widget(".panel").isHidden()).toBe(true);
    await widget(".launcher").click();
    expect(await widget(".user").count()).toBe(0);
    expect(await widget(".suggestion").count()).toBe(3);
  });

  it("asks a suggestion with one click, and answers follow-ups from the history", async () => {
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    const requests: unknown[] = [];
    page.on("request", (request) => {
      if (request.url().endsWith("/api/chat")) requests.push(request.postDataJSON());
    });
    await widget(".suggestion").first().click();
    await lastAnswer().locator("button.chip").first().waitFor();
    await widget(".send").waitFor({ state: "visible" });
    expect(await widget(".user").last().textContent()).toContain("How many deputies will the Mazhilis have?");
    expect(await lastAnswer().locator(".text").textContent()).toContain("from 107 to 98");

    // "it" is the FDI inflows only through the earlier question: asked alone, the interview does not answer it.
    await ask("What were FDI inflows from the EU in 2021?");
    await ask("And how much did it grow?");
    expect(await lastAnswer().locator(".text").textContent()).toContain("24.3% higher");
    expect(await lastAnswer().locator("button.chip").count()).toBeGreaterThan(0);
    expect(await lastAnswer().locator(".note.abstained").count()).toBe(0);
    expect(requests).toHaveLength(3);
    expect(requests[2]).toMatchObject({
      message: "And how much did it grow?",
      stream: true,
      history: [
        { role: "user", content: "How many deputies will the Mazhilis have?" },
        { role: "assistant" },
        { role: "user", content: "What were FDI inflows from the EU in 2021?" },
        { role: "assistant", content: expect.stringContaining("USD 10.1 billion") },
      ],
    });
  });

  it("shows a friendly message and a retry when rate limited, and when the server is down", async () => {
    await page.clock.install();
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    let refusals = 1;
    await page.route("**/api/chat", async (route) => {
      if (refusals-- > 0) {
        await route.fulfill({
          status: 429,
          headers: { "retry-after": "20" },
          contentType: "application/json",
          body: JSON.stringify({
            error: { code: "rate_limited", message: "Too many requests: at most 60 a minute. Try again shortly." },
          }),
        });
      } else await route.continue();
    });
    await ask("Which Latvian ports receive Kazakh cargo?");
    expect(await lastAnswer().locator(".text").textContent()).toBe(
      "Too many questions at once. Please wait about 20 seconds, then try again.",
    );
    // "Try again" works once the wait is over.
    await page.clock.fastForward(20_000);
    await lastAnswer().locator(".retry:enabled").click();
    await widget(".send").waitFor({ state: "visible" });
    await lastAnswer().locator("button.chip").first().waitFor();
    expect(await widget(".error").count()).toBe(0);

    await page.unroute("**/api/chat");
    await page.route("**/api/chat", (route) => route.abort("connectionrefused"));
    await ask("Who was interviewed?");
    expect(await lastAnswer().locator(".text").textContent()).toMatch(/cannot be reached/);
    expect(await lastAnswer().locator(".retry").isVisible()).toBe(true);
  });

  it("fills a narrow screen, and follows dark mode and reduced motion", async () => {
    await page.setViewportSize({ width: 375, height: 700 });
    await page.emulateMedia({ colorScheme: "dark", reducedMotion: "reduce" });
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    expect(await widget(".panel").boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 700 });
    const style = await widget(".panel").evaluate((panel) => ({
      background: getComputedStyle(panel).backgroundColor,
      animation: getComputedStyle(panel).animationName,
    }));
    expect(style).toEqual({ background: "rgb(28, 31, 36)", animation: "none" });
    await page.emulateMedia({ colorScheme: "light", reducedMotion: "no-preference" });
    expect(await widget(".panel").evaluate((panel) => getComputedStyle(panel).backgroundColor)).toBe(
      "rgb(255, 255, 255)",
    );
  });

  it("stops a streaming answer, and the server sees the request end", async () => {
    await page.goto(`${slowApp.url}/`);
    await widget(".launcher").click();
    await sendUntilAnswerReads("Which Latvian ports receive Kazakh cargo?", "Let me think about ");
    const before = hanging.aborted;
    await widget(".stop").click();
    await widget(".send").waitFor({ state: "visible" });
    expect(await lastAnswer().locator(".status").textContent()).toBe("Stopped.");
    await expect.poll(() => hanging.aborted).toBe(before + 1);
  });

  it("renders inline on /embed, which documents the options", async () => {
    await page.goto(`${app.url}/embed`);
    await page.locator("#chat-here interview-chat").waitFor({ state: "attached" });
    expect(await widget(".panel").isVisible()).toBe(true);
    expect(await widget(".launcher").isHidden()).toBe(true);
    expect(await widget("h2").textContent()).toBe("Try it here");
  });
});

describe.skipIf(!hasChromium)("the widget on another site", () => {
  it("survives hostile page CSS and takes its data-* options, answering for an allowed origin", async () => {
    await page.goto(`${host.url}/hostile`);
    const launcher = widget(".launcher");
    await launcher.waitFor();
    const box = (await launcher.boundingBox())!;
    expect(box).toMatchObject({ width: 56, height: 56 });
    expect(box.x).toBeLessThan(100);
    expect(await launcher.evaluate((element) => getComputedStyle(element).backgroundColor)).toBe("rgb(11, 122, 90)");
    expect(await launcher.getAttribute("aria-label")).toBe("Open chat: Ask the ambassador");
    await launcher.click();
    expect(await widget("h2").textContent()).toBe("Ask the ambassador");
    expect(await widget(".suggestion").allTextContents()).toEqual([
      "Which Latvian ports receive Kazakh cargo?",
      "Who was interviewed?",
    ]);
    const panel = (await widget(".panel").boundingBox())!;
    expect(panel.width).toBe(380);
    expect(await widget("textarea").isVisible()).toBe(true);
    await widget(".suggestion").first().click();
    await widget(".send").waitFor({ state: "visible" });
    await lastAnswer().locator("button.chip").first().click();
    expect(source).toContain((await lastAnswer().locator(".card-quote").textContent())!);
    await page.screenshot({ path: path.join(artifacts, "widget-hostile-host.png") });
  });

  it("adds one global and leaks no CSS into the page; open, ask and close work from JavaScript", async () => {
    await page.goto(`${host.url}/blank`);
    const bare = await page.evaluate(() => Object.getOwnPropertyNames(window));
    await page.goto(`${host.url}/plain`);
    await widget(".launcher").waitFor();
    const globals = await page.evaluate(() => Object.getOwnPropertyNames(window));
    expect(globals.filter((name) => !bare.includes(name))).toEqual(["InterviewChat"]);

    const hostStyles = await page.evaluate(() => {
      const div = getComputedStyle(document.querySelector("div.panel")!);
      const button = getComputedStyle(document.querySelector("button.launcher")!);
      return {
        position: div.position,
        background: div.backgroundColor,
        buttonPosition: button.position,
        buttonRadius: button.borderRadius,
      };
    });
    expect(hostStyles).toEqual({
      position: "static",
      background: "rgba(0, 0, 0, 0)",
      buttonPosition: "static",
      buttonRadius: "0px",
    });

    await page.evaluate(() => window.InterviewChat!.open());
    expect(await widget(".panel").isVisible()).toBe(true);
    expect(await focused()).toBe("textarea.");
    await page.evaluate(() => window.InterviewChat!.ask("Which Latvian ports receive Kazakh cargo?"));
    await lastAnswer().locator("button.chip").first().waitFor();
    await page.evaluate(() => window.InterviewChat!.close());
    expect(await widget(".panel").isHidden()).toBe(true);
  });

  it("renders inside the data-target element in inline mode", async () => {
    await page.goto(`${host.url}/inline`);
    await page.locator("#slot interview-chat").waitFor({ state: "attached" });
    const panel = (await widget(".panel").boundingBox())!;
    const slot = (await page.locator("#slot").boundingBox())!;
    expect(panel).toEqual(slot);
  });

  it("tells a site missing from ALLOWED_ORIGINS at load: its visitor that the chat is not available, its owner the exact fix in the console", async () => {
    const warnings: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "warning") warnings.push(message.text());
    });
    await page.goto(`${strangerHost.url}/plain`);
    // At load, before any question: one check, and the owner's fix in the console, word for word.
    await expect
      .poll(() => warnings.find((warning) => warning.includes("ALLOWED_ORIGINS")))
      .toContain(`ALLOWED_ORIGINS=${strangerHost.url}`);
    await widget(".launcher").click();
    // The visitor is not told to check their connection: nothing they can do would help.
    expect(await widget(".unavailable").textContent()).toBe("The chat isn't available on this page.");
    // Nothing the visitor could type would be answered: the box and Send are off, and nothing offers to try again.
    expect(await widget("textarea").isDisabled()).toBe(true);
    expect(await widget(".send").isDisabled()).toBe(true);
    await page.evaluate(() => window.InterviewChat!.ask("Which Latvian ports receive Kazakh cargo?"));
    await expect.poll(() => lastAnswer().locator(".text").textContent()).toBe("The chat isn't available on this page.");
    expect(await widget(".log .retry").count()).toBe(0);
    expect(await widget(".assistant").allTextContents()).not.toContainEqual(expect.stringMatching(/connection/));
  });
});

describe.skipIf(!hasChromium)("the widget on phones and odd hosts", () => {
  for (const viewport of [
    { width: 844, height: 390 },
    { width: 390, height: 844 },
  ]) {
    it(`fills the screen of a phone held ${viewport.width > viewport.height ? "sideways" : "upright"} (${viewport.width}×${viewport.height})`, async () => {
      await page.setViewportSize(viewport);
      await page.goto(`${app.url}/`);
      await widget(".launcher").click();
      // Polled: the panel slides in, and a box read mid-transition is a few pixels off.
      await expect.poll(() => widget(".panel").boundingBox()).toEqual({ x: 0, y: 0, ...viewport });
      expect(await widget(".launcher").isHidden()).toBe(true);
      // 16 px, so iOS does not zoom into the page when the box takes focus.
      expect(await widget("textarea").evaluate((box) => getComputedStyle(box).fontSize)).toBe("16px");
    });
  }

  it("keeps its launcher in view on a host whose body is transformed, on a 3000 px page", async () => {
    await page.goto(`${host.url}/transformed`);
    const launcher = (await widget(".launcher").boundingBox())!;
    expect(launcher.y + launcher.height).toBeLessThanOrEqual(800);
    expect(launcher.y).toBeGreaterThan(600);
    await widget(".launcher").click();
    const panel = (await widget(".panel").boundingBox())!;
    expect(panel.y).toBeGreaterThanOrEqual(0);
    expect(panel.y + panel.height).toBeLessThanOrEqual(800);
  });

  it("on a phone opens a quote inside the panel; “Show in the interview” closes the panel and highlights it", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    await ask("Which Latvian ports receive Kazakh cargo?");
    await lastAnswer().locator("button.chip").first().click();
    expect(await lastAnswer().locator(".card-quote").isVisible()).toBe(true);
    // Not highlighted yet: behind a full-screen panel nobody would see it.
    expect(await page.locator("mark.cited").count()).toBe(0);
    await lastAnswer().getByRole("button", { name: "Show in the interview" }).click();
    expect(await widget(".panel").isHidden()).toBe(true);
    await page.locator("mark.cited").first().waitFor();
    await page.waitForFunction(() => {
      const box = document.querySelector("mark.cited")!.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= innerHeight;
    });
  });
});

describe.skipIf(!hasChromium)("the widget when things go wrong", () => {
  it("keeps the words of an answer whose connection drops mid-stream, says it was cut off, and offers to try again", async () => {
    await page.goto(`${scriptedServer.url}/`);
    await widget(".launcher").click();
    await sendUntilAnswerReads("drop", "The first half of an answer, and then the line goes");
    dropConnection();
    await widget(".send").waitFor({ state: "visible" });
    expect(await lastAnswer().locator(".text").textContent()).toBe(
      "The first half of an answer, and then the line goes",
    );
    expect(await lastAnswer().locator(".status").textContent()).toBe("The answer was cut off — try again.");
    expect(await lastAnswer().getByRole("button", { name: "Try again" }).isVisible()).toBe(true);
  });

  it("keeps a half-streamed answer and the open panel across a reload", async () => {
    await page.goto(`${slowApp.url}/`);
    await widget(".launcher").click();
    await sendUntilAnswerReads("Which Latvian ports receive Kazakh cargo?", "Let me think about ");
    await page.reload();
    await widget(".panel").waitFor();
    expect(await lastAnswer().locator(".text").textContent()).toBe("Let me think about");
    expect(await lastAnswer().locator(".status").textContent()).toBe("Stopped.");
    expect(await lastAnswer().getByRole("button", { name: "Try again" }).isVisible()).toBe(true);
  });

  it("stops the answer in progress for each new question: five rapid asks leave one question and at most one “Stopped.”", async () => {
    await page.goto(`${slowApp.url}/`);
    await page.evaluate(() => {
      for (let i = 1; i <= 5; i++) window.InterviewChat!.ask(`Question ${i}?`);
    });
    await page.waitForFunction(
      () =>
        document.querySelector("interview-chat")!.shadowRoot!.querySelector(".assistant:last-child .text")
          ?.textContent === "Let me think about ",
    );
    expect((await widget(".user").allTextContents()).map((text) => text.replace(/^You: /, ""))).toEqual([
      "Question 5?",
    ]);
    await widget(".stop").click();
    await widget(".send").waitFor({ state: "visible" });
    expect(await widget(".status").allTextContents()).toEqual(["Stopped."]);
    // A stopped answer can be asked again.
    await lastAnswer().getByRole("button", { name: "Try again" }).click();
    await expect
      .poll(async () => (await widget(".user").allTextContents()).map((text) => text.replace(/^You: /, "")))
      .toEqual(["Question 5?"]);
    await page.waitForFunction(
      () =>
        document.querySelector("interview-chat")!.shadowRoot!.querySelector(".assistant:last-child .text")
          ?.textContent === "Let me think about ",
    );
    await widget(".stop").click();
  });

  it("asks before clearing the conversation, and clearing removes the highlight from the page", async () => {
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    await ask("Which Latvian ports receive Kazakh cargo?");
    await lastAnswer().locator("button.chip").first().click();
    await page.locator("mark.cited").first().waitFor();
    await widget("[aria-label='Clear conversation']").click();
    expect(await widget(".confirm").textContent()).toContain("Clear the whole conversation?");
    await widget(".confirm").getByRole("button", { name: "Keep it" }).click();
    expect(await widget(".user").count()).toBe(1);
    await widget("[aria-label='Clear conversation']").click();
    await widget(".confirm").getByRole("button", { name: "Clear", exact: true }).click();
    expect(await widget(".user").count()).toBe(0);
    expect(await page.locator("mark.cited").count()).toBe(0);
  });
});

describe.skipIf(!hasChromium)("reading a long answer", () => {
  it("keeps the question and the answer's start in view, renders paragraphs and lists as it streams without redrawing them, and opens a quote under its chip", async () => {
    await page.goto(`${scriptedServer.url}/`);
    await widget(".launcher").click();
    // Characters of text in the nodes taken out of the conversation while the answer streams: the old
    // widget redrew the whole message for every delta (hundreds of times its length); appending redraws
    // only the unfinished words at the end, and the whole message once, when its citations arrive.
    await page.evaluate(() => {
      const log = document.querySelector("interview-chat")!.shadowRoot!.querySelector(".log")!;
      const counter = window as unknown as { removedText: number };
      counter.removedText = 0;
      new MutationObserver((records) => {
        for (const record of records)
          for (const node of record.removedNodes) counter.removedText += node.textContent?.length ?? 0;
      }).observe(log, { childList: true, subtree: true, characterData: true });
    });
    await ask("Tell me everything");
    const text = (await lastAnswer().locator(".text").textContent())!;
    expect(text.match(/word\d+x\d+/g)).toHaveLength(2500);
    const removed = await page.evaluate(() => (window as unknown as { removedText: number }).removedText);
    expect(removed).toBeLessThan(3 * text.length);

    expect(await lastAnswer().locator(".text > p").count()).toBe(24);
    expect(await lastAnswer().locator(".text > ul > li").count()).toBe(2);
    expect(await lastAnswer().locator(".text strong").textContent()).toBe("cargo");

    // The question and the first words of the answer stay in view: the log did not follow the stream down.
    const log = (await widget(".log").boundingBox())!;
    const question = (await widget(".user").last().boundingBox())!;
    expect(question.y).toBeGreaterThanOrEqual(log.y);
    expect(question.y + question.height).toBeLessThanOrEqual(log.y + log.height);
    const firstParagraph = (await lastAnswer().locator(".text > p").first().boundingBox())!;
    expect(firstParagraph.y).toBeLessThan(log.y + log.height - 20);
    expect(
      await widget(".log").evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight),
    ).toBeGreaterThan(10_000);

    // The quote opens right under the paragraph whose chip was clicked, not 2,500 words further down.
    const chip = lastAnswer().locator("button.chip").first();
    await chip.click();
    const card = lastAnswer().locator(".card");
    expect(
      await card.evaluate((element) => element.previousElementSibling === element.parentElement!.querySelector("p")),
    ).toBe(true);
    // Both boxes read in one go: opening the card scrolls the log, and boxes read one after the other
    // moved in between (178 px apart on a loaded machine).
    const { gap, aboveEnd } = await card.evaluate((element) => {
      const box = element.getBoundingClientRect();
      const paragraphs = element.parentElement!.querySelectorAll(":scope > p");
      return {
        gap: box.top - paragraphs[0]!.getBoundingClientRect().bottom,
        aboveEnd: paragraphs[paragraphs.length - 1]!.getBoundingClientRect().top - box.top,
      };
    });
    expect(gap).toBeLessThan(80);
    expect(aboveEnd).toBeGreaterThan(5000);
    expect(await card.textContent()).not.toContain("Characters");
    expect(await card.locator(".card-quote").getAttribute("title")).toMatch(/^Characters \d+–\d+ of the interview$/);
  });
});

describe.skipIf(!hasChromium)("options for site owners", () => {
  it("takes data-theme, data-avatar, data-lang, data-labels, data-placeholder, data-persist and data-source, colours the visitor's bubble with the accent, and copies an answer", async () => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: host.url });
    let body: unknown;
    await answerWith(
      [
        ["contexts", { contexts: [] }],
        ["delta", { text: "Riga and **Liepaja** [1]." }],
        [
          "citations",
          {
            kind: "answer",
            citations: [{ n: 1, chunkId: "c0", section: "Introduction", quote: "Riga", start: 0, end: 4 }],
            grounded: true,
            mode: "extractive",
          },
        ],
        ["done", {}],
      ],
      (sent) => (body = sent),
    );
    await page.goto(`${host.url}/options`);
    await widget(".launcher").click();
    // Dark although the visitor's setting is light.
    expect(await widget(".panel").evaluate((panel) => getComputedStyle(panel).backgroundColor)).toBe("rgb(28, 31, 36)");
    expect(await widget("img.avatar").getAttribute("src")).toBe(`${host.url}/logo.png`);
    expect(await widget("h2").textContent()).toBe("Fragen zum Interview");
    expect(await widget("textarea").getAttribute("placeholder")).toBe("Ihre Frage zum Interview");
    expect(await widget(".send").getAttribute("aria-label")).toBe("Los");
    expect(await widget(".stop").getAttribute("aria-label")).toBe("Antwort anhalten");

    await ask("Welche Häfen?");
    expect(body).toMatchObject({ message: "Welche Häfen?", sources: ["interview.txt"] });
    expect(
      await widget(".user")
        .last()
        .evaluate((bubble) => getComputedStyle(bubble).backgroundColor),
    ).toBe("rgb(11, 122, 90)");
    expect(
      await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith("interview-chat:")).length),
    ).toBeGreaterThan(0);

    await lastAnswer().getByRole("button", { name: "Antwort kopieren" }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe("Riga and Liepaja.");
    expect(await axeViolations()).toEqual([]);
  });
});

/**
 * Answers every question on this page with `events` (and tells the widget the server has no
 * sessions); `onBody` sees each request's JSON body.
 */
async function answerWith(events: Array<[string, unknown]>, onBody: (body: unknown) => void = () => {}): Promise<void> {
  await page.route("**/api/chat", (route) => {
    onBody(route.request().postDataJSON());
    return route.fulfill({
      status: 200,
      headers: { "access-control-allow-origin": "*" },
      contentType: "text/event-stream",
      body: events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(""),
    });
  });
  await page.route("**/api/session", (route) =>
    route.fulfill({
      status: 404,
      headers: { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type" },
      body: "",
    }),
  );
}

/** Whether the page's focus is in the widget (its shadow root), and on what. */
const focusInWidget = () =>
  page.evaluate(() => {
    const host = document.activeElement;
    const inner = host?.shadowRoot?.activeElement;
    return host?.tagName === "INTERVIEW-CHAT" && inner
      ? `${inner.tagName.toLowerCase()}.${inner.className}`
      : "outside";
  });

describe.skipIf(!hasChromium)("widget, round 3", () => {
  it("keeps its own language and left-to-right direction on a right-to-left page, outlines its controls in forced colours, and has 24 × 24 px chips", async () => {
    await page.goto(`${host.url}/rtl`);
    await widget(".launcher").click();
    const root = widget(".root");
    expect(await root.getAttribute("lang")).toBe("en");
    expect(await widget("h2").evaluate((title) => getComputedStyle(title).direction)).toBe("ltr");
    expect(await widget(".launcher").evaluate((button) => getComputedStyle(button).borderTopStyle)).toBe("none");
    await page.emulateMedia({ forcedColors: "active" });
    expect(
      await widget(".launcher").evaluate((button) => {
        const style = getComputedStyle(button);
        return `${style.borderTopStyle} ${style.borderTopWidth}`;
      }),
    ).toBe("solid 2px");
    expect(await widget(".send").evaluate((button) => getComputedStyle(button).borderTopStyle)).toBe("solid");
    await page.emulateMedia({ forcedColors: "none" });

    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    await ask("Which Latvian ports receive Kazakh cargo?");
    const chip = (await lastAnswer().locator("button.chip").first().boundingBox())!;
    expect([chip.width, chip.height]).toEqual([24, 24]);
  });

  it("asks for a new session token when the token's questions run out: with SESSION_QUOTA=3, five questions in a row get five answers", async () => {
    const sessions: number[] = [];
    const chats: number[] = [];
    page.on("response", (response) => {
      if (response.url().endsWith("/api/session")) sessions.push(response.status());
      if (response.url().endsWith("/api/chat")) chats.push(response.status());
    });
    await page.goto(`${quotaApp.url}/`);
    await widget(".launcher").click();
    const questions = [
      "Which Latvian ports receive Kazakh cargo?",
      "Who was interviewed?",
      "How many deputies will the Mazhilis have?",
      "What were FDI inflows from the EU in 2021?",
      "Who did Tokayev meet in Brussels?",
    ];
    for (const question of questions) await ask(question);
    expect(await widget(".assistant.error").allTextContents()).toEqual([]);
    expect(await widget(".log .retry").count()).toBe(0);
    const answers = await widget(".assistant:has(.actions) .text").allTextContents();
    expect(answers).toHaveLength(5);
    for (const answer of answers) expect(answer.length).toBeGreaterThan(20);
    // The fourth question met the quota once, was asked again with a second token, and the visitor never saw it.
    expect(chats).toEqual([200, 200, 200, 429, 200, 200]);
    expect(sessions).toEqual([200, 200]);
  });

  it("when rate limited, says the wait in words (“about 30 seconds”, “about 10 minutes”), counts it down and keeps the box and Send off until it ends", async () => {
    await page.clock.install();
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    const refusals = [30, 600];
    await page.route("**/api/chat", async (route) => {
      const wait = refusals.shift();
      if (wait === undefined) return route.continue();
      await route.fulfill({
        status: 429,
        headers: { "retry-after": String(wait) },
        contentType: "application/json",
        body: JSON.stringify({
          error: { code: "rate_limited", message: "Too many requests: at most 60 a minute. Try again shortly." },
        }),
      });
    });
    const off = () =>
      Promise.all([
        widget("textarea").isDisabled(),
        widget(".send").isDisabled(),
        lastAnswer().locator(".retry").isDisabled(),
      ]);

    await ask("Which Latvian ports receive Kazakh cargo?");
    expect(await lastAnswer().locator(".text").textContent()).toBe(
      "Too many questions at once. Please wait about 30 seconds, then try again.",
    );
    // The page's clock runs on meanwhile: a second may have gone.
    expect(await lastAnswer().locator(".wait").textContent()).toMatch(/^You can ask again in 0:(30|29)\.$/);
    expect(await off()).toEqual([true, true, true]);
    await page.clock.fastForward(30_000);
    await lastAnswer().locator(".wait").waitFor({ state: "detached" });
    expect(await off()).toEqual([false, false, false]);

    await ask("Who was interviewed?");
    expect(await lastAnswer().locator(".text").textContent()).toBe(
      "Too many questions at once. Please wait about 10 minutes, then try again.",
    );
    expect(await lastAnswer().locator(".wait").textContent()).toMatch(/^You can ask again in (10:00|9:59)\.$/);
    expect(await off()).toEqual([true, true, true]);
    // The box says why it is off, in case the message scrolls away or the conversation is cleared.
    expect(await widget("textarea").getAttribute("placeholder")).toMatch(/^You can ask again in (10:00|9:5\d)\.$/);
    expect(await axeViolations()).toEqual([]);
    await page.clock.fastForward("04:00");
    // Six minutes left, give or take the second or two the page's clock goes on running.
    await expect
      .poll(() => lastAnswer().locator(".wait").textContent())
      .toMatch(/^You can ask again in (6:00|5:5\d)\.$/);
    expect(await off()).toEqual([true, true, true]);
    await page.clock.fastForward("06:00");
    await lastAnswer().locator(".wait").waitFor({ state: "detached" });
    expect(await off()).toEqual([false, false, false]);
    expect(await widget("textarea").getAttribute("placeholder")).toBe("Ask about the interview…");
    await lastAnswer().locator(".retry").click();
    await lastAnswer().locator("button.chip").first().waitFor();
    expect(await widget(".user").last().textContent()).toContain("Who was interviewed?");
  });

  it("is a modal dialog: focus stays in it for 12 Tabs and 12 Shift+Tabs, the launcher is its close button, closing returns focus to the launcher", async () => {
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    expect(await widget(".panel").getAttribute("role")).toBe("dialog");
    expect(await widget(".panel").getAttribute("aria-modal")).toBe("true");
    expect(await widget(".launcher").getAttribute("aria-label")).toBe("Close chat");
    expect(await widget(".launcher").getAttribute("aria-expanded")).toBe("true");
    await ask("Which Latvian ports receive Kazakh cargo?");
    expect(await axeViolations()).toEqual([]);

    await widget("textarea").focus();
    const visited = new Set<string>();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      const where = await focusInWidget();
      expect(where, `after Tab ${i + 1}`).not.toBe("outside");
      visited.add(where);
    }
    // Round and round: from the question box on to the launcher and the panel's first buttons.
    expect(visited).toContain("button.launcher");
    await widget("textarea").focus();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Shift+Tab");
      expect(await focusInWidget(), `after Shift+Tab ${i + 1}`).not.toBe("outside");
    }

    await widget(".launcher").click();
    expect(await widget(".panel").isHidden()).toBe(true);
    expect(await focused()).toBe("button.launcher");
    expect(await widget(".launcher").getAttribute("aria-label")).toBe("Open chat: Ask the interview");
    expect(await widget(".launcher").getAttribute("aria-expanded")).toBe("false");
    // Closed, it is not modal: Tab leaves the widget for the page.
    await page.keyboard.press("Tab");
    expect(await focusInWidget()).toBe("outside");
  });

  it("on a phone, locks the page behind the full-screen panel from scrolling and gives it back on close", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${host.url}/transformed`);
    await page.evaluate(() => window.scrollTo(0, 500));
    await widget(".launcher").click();
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).overflow)).toBe("hidden");
    // A wheel over the panel's header would scroll the page behind it.
    await page.mouse.move(100, 20);
    await page.mouse.wheel(0, 400);
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => scrollY)).toBe(500);
    await widget("textarea").focus();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      expect(await focusInWidget(), `after Tab ${i + 1}`).not.toBe("outside");
    }
    expect(await axeViolations()).toEqual([]);

    await widget(".header [aria-label='Close chat']").click();
    expect(await focused()).toBe("button.launcher");
    expect(await page.evaluate(() => [getComputedStyle(document.documentElement).overflow, scrollY])).toEqual([
      "visible",
      500,
    ]);
    await page.mouse.wheel(0, 400);
    await expect.poll(() => page.evaluate(() => scrollY)).toBeGreaterThan(500);
  });

  it("on a page whose origin the server refuses (a 403 for the session token), turns the question box off with the message and offers no “Try again”", async () => {
    await page.route("**/api/session", (route) =>
      route.fulfill({
        status: 403,
        headers: { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type" },
        contentType: "application/json",
        body: JSON.stringify({
          error: {
            code: "origin_not_allowed",
            message: "Session tokens are for pages on the origins in ALLOWED_ORIGINS",
          },
        }),
      }),
    );
    // On another site, found out at load.
    await page.goto(`${host.url}/plain`);
    await widget(".launcher").click();
    await expect.poll(() => widget(".unavailable").textContent()).toBe("The chat isn't available on this page.");
    expect(await widget("textarea").isDisabled()).toBe(true);
    expect(await widget("textarea").getAttribute("placeholder")).toBe("The chat isn't available on this page.");
    expect(await widget(".send").isDisabled()).toBe(true);
    await page.evaluate(() => window.InterviewChat!.ask("Which Latvian ports receive Kazakh cargo?"));
    expect(await widget(".user").count()).toBe(0);
    expect(await widget(".log .retry").count()).toBe(0);
    // The widget alone: this host page's own textarea has no label.
    expect(await axeViolations("interview-chat")).toEqual([]);

    // On the server's own page, found out with the first question.
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    await ask("Which Latvian ports receive Kazakh cargo?");
    expect(await lastAnswer().locator(".text").textContent()).toBe("The chat isn't available on this page.");
    expect(await lastAnswer().locator(".retry").count()).toBe(0);
    expect(await widget("textarea").isDisabled()).toBe(true);
    expect(await widget(".send").isDisabled()).toBe(true);
  });

  it("renders an overview's (1) (2) … parts, bulleted and numbered lines as lists, built as nodes, with chips that open their quote inside the item", async () => {
    const quote = (n: number, text: string) => ({
      n,
      chunkId: `c${n}`,
      section: "Introduction",
      quote: text,
      start: 0,
      end: 4,
    });
    await answerWith([
      ["contexts", { contexts: [] }],
      ["delta", { text: "The interviewer asks 3 questions; in short, the answers:\n(1) Riga and " }],
      ["delta", { text: "Liepaja [1].\n(2) Ventspils <img src=x onerror=alert(1)> [2].\n(3) Klaipeda [3]." }],
      ["delta", { text: "\n\n- ports\n- rail\n\n1. first\n2. second" }],
      [
        "citations",
        {
          kind: "answer",
          citations: [quote(1, "Riga"), quote(2, "Ventspils"), quote(3, "Klaipeda")],
          grounded: true,
          mode: "extractive",
        },
      ],
      ["done", {}],
    ]);
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    await ask("Give me an overview");
    const text = lastAnswer().locator(".text");
    expect(await text.locator(":scope > p").textContent()).toBe(
      "The interviewer asks 3 questions; in short, the answers:",
    );
    const overview = text.locator(":scope > ol").first();
    expect(await overview.locator(":scope > li").allTextContents()).toEqual([
      "Riga and Liepaja 1.",
      "Ventspils <img src=x onerror=alert(1)> 2.",
      "Klaipeda 3.",
    ]);
    expect(await text.locator(":scope > ul > li").allTextContents()).toEqual(["ports", "rail"]);
    expect(await text.locator(":scope > ol").last().locator("li").allTextContents()).toEqual(["first", "second"]);
    expect(await lastAnswer().locator("img").count()).toBe(0);

    await overview.locator("li").nth(1).locator("button.chip").click();
    const card = overview.locator("li").nth(1).locator(".card-quote");
    expect(await card.textContent()).toBe("Ventspils");
    expect(await overview.locator(":scope > :not(li)").count()).toBe(0);
    expect(await axeViolations()).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  it("renders the server's own overview as a numbered list whose items carry working chips", async () => {
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    await ask("Give me an overview of the interview");
    const items = lastAnswer().locator(".text ol > li");
    expect(await items.count()).toBeGreaterThanOrEqual(3);
    await items.first().locator("button.chip").first().click();
    expect(source).toContain((await items.first().locator(".card-quote").textContent())!);
  });

  it("with data-media, a quote's time seeks the page's player to the moment it is spoken; without, the card shows the source and time as text", async () => {
    const timed = (n: number, source: string, start: number) => ({
      n,
      source,
      chunkId: `c${n}`,
      section: "Introduction",
      quote: "Riga",
      start: 0,
      end: 4,
      time: { start, end: start + 2 },
    });
    await answerWith([
      ["contexts", { contexts: [] }],
      ["delta", { text: "Riga [1], Liepaja [2]." }],
      [
        "citations",
        {
          kind: "answer",
          citations: [timed(1, "talk.vtt", 3.5), timed(2, "other.vtt", 7)],
          grounded: true,
          mode: "extractive",
        },
      ],
      ["done", {}],
    ]);
    await page.goto(`${host.url}/media`);
    await page.waitForFunction(() => (document.querySelector("#recording") as HTMLAudioElement).readyState >= 1);
    await widget(".launcher").click();
    await ask("Which ports?");
    await lastAnswer().locator("button.chip").first().click();
    expect(await lastAnswer().locator(".card-meta").textContent()).toBe("From talk.vtt · at 0:03");
    const seek = lastAnswer().getByRole("button", { name: "Go to 0:03 in the recording" });
    expect(await seek.textContent()).toBe("0:03");
    expect(await axeViolations()).toEqual([]);
    await seek.click();
    expect(await page.evaluate(() => (document.querySelector("#recording") as HTMLAudioElement).currentTime)).toBe(3.5);

    // The same site: the panel comes back open, as it was left.
    await page.goto(`${host.url}/plain`);
    await widget(".panel").waitFor();
    await ask("Which ports?");
    await lastAnswer().locator("button.chip").nth(1).click();
    expect(await lastAnswer().locator(".card-meta").textContent()).toBe("From other.vtt · at 0:07");
    expect(await lastAnswer().locator(".card-meta button").count()).toBe(0);
  });
});
