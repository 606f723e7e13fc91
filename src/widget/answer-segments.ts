/** A run of answer text, or an `[n]` citation marker. */
export type AnswerSegment = { text: string } | { n: number };

/** Splits an answer into text and its `[n]` markers, in order; the text parts keep every other character. */
export function segmentAnswer(answer: string): AnswerSegment[] {
  const segments: AnswerSegment[] = [];
  let cursor = 0;
  for (const match of answer.matchAll(/\[(\d{1,3})\]/g)) {
    if (match.index > cursor) segments.push({ text: answer.slice(cursor, match.index) });
    segments.push({ n: Number(match[1]) });
    cursor = match.index + match[0].length;
  }
  if (cursor < answer.length) segments.push({ text: answer.slice(cursor) });
  return segments;
}

/** The answer as a screen reader should hear it: markers dropped, spaces tidied. */
export function spokenAnswer(answer: string): string {
  return answer
    .replace(/\s*\[\d{1,3}\]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}
