import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { type NextFunction, type Request, type Response } from "express";
import { AppError } from "../errors.js";
import type { ParsedInterview } from "../ingest/parse-interview.js";
import { splitParagraphs, type TextSpan } from "../text/split-sentences.js";
import { PrecompressedAsset } from "./precompressed-asset.js";

export interface WidgetRoutesOptions {
  /** The interviews the demo page shows (`OpenedIndex.interviews`). */
  interviews: ParsedInterview[];
  /** The folder `npm run build:widget` wrote `widget.js`, `demo.js` and `demo.css` to. Default `dist/`. */
  assetsDir?: string;
  /** Questions offered as one-click chips on the demo page. */
  suggestions?: string[];
  /** The server's public origin (PUBLIC_URL), for the snippets the pages show; unset, the request's. */
  publicUrl?: string;
}

const defaultSuggestions = [
  "How many deputies will the Mazhilis have?",
  "Which Latvian ports receive Kazakh cargo?",
  "Who did Tokayev meet in Brussels?",
];

const assets = ["widget.js", "demo.js", "demo.css"] as const;

/** Where `npm run build:widget` writes (src/cli/build-widget.ts). */
const defaultWidgetDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist");

/**
 * The widget's routes: `/widget.js` (cacheable, loadable by other sites' pages), the demo page
 * at `/` (the interview, readable, with the widget on it), `/embed` (every option documented),
 * and the demo page's `/demo.js` and `/demo.css`.
 */
export function widgetRoutes({
  interviews,
  assetsDir = defaultWidgetDir,
  suggestions = defaultSuggestions,
  publicUrl,
}: WidgetRoutesOptions): express.Router {
  const router = express.Router();
  for (const name of assets) {
    const asset = new PrecompressedAsset(path.join(assetsDir, name));
    router.get(`/${name}`, (request: Request, response: Response, next: NextFunction) => {
      asset.send(request, response).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT")
          next(new AppError("widget_not_built", "The widget is not built: run npm run build:widget", 503));
        else next(error);
      });
    });
  }
  const articles = interviews.map(renderInterview).join("\n");
  const html = (response: Response, page: string) => {
    response.setHeader("Cache-Control", "no-cache");
    response.type("html").send(page);
  };
  // The snippet's address only: which pages may ask is decided in src/serve/protect.ts, never from Host.
  const originOf = (request: Request) => publicUrl ?? `${request.protocol}://${request.get("host") ?? "localhost"}`;
  router.get("/", (request, response) =>
    html(response, demoPage(originOf(request), articles, interviews, suggestions)),
  );
  router.get("/embed", (request, response) => html(response, embedPage(originOf(request))));
  return router;
}

/** Escapes text for HTML content and quoted attributes. A carriage return is kept as `&#13;` so offsets still hold in the DOM. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (character) => `&#${character.charCodeAt(0)};`);
}

const spanAttributes = (span: TextSpan) => `data-start="${span.start}" data-end="${span.end}"`;

/** One interview as an article: title, lead, each question a heading with its answer's paragraphs; offsets on every text. */
function renderInterview(interview: ParsedInterview): string {
  const { source, title, lead, questions } = interview;
  const paragraphs = (span: TextSpan, className = "") =>
    splitParagraphs(source.text, span.start, span.end)
      .map(
        (paragraph) =>
          `<p${className ? ` class="${className}"` : ""} ${spanAttributes(paragraph)}>${escapeHtml(paragraph.text)}</p>`,
      )
      .join("\n");
  const parts = [`<article data-source="${escapeHtml(source.id)}">`];
  if (title) parts.push(`<h1 ${spanAttributes(title)}>${escapeHtml(title.text)}</h1>`);
  for (const span of lead) parts.push(paragraphs(span, "lead"));
  for (const section of questions) {
    parts.push(
      `<section>`,
      `<h2><span class="speaker">${escapeHtml(section.speaker)}:</span><span ${spanAttributes(section.question)}>${escapeHtml(section.question.text)}</span></h2>`,
      section.answer ? paragraphs(section.answer) : "",
      `</section>`,
    );
  }
  parts.push(`</article>`);
  return parts.join("\n");
}

