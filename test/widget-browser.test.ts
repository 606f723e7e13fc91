import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
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
import { buildWidgetForTests, hasChromium, chromiumPath, launchChromium, listen, startWidgetApp, type RunningServer } from "./support/widget-harness.js";

// The real app (real index, local encoder, extractive answerer) and Debian's Chromium, all on 127.0.0.1.
const artifacts = path.join(projectRoot, "test-artifacts");
let source: string;
let browser: Browser;
let app: RunningServer;
let slowApp: RunningServer;
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

/** Pages on another origin that embed the widget, as a customer's site would. */
function hostSite(widgetUrl: () => string): express.Express {
  const site = express();
  const embed = (attributes = "") => `<script src="${widgetUrl()}/widget.js" defer ${attributes}></script>`;
  const page = (head: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>${head}</head><body>${body}</body></html>`;
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
    response.type("html").send(
      page(embed(), `<h1>A customer's page</h1><div class="panel message chip">host content</div><button class="launcher">Host button</button><textarea></textarea>`),
    );
  });
  site.get("/inline", (_request, response) => {
    response.type("html").send(page(embed('data-mode="inline" data-target="#slot"'), `<div id="slot" style="height: 480px; width: 420px"></div>`));
  });
  return site;
}

if (!hasChromium) console.warn(`Skipping the browser tests: no Chromium at ${chromiumPath} (install Debian's chromium, or set CHROMIUM_PATH).`);

