import { fromMarkdown } from "mdast-util-from-markdown";

type MarkdownNode = ReturnType<typeof fromMarkdown> | ReturnType<typeof fromMarkdown>["children"][number];

/** A paragraph of the readable text, with what the Markdown said it was. */
export interface MarkdownBlock {
  start: number;
  end: number;
  /** 1–6 for a heading ("## Why now?" is 2). */
  depth?: number;
  /** A thematic break (`---`): nothing in the text, but it ends a section. */
  rule?: boolean;
}

// A speaker tag set in bold or italics at a line's start: "**Q:**", "__Q.__", "*Jane Doe:*".
const emphasisedTag = /^([\p{Lu}][\p{L}\p{M}.'’-]*(?:\s+[\p{Lu}][\p{L}\p{M}.'’-]*){0,2}?)\s*([:.])$/u;
// "Q." is a tag only in its conventional forms; "**Washington.**" is a dateline.
const dottedTags = /^(?:q|a|question|answer)$/i;
// CommonMark leaves "**A:**Fine" unparsed (a closing `**` after a colon needs a space after it), so
// its markers reach the text; the writer meant a bold tag all the same.
const unparsedTag =
  /(^|\n)[ \t]*(?:\*\*|__)([\p{Lu}][\p{L}\p{M}.'’-]*(?:[ \t]+[\p{Lu}][\p{L}\p{M}.'’-]*){0,2}?)[ \t]*([:.])(?:\*\*|__)(?=\S)/gu;

/**
 * The words a reader reads in a Markdown body, one paragraph per block (heading, paragraph, list
 * item, quoted paragraph, code block) with blank lines between, lines within a paragraph kept.
 * What a reader does not read goes: `#` markers, emphasis, link targets, images, `>` markers,
 * raw HTML, link definitions. A speaker tag in bold ("**Q:** …", "**Q.** …") comes out as
 * the plain "Q: …" the text parser reads.
 */
export function renderMarkdown(body: string): { text: string; blocks: MarkdownBlock[] } {
  let text = "";
  const blocks: MarkdownBlock[] = [];
  const emit = (content: string, depth?: number) => {
    const paragraph = content
      .split("\n")
      .map((line) => line.replace(/[ \t\u00a0]+/g, " ").trim())
      .filter((line) => line !== "")
      .join("\n");
    if (paragraph === "") return;
    if (text !== "") text += "\n\n";
    blocks.push({ start: text.length, end: text.length + paragraph.length, ...(depth ? { depth } : {}) });
    text += paragraph;
  };
  const visit = (node: MarkdownNode): void => {
    switch (node.type) {
      case "paragraph":
        return emit(inlineText(node.children));
      case "heading":
        return emit(inlineText(node.children), node.depth);
      case "code":
        return emit(node.value);
      case "thematicBreak":
        blocks.push({ start: text.length, end: text.length, rule: true });
        return;
      // Raw HTML blocks are markup or comments, link definitions are URLs: nothing a reader reads.
      case "html":
      case "definition":
        return;
      default:
        if ("children" in node) for (const child of node.children) visit(child);
    }
  };
  visit(fromMarkdown(body));
  return { text, blocks };
}

function inlineText(nodes: readonly MarkdownNode[]): string {
  let out = "";
  // After a normalised tag, the words must be spaced from its colon ("**Q:**How" is "Q: How").
  let spaceNext = false;
  const append = (piece: string) => {
    if (piece === "") return;
    if (spaceNext && !/^\s/.test(piece)) out += " ";
    spaceNext = false;
    out += piece;
  };
  const walk = (node: MarkdownNode): void => {
    switch (node.type) {
      case "text":
      case "inlineCode":
        return append(node.value);
      case "break":
        return append("\n");
      case "html":
        // Only a <br> means something to a reader; other inline tags are markup around words that stay.
        return append(/^<br\s*\/?>$/i.test(node.value) ? "\n" : "");
      case "image":
      case "imageReference":
      case "footnoteReference":
        return;
      case "strong":
      case "emphasis": {
        const tag = /(?:^|\n)[ \t]*$/.test(out) ? emphasisedTag.exec(plainText(node).trim()) : null;
        if (tag && (tag[2] === ":" || dottedTags.test(tag[1]!))) {
          append(`${tag[1]}:`);
          spaceNext = true;
          return;
        }
        break;
      }
    }
    if ("children" in node) for (const child of node.children) walk(child);
  };
  for (const node of nodes) walk(node);
  return out.replace(unparsedTag, (whole, lineStart: string, name: string, mark: string) =>
    mark === ":" || dottedTags.test(name) ? `${lineStart}${name}: ` : whole,
  );
}

function plainText(node: MarkdownNode): string {
  if (node.type === "text" || node.type === "inlineCode") return node.value;
  return "children" in node ? node.children.map(plainText).join("") : "";
}
