import { isTag, isText, type AnyNode, type Element } from "domhandler";

// Never read: code, media, forms and the page's chrome.
const unreadTags = new Set([
  "head",
  "script",
  "style",
  "noscript",
  "template",
  "svg",
  "math",
  "iframe",
  "object",
  "embed",
  "canvas",
  "video",
  "audio",
  "picture",
  "img",
  "nav",
  "footer",
  "aside",
  "form",
  "button",
  "input",
  "select",
  "textarea",
  "label",
  "dialog",
  // Photo captions and credits sit between a question and its answer; the text parser treats them as boilerplate too.
  "figcaption",
]);
const chromeRoles = new Set([
  "navigation",
  "banner",
  "contentinfo",
  "complementary",
  "search",
  "dialog",
  "alertdialog",
  "menu",
  "menubar",
]);
// A class or id word that names page furniture: "cookie-banner", "related-posts", "share_tools",
// "comments", "site-footer". Matched as a whole part between - and _ so "sharepoint" stays.
const chromeWords =
  /(?:^|[-_])(?:cookies?|consent|gdpr|banner|related|recommended|recommendations|more[-_]from|read[-_]?more|read[-_]next|share|sharing|social|comments?|disqus|newsletter|subscribe|subscription|signup|promo|advert|advertisement|ads?|sponsored|sidebar|breadcrumbs?|menu|navbar|navigation|nav|footer|popup|modal|paywall|outbrain|taboola|widgets?|site[-_]info|colophon|copyright)(?:$|[-_])/i;
const chromeLabels =
  /\b(?:cookies?|consent|gdpr|banner|related|recommended|more from|read more|share|social|comments|newsletter|advertisement|navigation|breadcrumbs?|menu|footer)\b/i;

/**
 * A heading or short paragraph that introduces a list of other pages ("Related articles", "More
 * from Culture", "Read more"), of comments or of share buttons: it and what it introduces are skipped.
 */
export const sectionLabel =
  /^(?:related(?: articles| stories| posts| content| coverage| reading| links| topics)?|recommended(?: for you| reading| stories| articles)?|more from\b.*|more (?:stories|articles|news|on this|like this)\b.*|read more|read next|read also|also read|see also|you (?:may|might) also like.*|popular(?: now| stories)?|most (?:read|popular|viewed)|trending(?: now)?|share(?: this)?(?: article| story| page| interview)?(?: on \w+)?|follow us.*|tags|topics|comments?(?: \(\d+\))?|\d+ comments?|leave a (?:comment|reply)|join the conversation|sign up.*|subscribe.*|newsletter)\s*:?$/i;

/** "Read more: <a>…</a>" — a paragraph that only points to another page. */
const pointerParagraph =
  /^(?:read more|read also|also read|related|see also|more from|recommended|read next|watch|listen)\b[^:]{0,40}:/i;

/** True for an element the readable text never includes, with everything inside it. */
export function isChrome(element: Element): boolean {
  const tag = element.name;
  if (unreadTags.has(tag)) return true;
  const attribs = element.attribs;
  if ("hidden" in attribs || attribs["aria-hidden"] === "true") return true;
  if (/(?:display\s*:\s*none|visibility\s*:\s*hidden)/i.test(attribs.style ?? "")) return true;
  if (chromeRoles.has((attribs.role ?? "").toLowerCase())) return true;
  // A page header holds the logo and menus; an article's own <header> (title, byline) is read.
  if (tag === "header" && (element.parent?.type !== "tag" || (element.parent as Element).name === "body")) return true;
  if (tag === "header" && hasDescendant(element, (child) => child.name === "nav")) return true;
  const words = `${attribs.class ?? ""} ${attribs.id ?? ""}`.split(/\s+/).filter(Boolean);
  if (words.some((word) => chromeWords.test(word))) return true;
  return chromeLabels.test(attribs["aria-label"] ?? "");
}

/** A list, or block, that is mostly links: related stories, tags, a table of contents of other pages. */
export function isLinkList(element: Element): boolean {
  const total = visibleText(element).replace(/\s+/g, "").length;
  if (total === 0) return false;
  let linked = 0;
  for (const link of descendants(element, (child) => child.name === "a")) {
    linked += visibleText(link).replace(/\s+/g, "").length;
  }
  return linked / total >= 0.7;
}

/** "Read more: <a>…</a>": a pointer to another page, not a paragraph of the interview. */
export function isPointerParagraph(element: Element, text: string): boolean {
  if (!pointerParagraph.test(text)) return false;
  const rest = text.replace(pointerParagraph, "").replace(/\s+/g, "").length;
  let linked = 0;
  for (const link of descendants(element, (child) => child.name === "a")) {
    linked += visibleText(link).replace(/\s+/g, "").length;
  }
  return rest === 0 || linked / rest >= 0.5;
}

/** The text a reader could see in a subtree: no script or style content, no chrome. */
export function visibleText(node: AnyNode): string {
  if (isText(node)) return node.data;
  if (!isTag(node) && node.type !== "root") return "";
  if (isTag(node) && isChrome(node)) return "";
  return "children" in node ? node.children.map(visibleText).join("") : "";
}

export function descendants(node: AnyNode, test: (element: Element) => boolean): Element[] {
  const found: Element[] = [];
  const walk = (current: AnyNode) => {
    if (!("children" in current)) return;
    for (const child of current.children) {
      if (!isTag(child)) continue;
      if (test(child)) found.push(child);
      walk(child);
    }
  };
  walk(node);
  return found;
}

function hasDescendant(node: AnyNode, test: (element: Element) => boolean): boolean {
  return descendants(node, test).length > 0;
}