beforeAll(async () => {
  if (!hasChromium) return;
  source = await readInterview();
  const [assetsDir, opened] = await Promise.all([
    buildWidgetForTests(),
    scratchProject().then((project) => openIndex({ ...project, embedder: new LocalEmbeddings() })),
  ]);
  const embedder = new LocalEmbeddings();
  const answerer = new ExtractiveAnswerer({ retriever: new HybridRetriever(opened.index, embedder), interviews: opened.interviews, chunks: opened.index.chunks });
  let appUrl = "";
  host = await listen(hostSite(() => appUrl));
  strangerHost = await listen(hostSite(() => appUrl));
  // API keys required: the demo page and the allowed site ask with the session tokens the widget fetches (issue 13).
  app = await startWidgetApp({ answerer, interviews: opened.interviews, assetsDir, protection: { allowedOrigins: [host.url], apiKeys: ["browser-test-key"], rateLimitPerMinute: 0 } });
  appUrl = app.url;
  slowApp = await startWidgetApp({ answerer: hanging, interviews: opened.interviews, assetsDir, protection: { rateLimitPerMinute: 0 } });
  browser = await launchChromium();
  await mkdir(artifacts, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([app?.close(), slowApp?.close(), host?.close(), strangerHost?.close()]);
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

const lastAnswer = () => widget(".assistant").last();

/** The widget's shadow root's focused element, described. */
const focused = () =>
  page.evaluate(() => {
    const active = document.activeElement?.shadowRoot?.activeElement ?? document.activeElement;
    return active ? `${active.tagName.toLowerCase()}.${active.className}` : "";
  });

/** axe-core's rules run in the page (shadow roots included); each violation as "rule: targets". */
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
async function axeViolations(): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the page's CSP (script-src 'self') does not govern.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const { violations } = await axe.run(document);
    return violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => JSON.stringify(node.target)).join(", ")}`);
  });
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
    expect(await lastAnswer().locator(".card-meta").textContent()).toMatch(/^Characters \d+–\d+/);

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
    // The README's picture: `UPDATE_DOCS_SCREENSHOT=1 npx vitest run test/widget-browser.test.ts`.
    if (process.env.UPDATE_DOCS_SCREENSHOT) {
      await page.waitForTimeout(1000); // let the smooth scroll to the quote finish before resizing
      await page.setViewportSize({ width: 1000, height: 700 });
      await page.locator("mark.cited").first().evaluate((mark) => mark.scrollIntoView({ block: "center" }));
      await lastAnswer().evaluate((answer) => {
        const log = answer.parentElement!;
        const question = answer.previousElementSibling!;
        log.scrollTop += question.getBoundingClientRect().top - log.getBoundingClientRect().top - 12;
      });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      await page.screenshot({ path: path.join(projectRoot, "docs/widget.png") });
    }
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
    await expect.poll(async () => (await widget(".user").last().textContent())?.replace(/^You: /, "").trim()).toBe(suggestion);
    await expect.poll(async () => await lastAnswer().locator("button.chip").count(), { timeout: 15_000 }).toBeGreaterThan(0);
  });

  it("shows a question holding an XSS payload as text, running nothing", async () => {
    const payload = "<img src=x onerror=alert(1)>";
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    await ask(payload);
    expect(await widget(".user").last().textContent()).toContain(payload);
    const images = await page.evaluate(() => document.querySelectorAll("img").length + document.querySelector("interview-chat")!.shadowRoot!.querySelectorAll("img").length);
    expect(images).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("works by keyboard alone: open, type, Shift+Enter, send with Enter, open a citation, Escape back to the launcher", async () => {
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
    await widget(".launcher").click();
    expect(await widget(".user").textContent()).toContain("Who did Tokayev meet in Brussels?");
    expect(await lastAnswer().locator(".text").textContent()).toBe(answer);
    expect(await lastAnswer().locator("button.chip").count()).toBeGreaterThan(0);

    await widget("[aria-label='Clear conversation']").click();
    expect(await widget(".user").count()).toBe(0);
    await page.reload();
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
    await page.goto(`${app.url}/`);
    await widget(".launcher").click();
    let refusals = 1;
    await page.route("**/api/chat", async (route) => {
      if (refusals-- > 0) {
        await route.fulfill({
          status: 429,
          headers: { "retry-after": "20" },
          contentType: "application/json",
          body: JSON.stringify({ error: { code: "rate_limited", message: "Too many requests: at most 60 a minute. Try again shortly." } }),
        });
      } else await route.continue();
    });
    await ask("Which Latvian ports receive Kazakh cargo?");
    expect(await lastAnswer().locator(".text").textContent()).toBe("Too many questions at once. Please wait about 20 seconds, then try again.");
    await lastAnswer().locator(".retry").click();
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
    const style = await widget(".panel").evaluate((panel) => ({ background: getComputedStyle(panel).backgroundColor, animation: getComputedStyle(panel).animationName }));
    expect(style).toEqual({ background: "rgb(28, 31, 36)", animation: "none" });
    await page.emulateMedia({ colorScheme: "light", reducedMotion: "no-preference" });
    expect(await widget(".panel").evaluate((panel) => getComputedStyle(panel).backgroundColor)).toBe("rgb(255, 255, 255)");
  });

  it("stops a streaming answer, and the server sees the request end", async () => {
    await page.goto(`${slowApp.url}/`);
    await widget(".launcher").click();
    await widget("textarea").fill("Which Latvian ports receive Kazakh cargo?");
    await widget("textarea").press("Enter");
    await page.waitForFunction(() => document.querySelector("interview-chat")!.shadowRoot!.querySelector(".assistant:last-child .text")?.textContent === "Let me think about ");
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
    expect(await widget(".suggestion").allTextContents()).toEqual(["Which Latvian ports receive Kazakh cargo?", "Who was interviewed?"]);
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
      return { position: div.position, background: div.backgroundColor, buttonPosition: button.position, buttonRadius: button.borderRadius };
    });
    expect(hostStyles).toEqual({ position: "static", background: "rgba(0, 0, 0, 0)", buttonPosition: "static", buttonRadius: "0px" });

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

  it("cannot ask from a site missing from ALLOWED_ORIGINS, and tells its owner why in the console", async () => {
    const warnings: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "warning") warnings.push(message.text());
    });
    await page.goto(`${strangerHost.url}/plain`);
    await widget(".launcher").click();
    await ask("Which Latvian ports receive Kazakh cargo?");
    // The browser refuses the CORS preflight, which a script cannot tell from a server that is down.
    expect(await lastAnswer().locator(".text").textContent()).toMatch(/cannot be reached/);
    expect(await lastAnswer().locator(".retry").isVisible()).toBe(true);
    expect(warnings).toContainEqual(expect.stringContaining(`add ${strangerHost.url} to its ALLOWED_ORIGINS`));
  });
});
