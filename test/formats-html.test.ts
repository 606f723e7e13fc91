import { describe, expect, it } from "vitest";
import { FormatError } from "../src/errors.js";
import { html } from "../src/ingest/formats/html.js";
import type { ReadableSource } from "../src/ingest/formats/types.js";

const read = (content: string) => html.read(content, "talk.html");
const turnsOf = (source: ReadableSource) =>
  source.turns!.map((turn) => [turn.speaker, source.text.slice(turn.start, turn.end), turn.asks ?? false]);

const page = `<!doctype html>
<html lang="en">
<head>
  <title>Jane Doe on rivers | The Daily</title>
  <meta property="og:site_name" content="The Daily">
  <meta name="author" content="Sam Writer">
  <meta property="article:published_time" content="2024-03-05T09:00:00+01:00">
  <style>.hidden { display: none }</style>
  <script>window.tracker = "script-content";</script>
</head>
<body>
  <header class="site-header"><a href="/">The Daily home</a><nav><ul><li><a href="/news">News menu</a></li></ul></nav></header>
  <div id="cookie-banner" class="notice">We use cookies on this site. <button>Accept</button></div>
  <main>
    <article class="post">
      <header>
        <h1>Jane Doe:   rivers &amp; roads</h1>
        <p class="byline">By <a rel="author" href="/sam">Sam Writer</a> · <time datetime="2024-03-05">5 March 2024</time></p>
      </header>
      <p>Jane Doe has walked every river in Wales.</p>
      <figure><img src="jane.jpg" alt="Jane"><figcaption>Photo: A. Photographer</figcaption></figure>
      <p><strong>Why rivers?</strong></p>
      <p>Because they go somewhere.<br>And they never&nbsp;stop.</p>
      <p>I love them.</p>
      <div class="share-tools"><a href="#">Share on X</a></div>
      <p><b>What comes next?</b> Roads, probably.</p>
      <h3>Read more</h3>
      <ul><li><a href="/a">Another story</a></li><li><a href="/b">And another</a></li></ul>
      <p><strong>Read more:</strong> <a href="/c">A linked story</a></p>
      <p><strong>And after that?</strong></p>
      <blockquote><p>Sleep.</p></blockquote>
      <noscript>Turn on JavaScript</noscript>
      <template><p>Template text</p></template>
      <section class="comments"><h2>Comments</h2><p>First!</p></section>
    </article>
    <aside><h2>Recommended</h2><ul><li><a href="/d">Other interview</a></li></ul></aside>
    <div class="related-posts"><p>More from The Daily</p></div>
  </main>
  <footer><p>© The Daily</p></footer>
</body>
</html>`;

describe("the HTML format", () => {
  it("reads the article's text, one paragraph per block, whitespace collapsed and entities decoded", () => {
    expect(read(page).text).toBe(
      [
        "Jane Doe: rivers & roads",
        "By Sam Writer · 5 March 2024",
        "Jane Doe has walked every river in Wales.",
        "Why rivers?",
        "Because they go somewhere.\nAnd they never stop.",
        "I love them.",
        "What comes next? Roads, probably.",
        "And after that?",
        "Sleep.",
      ].join("\n\n"),
    );
  });

  it("never lets the page's furniture, code or markup into the text", () => {
    const { text } = read(page);
    for (const boilerplate of [
      "script-content",
      "display",
      "The Daily home",
      "News menu",
      "cookies",
      "Accept",
      "Photo:",
      "Share on X",
      "Read more",
      "Another story",
      "A linked story",
      "JavaScript",
      "Template text",
      "First!",
      "Other interview",
      "More from",
      "©",
    ]) {
      expect(text).not.toContain(boilerplate);
    }
    expect(text).not.toMatch(/[<>]|&amp;|&nbsp;/);
  });

  it("reads title, date, author as interviewer and site name as outlet", () => {
    expect(read(page).metadata).toEqual({
      title: "Jane Doe: rivers & roads",
      interviewer: "Sam Writer",
      outlet: "The Daily",
      date: "2024-03-05",
    });
  });

  it("makes turns of questions set in bold: each asks, the paragraphs up to the next question answer it", () => {
    expect(turnsOf(read(page))).toEqual([
      [null, "Why rivers?", true],
      [null, "Because they go somewhere.\nAnd they never stop.\n\nI love them.", false],
      [null, "What comes next?", true],
      [null, "Roads, probably.", false],
      [null, "And after that?", true],
      [null, "Sleep.", false],
    ]);
  });

  it("makes turns of question headings, leaving the title and lead out of every turn", () => {
    const source = read(
      "<article><h1>Talk</h1><p><em>Edited for length.</em></p><h2>Why rivers?</h2><p>They move.</p><h2>And roads?</h2><p>They stay.</p><p>Mostly.</p></article>",
    );
    expect(source.text).toBe(
      "Talk\n\nEdited for length.\n\nWhy rivers?\n\nThey move.\n\nAnd roads?\n\nThey stay.\n\nMostly.",
    );
    expect(turnsOf(source)).toEqual([
      [null, "Why rivers?", true],
      [null, "They move.", false],
      [null, "And roads?", true],
      [null, "They stay.\n\nMostly.", false],
    ]);
  });

  it("writes bold speaker tags as plain tags and leaves the turns to the text parser", () => {
    const source = read(
      "<p><strong>Q:</strong>How are you?</p><p><strong>A:</strong> Fine, <i>thanks</i>.</p><p><b>Q: </b>And roads?<br><b>A:</b> Later.</p>",
    );
    expect(source.text).toBe("Q: How are you?\n\nA: Fine, thanks.\n\nQ: And roads?\nA: Later.");
    expect(source.turns).toBeUndefined();
  });

  it("makes no turns when bold paragraphs do not ask (subheadings in bold)", () => {
    const source = read("<p><b>Early years</b></p><p>She grew up.</p><p><b>Later</b></p><p>She left.</p>");
    expect(source.turns).toBeUndefined();
  });

  it("falls back to og:title, then <title>, when the article has no <h1>", () => {
    const body = "<body><article><p>Words.</p></article></body>";
    expect(
      read(`<head><meta property="og:title" content="OG title"><title>Tab</title></head>${body}`).metadata,
    ).toEqual({
      title: "OG title",
    });
    expect(read(`<head><title>Tab &amp; title</title></head>${body}`).metadata).toEqual({ title: "Tab & title" });
  });

  it("reads a title <h1> set just before the article as the first paragraph", () => {
    const source = read("<body><main><h1>The title</h1><article><p>Words.</p></article></main></body>");
    expect(source.text).toBe("The title\n\nWords.");
    expect(source.metadata.title).toBe("The title");
  });

  it("reads the date from a byline when no element or meta gives it, and the author from a byline element", () => {
    const source = read('<article><p class="byline">By Sam Writer, March 5, 2024</p><p>Words.</p></article>');
    expect(source.metadata).toEqual({ interviewer: "Sam Writer", date: "2024-03-05" });
  });

  it("keeps old pages' paragraphs written with <br><br>", () => {
    expect(read("<body><p>One line.<br>\n<br>Next paragraph.</p></body>").text).toBe("One line.\n\nNext paragraph.");
  });

  it("throws FormatError for a file with no HTML, or no readable text", () => {
    expect(() => read("Just words, no markup at all.")).toThrow(FormatError);
    expect(() => read("<html><body><nav><a>Home</a></nav><script>x()</script></body></html>")).toThrow(
      /talk\.html has no readable text/,
    );
  });
});
