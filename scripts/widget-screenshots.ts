/**
 * Makes the widget's pictures in docs/: `widget.png` (desktop, 1000×700) and `widget-phone.png`
 * (a 390×844 phone), in Debian's Chromium, against the real app (the real index, the local
 * encoder, the extractive answerer) on 127.0.0.1:
 *
 *   npx tsx scripts/widget-screenshots.ts
 */
import path from "node:path";
import type { Page } from "playwright-core";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../src/search-index/open-index.js";
import { projectRoot, scratchProject } from "../test/support/corpus.js";
import { buildWidgetForTests, launchChromium, startWidgetApp } from "../test/support/widget-harness.js";

const question = "Which Latvian ports receive Kazakh cargo?";

const [assetsDir, opened] = await Promise.all([
  buildWidgetForTests(),
  scratchProject().then((project) => openIndex({ ...project, embedder: new LocalEmbeddings() })),
]);
const answerer = new ExtractiveAnswerer({
  retriever: new HybridRetriever(opened.index, new LocalEmbeddings()),
  interviews: opened.interviews,
  chunks: opened.index.chunks,
});
const app = await startWidgetApp({
  answerer,
  interviews: opened.interviews,
  assetsDir,
  protection: { rateLimitPerMinute: 0 },
});
const browser = await launchChromium();

/** Opens the panel, asks, waits for the whole answer and opens its first citation. */
async function askAndCite(page: Page): Promise<void> {
  const widget = (selector: string) => page.locator(`interview-chat ${selector}`);
  // Reduced motion: scrolls are instant, so the pictures are taken where the scrolls end.
  await page.emulateMedia({ colorScheme: "light", reducedMotion: "reduce" });
  await page.goto(`${app.url}/`);
  await widget(".launcher").click();
  await widget("textarea").fill(question);
  await widget("textarea").press("Enter");
  await widget(".stop").waitFor({ state: "hidden" });
  await widget(".send").waitFor({ state: "visible" });
  await widget(".assistant").last().locator("button.chip").first().click();
  await widget(".card-quote").waitFor();
  // The question at the top of the conversation, as the widget leaves it after sending.
  await widget(".user")
    .last()
    .evaluate((bubble) => (bubble.parentElement!.scrollTop = (bubble as HTMLElement).offsetTop - 12));
}

try {
  const desktop = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await askAndCite(desktop);
  await desktop
    .locator("mark.cited")
    .first()
    .evaluate((mark) => mark.scrollIntoView({ block: "center" }));
  await desktop.screenshot({ path: path.join(projectRoot, "docs/widget.png") });

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await askAndCite(phone);
  await phone.screenshot({ path: path.join(projectRoot, "docs/widget-phone.png") });
  process.stdout.write("Wrote docs/widget.png and docs/widget-phone.png\n");
} finally {
  await browser.close();
  await app.close();
}
