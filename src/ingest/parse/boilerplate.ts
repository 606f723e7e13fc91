import { trimSpan, type TextSpan } from "../../text/split-sentences.js";
import { wordCount, type Line } from "./lines.js";

const creditLine = /^[ \t]*(?:source|photo|photos|image|credit|credits|picture)[ \t]*:/i;
// What ends an article: a heading of the page's furniture, the wire's "ENDS", a copyright line.
const trailerLine =
  /^[ \t]*(?:(?:related articles|related posts|related stories|editor['’]s choice|read more|more from|share this|tags)[ \t]*:?|ends|-?ends-?|end of transcript|\[?end\]?|(?:©|\(c\)|copyright\b).*|all rights reserved.*)[ \t]*$/i;
// A line that only points elsewhere ("More From Wire Daily: https://…", "Read also: www…").
const urlPattern = /\bhttps?:\/\/|\bwww\.[\w-]+\./i;

export interface Boilerplate {
  /** Spans never indexed: credits, link lines, a site menu, and the trailer with all that follows. */
  spans: TextSpan[];
  /** Where the article's body ends (the trailer's start, or the end of the text). */
  bodyEnd: number;
}

/**
 * The page furniture of a transcript as published: photo and source credits, lines that are only a
 * link, a site menu above the headline (four or more one-to-three-word lines without a full stop,
 * before anything else), and the trailer ("Related articles", "ENDS", a copyright line) with
 * everything after it.
 */
export function findBoilerplate(text: string, lines: readonly Line[]): Boilerplate {
  const spans: TextSpan[] = [];
  let bodyEnd = text.length;
  const menu = leadingMenu(text, lines);
  if (menu) spans.push(menu);
  for (const line of lines) {
    if (menu && line.start < menu.end) continue;
    const content = text.slice(line.start, line.end);
    if (trailerLine.test(content)) {
      bodyEnd = line.start;
      const rest = trimSpan(text, line.start, text.length);
      if (rest) spans.push(rest);
      break;
    }
    if (creditLine.test(content) || isLinkLine(content)) {
      const span = trimSpan(text, line.start, line.end);
      if (span) spans.push(span);
    }
  }
  return { spans, bodyEnd };
}

function isLinkLine(content: string): boolean {
  return urlPattern.test(content) && wordCount(content.replace(/\S*(?:https?:\/\/|www\.)\S*/gi, "")) <= 12;
}

function leadingMenu(text: string, lines: readonly Line[]): TextSpan | null {
  let count = 0;
  let end = 0;
  for (const line of lines) {
    const content = text.slice(line.start, line.end).trim();
    if (content === "") {
      if (count > 0 && count < 4) return null;
      continue;
    }
    if (wordCount(content) > 3 || /[.?!:;,"“]$/.test(content)) break;
    count++;
    end = line.end;
  }
  return count >= 4 ? trimSpan(text, 0, end) : null;
}
