export interface TextSpan {
  text: string;
  /** Offset of the first character in the source file. */
  start: number;
  /** Offset one past the last character: `source.slice(start, end) === text`. */
  end: number;
}

// Abbreviations that end in a period but rarely end a sentence in interviews and news copy.
const abbreviations = new Set([
  "mr",
  "mrs",
  "ms",
  "dr",
  "prof",
  "st",
  "sr",
  "jr",
  "h.e",
  "e.g",
  "i.e",
  "u.s",
  "u.k",
  "u.n",
  "no",
  "vs",
  "etc",
  "approx",
  "incl",
  "cf",
  "gen",
  "gov",
  "sen",
  "rep",
  "jan",
  "feb",
  "mar",
  "apr",
  "jun",
  "jul",
  "aug",
  "sep",
  "sept",
  "oct",
  "nov",
  "dec",
  "co",
  "inc",
  "ltd",
  "fig",
]);

const whitespace = /[\s\u00a0\u2000-\u200b\u3000]/;

/**
 * Splits `source.slice(start, end)` into paragraphs: runs of text separated by blank lines.
 * Offsets are into `source`; surrounding whitespace is trimmed off each paragraph.
 */
export function splitParagraphs(source: string, start = 0, end = source.length): TextSpan[] {
  const paragraphs: TextSpan[] = [];
  const pattern = /\r?\n[ \t\u00a0\r]*\n/g;
  pattern.lastIndex = start;
  let cursor = start;
  const push = (from: number, to: number) => {
    const span = trimSpan(source, from, to);
    if (span) paragraphs.push(span);
  };
  for (let match = pattern.exec(source); match && match.index < end; match = pattern.exec(source)) {
    push(cursor, match.index);
    cursor = match.index + match[0].length;
  }
  push(cursor, end);
  return paragraphs;
}

/** Trims whitespace (including no-break spaces) off both ends; null when nothing is left. */
export function trimSpan(source: string, start: number, end: number): TextSpan | null {
  while (start < end && whitespace.test(source[start]!)) start++;
  while (end > start && whitespace.test(source[end - 1]!)) end--;
  return start < end ? { text: source.slice(start, end), start, end } : null;
}

/**
 * Splits a span of `source` into sentences with exact offsets. A sentence ends at `.`, `!`
 * or `?` (with any closing quotes or brackets) followed by whitespace and the start of a new
 * sentence; known abbreviations ("Mr.", "H.E.") and decimals ("21.4") do not end one.
 */
export function splitSentences(source: string, start: number, end: number): TextSpan[] {
  const sentences: TextSpan[] = [];
  let sentenceStart = start;
  const boundary = /[.!?]+["'”’»)\]]*(?=[\s\u00a0])/g;
  boundary.lastIndex = start;
  for (let match = boundary.exec(source); match && match.index < end; match = boundary.exec(source)) {
    const stop = match.index + match[0].length;
    let next = stop;
    while (next < end && whitespace.test(source[next]!)) next++;
    if (next >= end) break;
    if (!endsSentence(source, sentenceStart, match.index, source[next]!)) continue;
    const span = trimSpan(source, sentenceStart, stop);
    if (span) sentences.push(span);
    sentenceStart = next;
  }
  const last = trimSpan(source, sentenceStart, end);
  if (last) sentences.push(last);
  return sentences;
}

function endsSentence(source: string, sentenceStart: number, punctuationAt: number, nextChar: string): boolean {
  if (source[punctuationAt] !== ".") return true;
  let wordStart = punctuationAt;
  while (wordStart > sentenceStart && !whitespace.test(source[wordStart - 1]!) && source[wordStart - 1] !== "(")
    wordStart--;
  const word = source.slice(wordStart, punctuationAt).replace(/^["'“‘(]+/, "");
  if (abbreviations.has(word.toLowerCase())) return false;
  // A lone capital ("J. Smith") is an initial, not the end of a sentence.
  if (/^[A-Z]$/.test(word)) return false;
  if (/^[\p{Lu}\p{N}"'“‘«([–—-]/u.test(nextChar)) return true;
  // Lower-case openings happen in sloppy copy ("... three years. interviewed ..."); accept them
  // only after an ordinary word, never after something that looks like an abbreviation.
  return /^\p{Ll}{3,}$/u.test(word);
}
