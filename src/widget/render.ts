import type { WireCitation } from "./contract.js";
import type { AnswerFailure, AssistantMessage } from "./conversation.js";
import { h } from "./dom.js";
import { english, fill, type Labels } from "./labels.js";

type Citations = WireCitation[] | null;

/** What rendering an answer needs besides its text. */
export interface RenderContext {
  /** null while they are still streaming: markers become inert chips. */
  citations: Citations;
  /** Prefix of the ids the chips control (`${idPrefix}-card`). */
  idPrefix: string;
  labels?: Labels;
  /** The sentences the quotes do not back, which `markUnsupported` replaced with `\uE000i\uE001`. */
  unsupported?: string[];
}

/**
 * The inline part of a line of answer: `**bold**`, `*italics*` and `[n]` markers; the markers
 * that have a citation become chip buttons, all of them inert chips while the citations are
 * still unknown. Everything else, markup included, stays text.
 */
export function renderInline(text: string, context: RenderContext): Array<string | HTMLElement> {
  const { citations, idPrefix, labels = english, unsupported = [] } = context;
  const nodes: Array<string | HTMLElement> = [];
  let cursor = 0;
  for (const match of text.matchAll(
    /\*\*([^*\n]+?)\*\*|\*([^*\s](?:[^*\n]*[^*\s])?)\*|\[(\d{1,3})\]|\uE000(\d+)\uE001/g,
  )) {
    if (match.index > cursor) nodes.push(text.slice(cursor, match.index));
    cursor = match.index + match[0].length;
    if (match[1] !== undefined) nodes.push(h("strong", {}, ...renderInline(match[1], context)));
    else if (match[2] !== undefined) nodes.push(h("em", {}, ...renderInline(match[2], context)));
    else if (match[4] !== undefined) {
      // Shown, so the reader sees what was said, but marked and with no chip to suggest a source.
      nodes.push(
        h(
          "span",
          { class: "unsupported" },
          unsupported[Number(match[4])] ?? "",
          " ",
          h("small", {}, `(${labels.notFound})`),
        ),
      );
    } else {
      const n = Number(match[3]);
      if (citations === null) nodes.push(h("span", { class: "chip pending", "aria-hidden": "true" }, String(n)));
      else if (citations.some((citation) => citation.n === n))
        nodes.push(
          h(
            "button",
            {
              type: "button",
              class: "chip",
              "data-n": n,
              "aria-expanded": "false",
              "aria-controls": `${idPrefix}-card`,
              "aria-label": fill(labels.citation, { n }),
            },
            String(n),
          ),
        );
      else nodes.push(match[0]);
    }
  }
  if (cursor < text.length) nodes.push(text.slice(cursor));
  return nodes;
}

/**
 * The answer with each sentence its quotes do not back replaced by a placeholder that
 * `renderInline` shows marked, its `[n]` markers dropped so it gets no chip.
 */
export function markUnsupported(
  answer: string,
  claims: AssistantMessage["claims"],
): { text: string; unsupported: string[] } {
  const unsupported: string[] = [];
  let text = answer;
  for (const claim of claims ?? []) {
    const at = claim.supported ? -1 : text.indexOf(claim.text);
    if (at === -1 || claim.text.trim() === "") continue;
    text = `${text.slice(0, at)}\uE000${unsupported.length}\uE001${text.slice(at + claim.text.length)}`;
    unsupported.push(claim.text.replace(/\s*\[\d+(?:,\s*\d+)*\]/g, "").trim());
  }
  return { text, unsupported };
}

/** A list item's marker: "- ", "* ", "• " (bulleted), "1. ", "1) " or an overview's "(1) " (numbered). */
const listItem = /^\s*(?:([-*•])|(\d{1,3})[.)]|\((\d{1,3})\))\s+/;
/** A line start that may still turn into a list marker once more of it arrives ("-", "12", "3.", "(2"). */
const maybeListItem = /^\s*(?:[-*•]|\d{1,3}[.)]?|\(\d{0,3}\)?)?$/;

