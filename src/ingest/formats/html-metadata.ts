import { isTag, type AnyNode, type Document, type Element } from "domhandler";
import { descendants, isChrome, visibleText } from "./html-boilerplate.js";
import { beforeDate, compactMetadata, findDate, readDate, readText } from "./metadata.js";
import type { SourceMetadata } from "./types.js";

const authorClass = /^(?:author|authors|author-name|byline|byline__author|by-line|article-author|post-author)$/i;

/**
 * What a page says about its article: the title (its <h1>, else og:title, else <title>), the date
 * (a <time datetime>, the published-time meta, a date in the byline), the author (meta author, an
 * element marked rel/itemprop/class author or byline) as the interviewer, the site name as the outlet.
 */
export function htmlMetadata(document: Document, root: AnyNode, title: Element | null): SourceMetadata {
  const meta = metaContents(document);
  const byline = findByline(root) ?? findByline(document);
  return compactMetadata({
    title: readText(title ? visibleText(title) : undefined) ?? meta.get("og:title") ?? readText(pageTitle(document)),
    interviewer: authorName(meta.get("author")) ?? (byline ? authorName(visibleText(byline)) : undefined),
    outlet: meta.get("og:site_name") ?? meta.get("application-name"),
    date:
      timeOf(root) ??
      readDate(meta.get("article:published_time") ?? meta.get("datepublished") ?? meta.get("date")) ??
      (byline ? findDate(visibleText(byline)) : undefined) ??
      timeOf(document),
  });
}

/** <meta name|property|itemprop=… content=…>, keyed by the lower-cased name; the first of each wins. */
function metaContents(document: Document): Map<string, string> {
  const contents = new Map<string, string>();
  for (const element of descendants(document, (element) => element.name === "meta")) {
    const key = (element.attribs.property ?? element.attribs.name ?? element.attribs.itemprop ?? "").toLowerCase();
    const value = readText(element.attribs.content);
    if (key && value && !contents.has(key)) contents.set(key, value);
  }
  return contents;
}

function pageTitle(document: Document): string | undefined {
  const title = descendants(document, (element) => element.name === "title")[0];
  return title ? title.children.map((child) => ("data" in child ? child.data : "")).join("") : undefined;
}

function timeOf(scope: AnyNode): string | undefined {
  for (const time of readable(
    scope,
    (element) => element.name === "time" || element.attribs.itemprop === "datePublished",
  )) {
    const date = readDate(time.attribs.datetime ?? time.attribs.content) ?? findDate(visibleText(time));
    if (date) return date;
  }
  return undefined;
}

function findByline(scope: AnyNode): Element | undefined {
  return readable(scope, (element) => {
    const rel = (element.attribs.rel ?? "").split(/\s+/);
    const classes = (element.attribs.class ?? "").split(/\s+/);
    return rel.includes("author") || element.attribs.itemprop === "author" || classes.some((c) => authorClass.test(c));
  })[0];
}

/** "By Jane Doe | 5 March 2024" is "Jane Doe"; a profile URL is no name. */
function authorName(value: string | undefined): string | undefined {
  const text = readText(value);
  if (!text || /^https?:\/\//i.test(text)) return undefined;
  const name = beforeDate(text)
    .replace(/^by\s+/i, "")
    .split(/\s+[|·•—–]\s*|,\s*(?:updated|published|posted)\b/i)[0]!
    .replace(/[\s,;:|·•—–-]*(?:\b(?:on|updated|published|posted)\s*)?$/i, "")
    .trim();
  return name !== "" && name.length <= 100 ? name : undefined;
}

/** Elements matching `test` in `scope`, outside any page furniture. */
function readable(scope: AnyNode, test: (element: Element) => boolean): Element[] {
  const found: Element[] = [];
  const walk = (node: AnyNode) => {
    if (!("children" in node)) return;
    for (const child of node.children) {
      if (!isTag(child) || isChrome(child)) continue;
      if (test(child)) found.push(child);
      walk(child);
    }
  };
  walk(scope);
  return found;
}
