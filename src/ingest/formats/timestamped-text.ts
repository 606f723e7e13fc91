import { clock, clockSeconds } from "./clock.js";
import type { TimeSpan } from "./types.js";

const name = String.raw`[\p{Lu}][\p{L}\p{M}.'’-]*(?:[ \t]+[\p{Lu}][\p{L}\p{M}.'’-]*){0,3}`;
// "Jane Doe (00:12): …" or "Jane Doe [1:02:03]:" — the time belongs to the turn, the tag stays "Jane Doe:".
const stampedTag = new RegExp(String.raw`^(${name})[ \t]*[\[(](${clock})[\])][ \t]*:[ \t]*(.*)$`, "u");
// "00:31 …", "[00:01:02] …", "(00:12) - …": a stamp opening the line, and a dash or bar after it.
const leadingStamp = new RegExp(String.raw`^(?:[\[(](${clock})[\])]|(${clock})(?=\s|$))[ \t]*(?:[-–—|][ \t]+)?(.*)$`);
const speakerTag = new RegExp(String.raw`^${name}[ \t]*:(?:\s|$)`, "u");
const sentenceEnd = /[.?!…]["'”’»)\]]*$/;

interface Line {
  words: string;
  seconds?: number;
  /** A blank line came before it: a paragraph break the transcript made itself. */
  afterBlank: boolean;
}

/**
 * For a plain-text transcript whose lines open with timestamps ("00:31 …", "[00:01:02] …",
 * "Jane Doe (00:12): …"): the text without them, caption lines broken mid-sentence joined with a
 * space, a new paragraph at each `>>` (dropped) or "Name:" tag (kept), and the time of each
 * stamped line as a span of the new text, lasting until the next stamp. Null when fewer than 60%
 * of the non-empty lines carry a stamp: then the numbers are part of the text, not its timing.
 */
export function stripLineTimestamps(text: string): { text: string; times: TimeSpan[] } | null {
  const lines = readLines(text);
  if (lines === null) return null;
  let out = "";
  const times: TimeSpan[] = [];
  let breakNext = false;
  for (const line of lines) {
    const parts = line.words.split(/[ \t]*>>+[ \t]*/);
    let lineStart: number | null = null;
    for (const [index, part] of parts.entries()) {
      if (index > 0) breakNext = true;
      if (part === "") continue;
      if (out !== "") out += separator(out, part, line.afterBlank || breakNext);
      breakNext = false;
      lineStart ??= out.length;
      out += part;
    }
    if (line.seconds !== undefined && lineStart !== null) {
      times.push({ start: lineStart, end: out.length, startSeconds: line.seconds, endSeconds: line.seconds });
    }
  }
  // A line is spoken until the next stamp; the last one's end is not written anywhere.
  for (const [index, span] of times.entries()) {
    const next = times[index + 1];
    if (next && next.startSeconds >= span.startSeconds) span.endSeconds = next.startSeconds;
  }
  return { text: out, times };
}

function separator(before: string, next: string, paragraph: boolean): string {
  if (paragraph || speakerTag.test(next)) return "\n\n";
  // A caption line that ends a sentence keeps its line break; one broken mid-sentence goes on.
  return sentenceEnd.test(before) ? "\n" : " ";
}

/** The transcript's lines with their stamps read off; null when too few carry one. */
function readLines(text: string): Line[] | null {
  const lines: Line[] = [];
  let nonEmpty = 0;
  let stamped = 0;
  let pending: number | undefined;
  let afterBlank = false;
  for (const raw of text.split(/\r?\n/)) {
    const trimmed = raw.trim();
    if (trimmed === "") {
      afterBlank = lines.length > 0;
      continue;
    }
    nonEmpty++;
    let words = trimmed;
    let seconds: number | undefined;
    const tag = stampedTag.exec(trimmed);
    const stamp = tag ? null : leadingStamp.exec(trimmed);
    if (tag) {
      seconds = clockSeconds(tag[2]!);
      words = tag[3] ? `${tag[1]}: ${tag[3]}` : `${tag[1]}:`;
    } else if (stamp) {
      seconds = clockSeconds((stamp[1] ?? stamp[2])!);
      words = stamp[3]!.trim();
    }
    if (seconds !== undefined || pending !== undefined) stamped++;
    // A stamp alone on its line times the line that follows it.
    if (words === "") {
      pending = seconds;
      continue;
    }
    lines.push({
      words,
      afterBlank,
      ...(seconds !== undefined || pending !== undefined ? { seconds: seconds ?? pending } : {}),
    });
    pending = undefined;
    afterBlank = false;
  }
  return stamped > 0 && stamped >= 0.6 * nonEmpty ? lines : null;
}