/** The end of the longest part of `text` after `from` that ends at a space and leaves no `*` or `**` open. */
function safeEnd(text: string, from: number): number {
  let bold = false;
  let italic = false;
  let end = from;
  for (let i = from; i < text.length; i++) {
    if (text[i] === "*") {
      if (text[i + 1] === "*") {
        bold = !bold;
        i++;
      } else italic = !italic;
    } else if (/\s/.test(text[i]!) && !bold && !italic) end = i + 1;
  }
  return end;
}

/**
 * Renders an answer into `container` as it streams: paragraphs (a blank line between them), line
 * breaks, bulleted and numbered lists, and inline Markdown. `append` adds text and touches only the
 * end: complete lines are rendered once; of the line still arriving, the part up to its last space
 * where no `*` is left open is rendered once too, and only the rest is redrawn on each chunk.
 */
export function answerRenderer(container: HTMLElement, context: RenderContext) {
  let block: HTMLElement | null = null; // the current <p>, <ul> or <ol>
  let target: HTMLElement | null = null; // where the current line's words go: the <p> or the <li>
  let line = ""; // the current line, as received so far
  let done = 0; // how much of `line` is rendered for good
  let tail: HTMLElement | null = null; // the rest of `line`, redrawn on each chunk

  const openLine = (force: boolean): boolean => {
    if (target) return true;
    const marker = listItem.exec(line);
    if (!marker && !force && maybeListItem.test(line)) return false;
    if (marker) {
      const tag = marker[1] ? "ul" : "ol";
      const number = marker[2] ?? marker[3];
      if (block?.tagName.toLowerCase() !== tag)
        container.append((block = h(tag, number && number !== "1" ? { start: number } : {})));
      block.append((target = h("li")));
      done = marker[0].length;
    } else {
      if (block?.tagName.toLowerCase() === "p") block.append(h("br"));
      else container.append((block = h("p")));
      target = block;
      done = line.length - line.trimStart().length;
    }
    return true;
  };

  const flush = (final: boolean) => {
    tail?.remove();
    tail = null;
    if (!openLine(final)) return;
    const end = final ? line.length : safeEnd(line, done);
    if (end > done) {
      target!.append(...renderInline(line.slice(done, end), context));
      done = end;
    }
    if (!final && done < line.length)
      target!.append((tail = h("span", {}, ...renderInline(line.slice(done), context))));
  };

  return {
    append(text: string): void {
      const lines = text.replace(/\r\n?/g, "\n").split("\n");
      for (let i = 0; i < lines.length; i++) {
        if (i > 0) {
          // A line ends: render what is left of it; a blank one ends the paragraph or list.
          if (line.trim() === "") {
            tail?.remove();
            tail = null;
            if (!target) block = null;
          } else flush(true);
          line = "";
          done = 0;
          target = null;
        }
        line += lines[i];
      }
      if (line.trim() !== "") flush(false);
    },
    /** Renders the rest of the last line for good (an unclosed `**` as the characters it is). */
    end(): void {
      if (line.trim() !== "") flush(true);
      tail = null;
    },
  };
}

/** A whole answer as paragraphs, lists and chips (see `answerRenderer`). */
export function renderAnswerText(
  answer: string,
  citations: Citations,
  idPrefix: string,
  labels: Labels = english,
): DocumentFragment {
  const box = h("div");
  const renderer = answerRenderer(box, { citations, idPrefix, labels });
  renderer.append(answer);
  renderer.end();
  const fragment = document.createDocumentFragment();
  fragment.append(...box.childNodes);
  return fragment;
}

/**
 * What a citation chip opens: the interviewer's question and the verbatim quote; where it is in
 * the interview is the quote's tooltip, not a line of numbers. Which interview it is from, when the
 * answer quotes several, and the moment it is spoken, for a recording, go on a line above.
 */
