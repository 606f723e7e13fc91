import { isTag, isText, type AnyNode, type Document, type Element } from "domhandler";
import {
  descendants,
  isChrome,
  isLinkList,
  isPointerParagraph,
  sectionLabel,
  visibleText,
} from "./html-boilerplate.js";

/** One paragraph of an article: the text of one block element, whitespace collapsed. */
export interface HtmlBlock {
  text: string;
  /** The block element it came from: "p", "h2", "li", "div", … */
  tag: string;
  /**
   * Where the paragraph opens in bold (`strong`, `b`) or italics (`em`, `i`): the length of that
   * opening in `text`, and whether it is the whole paragraph (a question set in bold).
   */
  lead?: { kind: "strong" | "em"; length: number; whole: boolean };
}

const blockTags = new Set([
  "p",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "li",
  "ul",
  "ol",
  "dl",
  "dt",
  "dd",
  "blockquote",
  "div",
  "section",
  "article",
  "main",
  "header",
  "figure",
  "pre",
  "address",
  "table",
  "thead",
  "tbody",
  "tr",
  "td",
  "th",
  "details",
  "summary",
  "center",
  "hr",
  "body",
  "html",
]);
const emphasis: Record<string, "strong" | "em"> = { strong: "strong", b: "strong", em: "em", i: "em" };

interface Run {
  text: string;
  kind: "strong" | "em" | null;
  /** A <br>: a line break that whitespace collapsing keeps. */
  br?: true;
}

/**
 * The article of a page and its paragraphs in reading order. The article is the `<article>` with
 * the most text (else `<main>`, else `<body>`); within it, page furniture is skipped (see isChrome),
 * as are "Related"/"Read more" labels with the lists of links after them, and lists of nothing but
 * links. A title `<h1>` that the page puts before its `<article>` is read as the first paragraph.
 */
export function articleBlocks(document: Document): { blocks: HtmlBlock[]; root: AnyNode; title: Element | null } {
  const root = findArticle(document);
  let title = descendants(root, (element) => element.name === "h1").find((h1) => !insideChrome(h1, root)) ?? null;
  const blocks: HtmlBlock[] = [];
  const walker = new BlockWalker(blocks, title);
  if (!title) {
    const outside = descendants(document, (element) => element.name === "h1").find((h1) => !insideChrome(h1, document));
    if (outside && precedes(outside, root)) {
      title = outside;
      walker.walk(outside);
    }
  }
  walker.walk(root, null, true);
  walker.flush();
  return { blocks, root, title };
}

class BlockWalker {
  private runs: Run[] = [];
  private tag = "p";

  constructor(
    private readonly blocks: HtmlBlock[],
    private readonly title: Element | null,
  ) {}

  /** Reads `node`; `trusted` when it is the article itself, whose own class names are not judged. */
  walk(node: AnyNode, kind: Run["kind"] = null, trusted = false): void {
    if (isText(node)) return this.append(node.data, kind);
    if (!isTag(node) && node.type !== "root") return;
    if (isTag(node)) {
      // A class that looks like furniture on the element that holds the title is a false alarm.
      if (!trusted && isChrome(node) && !(this.title && contains(node, this.title))) return;
      if (node.name === "br") return this.lineBreak();
      if (blockTags.has(node.name)) return this.walkBlock(node);
      kind = emphasis[node.name] ?? kind;
    }
    if ("children" in node) this.walkChildren(node.children, kind);
  }

  flush(): void {
    const block = normalise(this.runs, this.tag);
    this.runs = [];
    if (block) this.blocks.push(block);
  }

  private walkBlock(element: Element): void {
    this.flush();
    const outer = this.tag;
    this.tag = element.name;
    this.walkChildren(element.children, null);
    this.flush();
    this.tag = outer;
  }

  private walkChildren(children: readonly AnyNode[], kind: Run["kind"]): void {
    // After a "Related articles" heading or a "Read more:" paragraph, the lists of links it introduces.
    let afterLabel = false;
    for (const child of children) {
      if (!isTag(child)) {
        this.walk(child, kind);
        continue;
      }
      if (afterLabel && isLinkList(child)) continue;
      afterLabel = false;
      if (blockTags.has(child.name)) {
        const text = visibleText(child).replace(/\s+/g, " ").trim();
        if (text.length <= 80 && sectionLabel.test(text)) {
          afterLabel = true;
          continue;
        }
        if (isPointerParagraph(child, text)) continue;
        // A list whose every item is a link (tags, other stories) is navigation, whatever its class.
        if ((child.name === "ul" || child.name === "ol") && everyItemLinks(child)) continue;
      }
      this.walk(child, kind);
    }
  }