function page(title: string, body: string, head = "", bodyClass = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/demo.css">
${head}
</head>
<body${bodyClass ? ` class="${bodyClass}"` : ""}>
${body}
</body>
</html>
`;
}

const snippet = (origin: string) => `<script src="${origin}/widget.js" defer></script>`;

function demoPage(origin: string, articles: string, interviews: ParsedInterview[], suggestions: string[]): string {
  const title = interviews[0]?.title?.text ?? "Interview";
  return page(
    `${title.length > 80 ? `${title.slice(0, 77)}…` : title} · interview-chat`,
    `<header class="intro">
<p><strong>interview-chat</strong>: the interview below, with a chat that answers from it alone.</p>
<p>Open the chat button in the corner and ask anything. Every answer cites the interview's own words: select a citation number to read the quote, highlighted here in the text.</p>
<p>To add the chat to your own page, paste this tag (<a href="/embed">all the options</a>):</p>
<div class="snippet"><pre id="snippet" tabindex="0" role="region" aria-label="The embed tag"><code>${escapeHtml(snippet(origin))}</code></pre><button type="button" data-copy="snippet">Copy</button></div>
</header>
<main>
${articles}
</main>`,
    `<script src="/demo.js" defer></script>
<script src="/widget.js" defer data-suggestions="${escapeHtml(suggestions.join("|"))}"></script>`,
    "demo",
  );
}

/** Every option of the widget, with examples and an inline widget to try. */
function embedPage(origin: string): string {
  const sections = [
    introSection(origin),
    optionsSection(origin),
    inlineSection(origin),
    javaScriptSection,
    keyboardSection,
    originsSection(origin),
  ];
  return page(
    "Embed the interview chat · interview-chat",
    `<main class="docs">\n${sections.join("\n\n")}\n</main>`,
    `<script src="/demo.js" defer></script>
<script src="/widget.js" defer data-mode="inline" data-target="#chat-here" data-title="Try it here"></script>`,
  );
}

const code = (text: string) => `<code>${escapeHtml(text)}</code>`;

/** The script tag's `data-*` attributes: name, default (text, escaped when shown) and description (HTML as written). */
const embedOptions: Array<[string, string, string]> = [
  [
    "data-api",
    "the script's own origin",
    `The server to ask (its <code>/api/chat</code>). Set it when <code>widget.js</code> is served from somewhere else, such as a CDN.`,
  ],
  ["data-title", "Ask the interview", "The panel's heading; the launcher's label says “Open chat: <em>title</em>”."],
  [
    "data-greeting",
    "“Hello! Ask me anything about this interview. …”",
    "The first message in the panel, shown before any question.",
  ],
  [
    "data-suggestions",
    "none",
    `Questions shown as one-click chips until the first question, separated by <code>|</code> (a vertical bar), e.g. ${code('data-suggestions="Who was interviewed?|What changed in the Constitution?"')}.`,
  ],
  [
    "data-accent",
    "#2f5bea",
    `The colour of the launcher, chips and buttons: any CSS colour (${code("#0a7")}, ${code("rebeccapurple")}, ${code("hsl(200 80% 40%)")}); one the browser does not accept is ignored. Text on it is white.`,
  ],
  [
    "data-position",
    "bottom-right",
    `${code("bottom-right")} or ${code("bottom-left")}: the corner of the launcher and the floating panel.`,
  ],
  [
    "data-open",
    "absent (closed)",
    `Present (or ${code('"true"')}) to open the panel when the page loads; ${code('"false"')} keeps it closed.`,
  ],
  [
    "data-mode",
    "floating",
    `${code("inline")} renders the panel inside the element named by <code>data-target</code>, always open, filling that element (give it a height), with no launcher.`,
  ],
  [
    "data-target",
    "none",
    `A CSS selector, for ${code('data-mode="inline"')}: ${code('data-target="#chat"')}. If it matches nothing, the floating widget is shown instead and the console says why.`,
  ],
  [
    "data-theme",
    "auto",
    `${code("auto")} follows the visitor's light or dark setting; ${code("light")} or ${code("dark")} forces one.`,
  ],
  ["data-avatar", "none", `An image URL (relative to your page) shown beside the title: your logo or a face.`],
  ["data-placeholder", "“Ask about the interview…”", "The hint in the empty question box."],
  [
    "data-lang",
    "en",
    `The language of the widget's own words: ${code("en")} or ${code("de")} (German). The title and greeting follow it unless set.`,
  ],
  [
    "data-labels",
    "none",
    `JSON overriding any of the widget's words, e.g. ${code(`data-labels='{"send":"Ask","retry":"Ask again"}'`)}; the keys are listed in the widget's documentation (docs/widget.md).`,
  ],
  [
    "data-persist",
    "tab",
    `Where the conversation is kept: ${code("tab")} (sessionStorage: until the tab closes), ${code("local")} (localStorage: across visits) or ${code("none")}.`,
  ],
  [
    "data-source",
    "none",
    `The interview file to answer from, sent with each question as ${code('"sources": ["…"]')}, when the server holds several.`,
  ],
  [
    "data-media",
    "none",
    `A CSS selector for an ${code("<audio>")} or ${code("<video>")} on your page, e.g. ${code('data-media="#recording"')}: the time under a quote from a recording (“at 1:34”) becomes a button that takes that player to the moment the quote starts.`,
  ],
];