export function renderCitationCard(
  citation: WireCitation,
  message: Pick<AssistantMessage, "kind" | "claims" | "grounded" | "degraded"> & { citations?: WireCitation[] },
  labels: Labels = english,
  /** Seeks the host page's player (`data-media`): the moment becomes a button that calls it. */
  seek?: (seconds: number) => void,
): HTMLElement {
  const several = new Set((message.citations ?? []).map((other) => other.source)).size > 1;
  const meta = h("p", { class: "card-meta" }, several ? fill(labels.from, { source: citation.source }) : "");
  if (citation.time) {
    const { start } = citation.time;
    const time = clockTime(start);
    // "at {time}" with the time alone a button, whatever the words around it are in this language.
    const [before = "", after = ""] = labels.at.split("{time}");
    let moment: Node = document.createTextNode(time);
    if (seek) {
      moment = h("button", { type: "button", class: "seek", "aria-label": fill(labels.seek, { time }) }, time);
      moment.addEventListener("click", () => seek(start));
    }
    meta.append(several ? " · " : "", before, moment, after);
  }
  return h(
    "div",
    { class: "card-body" },
    ...(meta.textContent ? [meta] : []),
    h("p", { class: "card-label" }, fill(labels.quote, { n: citation.n })),
    h("p", { class: "card-question" }, citation.section),
    h(
      "blockquote",
      { class: "card-quote", title: `Characters ${citation.start}–${citation.end} of the interview` },
      citation.quote,
    ),
    ...stateNotes(message, labels),
  );
}

/** 94 → "1:34", 3725 → "1:02:05": a moment as a player shows it. */
export function clockTime(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const [hours, minutes, rest] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  const pad = (n: number) => String(n).padStart(2, "0");
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${minutes}:${pad(rest)}`;
}

/**
 * Notes on an answer that is not a plain grounded one: the extractive stand-in for a failed LLM,
 * or an old server's abstention. A reply that says the interview does not answer says so itself;
 * the sentences the quotes do not back are marked where they stand (`markUnsupported`).
 */
export function stateNotes(
  { kind, grounded, degraded }: Pick<AssistantMessage, "kind" | "claims" | "grounded" | "degraded">,
  labels: Labels = english,
): HTMLElement[] {
  const notes: HTMLElement[] = [];
  // A server from before claims: its grounded: false meant an abstention.
  if (kind === undefined && grounded === false) notes.push(h("p", { class: "note abstained" }, labels.abstained));
  if (degraded) notes.push(h("p", { class: "note degraded" }, labels.degraded));
  return notes;
}

/** Buttons asking the questions the server suggests; null when it suggests none. */
export function renderSuggestions(suggestions: readonly string[], labels: Labels = english): HTMLElement | null {
  if (suggestions.length === 0) return null;
  return h(
    "div",
    { class: "reply-suggestions", role: "group", "aria-label": labels.suggested },
    ...suggestions.slice(0, 5).map((question) => h("button", { type: "button", class: "suggestion" }, question)),
  );
}

/** A wait as a person would say it: 600 → "about 10 minutes", 28 → "about 30 seconds", 2 → "a moment". */
export function humanWait(seconds: number, labels: Labels = english): string {
  if (seconds < 5) return labels.moment;
  if (seconds < 55)
    return fill(labels.seconds, { n: seconds <= 10 ? Math.round(seconds) : Math.round(seconds / 5) * 5 });
  if (seconds < 90) return labels.minute;
  return fill(labels.minutes, { n: Math.round(seconds / 60) });
}

/** A message a visitor can act on, for each way a question can fail. */
export function friendlyError(failure: AnswerFailure, labels: Labels = english): string {
  if (failure.code === "rate_limited" || failure.status === 429)
    return fill(labels.rateLimited, { wait: humanWait(failure.retryAfter ?? 0, labels) });
  if (failure.code === "origin_refused") return labels.unavailable;
  if (failure.code === "incomplete") return labels.cutOff;
  if (failure.code === "network" || failure.status === 0) return labels.unreachable;
  if (failure.status === 400 || failure.status === 413) return `${labels.notSent}${failure.message}`;
  if (failure.status >= 500) return labels.serverTrouble;
  return labels.wrong;
}