  private append(data: string, kind: Run["kind"]): void {
    const previous = this.runs.at(-1);
    // "<strong>Q:</strong>How…" — the tag and the words need a space for the text parser to see a tag.
    if (previous?.kind && previous.text.trimEnd().endsWith(":") && !kind && /^[^\s]/.test(data)) data = ` ${data}`;
    this.runs.push({ text: data, kind });
  }

  private lineBreak(): void {
    // Two <br> in a row are how old pages write a paragraph break.
    let last = this.runs.length - 1;
    while (last >= 0 && !this.runs[last]!.br && this.runs[last]!.text.trim() === "") last--;
    if (last >= 0 && this.runs[last]!.br) {
      this.runs.length = last;
      this.flush();
    } else {
      this.runs.push({ text: "\n", kind: null, br: true });
    }
  }
}

/** Collapses whitespace (a <br> stays a line break) and measures the bold or italic opening. */
function normalise(runs: readonly Run[], tag: string): HtmlBlock | null {
  let text = "";
  const kinds: Array<Run["kind"]> = [];
  for (const run of runs) {
    if (run.br) {
      text = text.trimEnd();
      kinds.length = text.length;
      if (text !== "" && !text.endsWith("\n")) {
        text += "\n";
        kinds.push(null);
      }
      continue;
    }
    for (const char of run.text) {
      const space = /[\s\u00a0]/.test(char);
      if (space && (text === "" || text.endsWith(" ") || text.endsWith("\n"))) continue;
      text += space ? " " : char;
      // A character outside the BMP counts twice in `text.length`; keep `kinds` aligned with it.
      for (let unit = 0; unit < (space ? 1 : char.length); unit++) kinds.push(run.kind);
    }
  }
  text = text.trimEnd();
  if (text === "") return null;
  const kind = kinds[0];
  let length = 0;
  if (kind) {
    while (length < text.length && (kinds[length] === kind || /\s/.test(text[length]!))) length++;
    while (length > 0 && /\s/.test(text[length - 1]!)) length--;
  }
  const block: HtmlBlock = { text, tag };
  if (kind && length > 0) {
    // Punctuation left outside the bold ("<b>Why</b>?") does not make the question partial.
    const whole = /^[\s\p{P}]*$/u.test(text.slice(length));
    block.lead = { kind, length: whole ? text.length : length, whole };
  }
  return block;
}

function findArticle(document: Document): AnyNode {
  const articles = descendants(document, (element) => element.name === "article").filter(
    (article) => !insideChrome(article, document),
  );
  if (articles.length > 0) {
    const size = (article: Element) => visibleText(article).replace(/\s+/g, "").length;
    return articles.reduce((best, article) => (size(article) > size(best) ? article : best));
  }
  const main = descendants(document, (element) => element.name === "main" || element.attribs.role === "main")[0];
  return main ?? descendants(document, (element) => element.name === "body")[0] ?? document;
}

function insideChrome(element: Element, root: AnyNode): boolean {
  for (let node: AnyNode | null = element; node && node !== root; node = node.parent) {
    if (isTag(node) && isChrome(node)) return true;
  }
  return false;
}

function contains(ancestor: AnyNode, node: AnyNode): boolean {
  for (let current: AnyNode | null = node; current; current = current.parent) if (current === ancestor) return true;
  return false;
}

/** True when `node` comes before `other` in document order (and is not inside it). */
function precedes(node: AnyNode, other: AnyNode): boolean {
  const path = (start: AnyNode) => {
    const nodes: AnyNode[] = [];
    for (let current: AnyNode | null = start; current; current = current.parent) nodes.unshift(current);
    return nodes;
  };
  const a = path(node);
  const b = path(other);
  let depth = 0;
  while (depth < a.length && depth < b.length && a[depth] === b[depth]) depth++;
  const parent = a[depth - 1];
  if (!parent || !("children" in parent) || depth >= a.length || depth >= b.length) return false;
  const siblings = parent.children as AnyNode[];
  return siblings.indexOf(a[depth]!) < siblings.indexOf(b[depth]!);
}

function everyItemLinks(list: Element): boolean {
  const items = list.children.filter((child): child is Element => isTag(child) && child.name === "li");
  return items.length > 0 && items.every((item) => isLinkList(item));
}