function introSection(origin: string): string {
  return `<h1>Embed the interview chat</h1>
<p>Paste one tag anywhere in your page (the end of <code>&lt;body&gt;</code> is a good place):</p>
<div class="snippet"><pre id="snippet" tabindex="0" role="region" aria-label="The embed tag"><code>${escapeHtml(snippet(origin))}</code></pre><button type="button" data-copy="snippet">Copy</button></div>
<p>It adds a chat button in the corner of the page; the chat answers questions about the interview from the interview alone, streams its answers, and shows the quote behind every citation. It lives in its own Shadow DOM, so your page's CSS does not change it and its CSS does not touch your page. It is one file with no dependencies, and holds no secrets.</p>`;
}

function optionsSection(origin: string): string {
  return `<h2>Options</h2>
<p>Set them as <code>data-*</code> attributes on the same <code>&lt;script&gt;</code> tag:</p>
<pre tabindex="0" role="region" aria-label="An embed tag with options"><code>${escapeHtml(`<script src="${origin}/widget.js" defer
  data-title="Ask the ambassador"
  data-greeting="Hi! What would you like to know?"
  data-suggestions="How many deputies will the Mazhilis have?|Which Latvian ports receive Kazakh cargo?"
  data-accent="#0b7a5a"
  data-position="bottom-left"
  data-open></script>`)}</code></pre>
<table>
<thead><tr><th>attribute</th><th>default</th><th>what it does</th></tr></thead>
<tbody>
${embedOptions.map(([name, fallback, description]) => `<tr><th scope="row"><code>${name}</code></th><td>${escapeHtml(fallback)}</td><td>${description}</td></tr>`).join("\n")}
</tbody>
</table>`;
}

function inlineSection(origin: string): string {
  return `<h2>Inline</h2>
<p>To put the chat inside your page rather than over it:</p>
<pre tabindex="0" role="region" aria-label="An inline embed"><code>${escapeHtml(`<div id="chat" style="height: 520px"></div>
<script src="${origin}/widget.js" defer data-mode="inline" data-target="#chat"></script>`)}</code></pre>
<p>Like this one:</p>
<div id="chat-here"></div>`;
}

const javaScriptSection = `<h2>JavaScript</h2>
<p>The script defines one global, <code>InterviewChat</code>:</p>
<table>
<tbody>
<tr><th scope="row"><code>InterviewChat.open()</code></th><td>Opens the panel and puts the cursor in the question box.</td></tr>
<tr><th scope="row"><code>InterviewChat.close()</code></th><td>Closes the floating panel (an inline one stays open).</td></tr>
<tr><th scope="row"><code>InterviewChat.ask(text)</code></th><td>Opens the panel and asks <code>text</code>, stopping any answer still streaming.</td></tr>
</tbody>
</table>
<p>When a visitor opens a citation, the widget dispatches <code>interview-chat:citation</code> on <code>document</code>; its <code>detail</code> is the citation: <code>{ n, chunkId, section, quote, start, end }</code>, where <code>start</code>–<code>end</code> are the quote's character offsets in the interview. The demo page at <a href="/">/</a> uses it to highlight the quote in the text.</p>`;

const keyboardSection = `<h2>Keyboard and accessibility</h2>
<p>Tab to the launcher and press Enter to open; Enter sends, Shift+Enter starts a new line, Escape closes the innermost thing first (an open quote, then the panel) and returns focus to where it was. Answers are announced to screen readers when they are complete. On narrow or short screens (a phone either way up) the panel fills the screen, and a quote opens inside it with a “Show in the interview” button. The widget follows the visitor's light or dark setting and reduced-motion preference.</p>`;

function originsSection(origin: string): string {
  return `<h2>Which sites may embed it</h2>
<p>The server answers pages on its own origin (<code>${escapeHtml(origin)}</code>) and on the origins listed in its <code>ALLOWED_ORIGINS</code> setting, comma-separated, for example <code>ALLOWED_ORIGINS=https://www.example.com,https://blog.example.com</code>. Browsers send the page's origin with each question; pages on other origins get no CORS headers (and a <code>403 origin_not_allowed</code>), so the browser blocks their questions. The widget checks this once when the page loads: the visitor reads “The chat isn't available on this page”, and the browser console gives the site's owner the exact fix, <code>ALLOWED_ORIGINS=</code> followed by the page's origin. Loading <code>widget.js</code> itself is open to every site.</p>
<p>Pages on those origins get a short-lived session token from the server, which the widget fetches and renews by itself; each token has a quota of questions, on top of a limit per visitor address. Any script can claim to be such a page, so a public widget makes the server a public API: those quotas are what protect it, and <code>API_KEYS</code> still hold for everything else.</p>
<p>If your page has a Content Security Policy, allow the server in <code>script-src</code> (to load the script) and <code>connect-src</code> (to ask questions).</p>
<p>The conversation, an answer still arriving and whether the panel is open are kept in the visitor's <code>sessionStorage</code> (see <code>data-persist</code>), so they survive a reload of the page; the bin button in the panel clears the conversation, after asking.</p>`;
}
