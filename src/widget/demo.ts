/**
 * The demo page's script (`/demo.js`; the page's CSP allows no inline script). When a citation
 * is opened in the widget, it highlights the quote in the interview shown on the page, using the
 * citation's offsets, and scrolls to it. It also copies the embed snippet.
 */
import { citationEvent, clearEvent, type CitationEventDetail } from "./contract.js";

function unhighlight(): void {
  for (const mark of document.querySelectorAll("mark.cited")) {
    const parent = mark.parentNode;
    mark.replaceWith(...mark.childNodes);
    parent?.normalize();
  }
}

// A cleared conversation leaves no highlight of its quotes behind.
document.addEventListener(clearEvent, unhighlight);

document.addEventListener(citationEvent, (event) => {
  const citation = (event as CustomEvent<CitationEventDetail>).detail;
  unhighlight();
  const marks = highlight(citation);
  const first = marks[0];
  if (!first) return;
  first.scrollIntoView({
    block: "center",
    behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth",
  });
});

/**
 * Wraps the quote in `<mark class="cited">` inside the elements whose `data-start`/`data-end`
 * offsets overlap it. Each such element holds exactly the interview's characters start–end as
 * one text node, so the offsets map straight onto it.
 */
function highlight({ source: file, chunkId, quote, start, end }: CitationEventDetail): HTMLElement[] {
  const articles = [...document.querySelectorAll<HTMLElement>("article[data-source]")];
  // Citations name their file; an older server's chunk ids carried "file:" instead.
  const source = file ?? (chunkId.includes(":") ? chunkId.slice(0, chunkId.indexOf(":")) : null);
  const article = articles.find((candidate) => candidate.dataset.source === source) ?? articles[0];
  const marks: HTMLElement[] = [];
  for (const element of article?.querySelectorAll<HTMLElement>("[data-start][data-end]") ?? []) {
    const from = Number(element.dataset.start);
    const to = Number(element.dataset.end);
    const text = element.firstChild;
    if (!(text instanceof Text) || to <= start || from >= end) continue;
    let a = Math.max(start, from) - from;
    let b = Math.min(end, to) - from;
    const expected = quote.slice(Math.max(start, from) - start, Math.min(end, to) - start);
    if (text.data.slice(a, b) !== expected) {
      // Offsets and page disagree (a changed file?): fall back to finding the words.
      a = text.data.indexOf(expected);
      if (a === -1) continue;
      b = a + expected.length;
    }
    const range = document.createRange();
    range.setStart(text, a);
    range.setEnd(text, b);
    const mark = document.createElement("mark");
    mark.className = "cited";
    range.surroundContents(mark);
    marks.push(mark);
  }
  return marks;
}

for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy ?? "");
    if (!source) return;
    try {
      await navigator.clipboard.writeText(source.textContent ?? "");
      button.textContent = "Copied";
    } catch {
      getSelection()?.selectAllChildren(source);
      button.textContent = "Press Ctrl+C to copy";
    }
    setTimeout(() => (button.textContent = "Copy"), 2000);
  });
}
