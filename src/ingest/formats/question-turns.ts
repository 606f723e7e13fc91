import type { Turn } from "./types.js";

/** One paragraph of a readable text, as a format laid it out. */
export interface LaidOutBlock {
  start: number;
  end: number;
  /** The span of the block the layout marks as the interviewer's question (all of it, or its bold opening). */
  question?: { start: number; end: number };
  /** Ends the answer before it without belonging to one (a section heading, a rule). */
  boundary?: boolean;
}

/**
 * Turns from a layout that marks questions (a heading, a bold paragraph) rather than speakers:
 * each question a turn that asks, the paragraphs after it up to the next question or boundary
 * one turn of the interviewee's. What precedes the first question (title, byline, lead) is in no turn.
 */
export function questionTurns(
  text: string,
  blocks: readonly LaidOutBlock[],
  speakers: { interviewer: string | null; interviewee: string | null },
): Turn[] {
  const turns: Turn[] = [];
  let answer: { start: number; end: number } | null = null;
  const closeAnswer = () => {
    if (answer) {
      let { start, end } = answer;
      while (start < end && /\s/.test(text[start]!)) start++;
      while (end > start && /\s/.test(text[end - 1]!)) end--;
      if (end > start) turns.push({ speaker: speakers.interviewee, start, end });
    }
    answer = null;
  };
  for (const block of blocks) {
    if (block.question) {
      closeAnswer();
      turns.push({ speaker: speakers.interviewer, start: block.question.start, end: block.question.end, asks: true });
      // A question in bold at the start of a paragraph: the rest of the paragraph is already the answer.
      if (block.question.end < block.end) answer = { start: block.question.end, end: block.end };
      else answer = { start: block.end, end: block.end };
    } else if (block.boundary) {
      closeAnswer();
    } else if (answer) {
      if (answer.end === answer.start) answer.start = block.start;
      answer.end = block.end;
    }
  }
  closeAnswer();
  return turns;
}
