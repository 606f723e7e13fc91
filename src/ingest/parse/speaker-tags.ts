import type { Line } from "./lines.js";

export interface TaggedLine {
  /** The tag as written ("S. KISLYAK", "Q.", "JOURNALIST"), without an outlet or time in brackets. */
  tag: string;
  /** The tag's identity: "Q:" = "Q.:" = "Question:" (all "q"), "S. KISLYAK" = "S.KISLYAK". */
  key: string;
  lineStart: number;
  /** Where the turn's words start, after the tag and its colon. */
  contentStart: number;
  lineEnd: number;
}

// A turn opens with a short capitalised name, perhaps an outlet or a time in brackets, and a colon
// at the start of a line: "CS:", "Q.:", "Question:", "S. KISLYAK:", "JOURNALIST (Plains FM):",
// "Marta Quintela (00:12):", "**Q:**". Longer prefixes are headlines ("Interview with ...: ").
const speakerTag =
  /^[ \t]*(?:[*_]{2})?([\p{Lu}][\p{L}.'’-]*(?:[ \t]+[\p{Lu}][\p{L}.'’-]*){0,3})(?:[ \t]*\(([^()\n]{1,60})\))?[ \t]*(?:[*_]{2})?[ \t]*:[ \t]*(?:[*_]{2}[ \t]*)?(?=\S)/u;
// Labels that open lines without being anyone's turn.
const labels =
  /^(?:photo|photos|image|picture|source|credit|credits|caption|note|update|editor['’]s note|tags|read more|read also|see also|more from|related|watch|listen|date|location|time|place|subject|topic|by|transcript)$/i;
const interviewerKeys = new Set(["q", "interviewer", "int"]);
const answerKeys = new Set(["a"]);

/** "Question" and "Q." are one side; "Answer" and "A." the other; case, dots and spaces aside. */
export function tagKey(tag: string): string {
  const key = tag.toLowerCase().replace(/[.\s]+/g, "");
  if (key === "question") return "q";
  if (key === "answer") return "a";
  return key;
}

export const isInterviewerKey = (key: string): boolean => interviewerKeys.has(key);
export const isAnswerKey = (key: string): boolean => answerKeys.has(key);

/**
 * The lines that open a speaker's turn. A tag is a speaker's when it is conventional ("Q", "A",
 * "Interviewer"), carries an outlet or time in brackets, or recurs: a headline ("Sergei Lavrov:
 * International…") or a dateline opens one line only. A tag followed by a link ("More From Forbes:
 * http://…") is never a speaker's.
 */
export function findSpeakerTags(text: string, lines: readonly Line[], bodyEnd: number): TaggedLine[] {
  const candidates: Array<TaggedLine & { bracketed: boolean }> = [];
  for (const line of lines) {
    if (line.start >= bodyEnd) break;
    const content = text.slice(line.start, line.end);
    const match = speakerTag.exec(content);
    if (!match) continue;
    const tag = match[1]!.replace(/[ \t]+$/, "");
    if (labels.test(tag)) continue;
    const contentStart = line.start + match[0].length;
    if (/^(?:https?:\/\/|www\.)/i.test(text.slice(contentStart, line.end))) continue;
    candidates.push({
      tag,
      key: tagKey(tag),
      lineStart: line.start,
      contentStart,
      lineEnd: line.end,
      bracketed: match[2] !== undefined,
    });
  }
  const counts = new Map<string, number>();
  for (const candidate of candidates) counts.set(candidate.key, (counts.get(candidate.key) ?? 0) + 1);
  return candidates
    .filter(
      (candidate) =>
        interviewerKeys.has(candidate.key) ||
        answerKeys.has(candidate.key) ||
        candidate.bracketed ||
        counts.get(candidate.key)! >= 2,
    )
    .map(({ bracketed: _bracketed, ...tagged }) => tagged);
}
