import type { SourceFile } from "../load-corpus.js";
import { splitParagraphs } from "../../text/split-sentences.js";
import type { Line } from "./lines.js";
import { findSpeakerTags, tagKey } from "./speaker-tags.js";

/** A turn of the conversation as the layout shows it, with offsets into the readable text. */
export interface LaidTurn {
  /** The speaker as written ("S. KISLYAK", a subtitle's voice), or null when the layout only marks a change. */
  speaker: string | null;
  key: string | null;
  /** The turn's first character (its tag or dash included). */
  start: number;
  /** Where its words start. */
  contentStart: number;
  /** Where the question ends if this turn asks: its first line for a tagged line, all of it for a format's turn. */
  questionEnd: number;
  /** Where the next turn (or the body) starts. */
  end: number;
  /** Set when the layout itself marks the turn as a question (bold, a heading). */
  asks?: boolean;
}

// "- Good evening…", "– And the budget?": a TV transcript's turns; ">> So tell me…": a caption's change of speaker.
const dashTurn = /^[ \t]*[-–—][ \t]+(?=\S)/;
const chevronTurn = /^[ \t]*>>[ \t]*(?=\S)/;
// Untagged questions between answers are short: a long paragraph ending in "?" is an answer's rhetoric.
const maxUntaggedQuestionChars = 300;

/**
 * The turns of a source, from the first layout that marks them: the format's own turns (subtitle
 * voices, bold questions), speaker tags, dash-led lines, ">>" changes, then untagged short
 * paragraphs ending in "?" between answers. Empty when none applies (an article without questions).
 */
export function findTurns(source: SourceFile, lines: readonly Line[], bodyEnd: number): LaidTurn[] {
  if (source.turns?.length) {
    return source.turns.map((turn, i) => ({
      speaker: turn.speaker,
      key: turn.speaker === null ? null : tagKey(turn.speaker),
      start: turn.start,
      contentStart: turn.start,
      questionEnd: turn.end,
      end: source.turns![i + 1]?.start ?? Math.max(turn.end, bodyEnd),
      ...(turn.asks !== undefined ? { asks: turn.asks } : {}),
    }));
  }
  const { text } = source;
  const tagged = findSpeakerTags(text, lines, bodyEnd);
  if (tagged.length > 0) {
    return withEnds(
      tagged.map((line) => ({
        speaker: line.tag,
        key: line.key,
        start: line.lineStart,
        contentStart: line.contentStart,
        questionEnd: line.lineEnd,
        end: bodyEnd,
      })),
      bodyEnd,
    );
  }
  for (const marker of [dashTurn, chevronTurn]) {
    const marked = markedLines(text, lines, bodyEnd, marker);
    if (marked.length >= 3) return withEnds(marked, bodyEnd);
  }
  return untaggedQuestions(text, bodyEnd);
}

function markedLines(text: string, lines: readonly Line[], bodyEnd: number, marker: RegExp): LaidTurn[] {
  const turns: LaidTurn[] = [];
  for (const line of lines) {
    if (line.start >= bodyEnd) break;
    const match = marker.exec(text.slice(line.start, line.end));
    if (!match) continue;
    const contentStart = line.start + match[0].length;
    turns.push({ speaker: null, key: null, start: line.start, contentStart, questionEnd: line.end, end: bodyEnd });
  }
  return turns;
}

function untaggedQuestions(text: string, bodyEnd: number): LaidTurn[] {
  const paragraphs = splitParagraphs(text, 0, bodyEnd);
  // The first paragraph is the headline, whatever it ends with.
  const questions = paragraphs.slice(1).filter(
    (paragraph, i, rest) =>
      paragraph.text.length <= maxUntaggedQuestionChars &&
      endsWithQuestionMark(paragraph.text) &&
      // Between answers: something follows it that does not ask.
      rest[i + 1] !== undefined &&
      !endsWithQuestionMark(rest[i + 1]!.text),
  );
  if (questions.length < 2) return [];
  return withEnds(
    questions.map((paragraph) => ({
      speaker: null,
      key: null,
      start: paragraph.start,
      contentStart: paragraph.start,
      questionEnd: paragraph.end,
      end: bodyEnd,
      asks: true,
    })),
    bodyEnd,
  );
}

function withEnds(turns: LaidTurn[], bodyEnd: number): LaidTurn[] {
  return turns.map((turn, i) => ({ ...turn, end: turns[i + 1]?.start ?? bodyEnd }));
}

/** The text asks: it ends with a question mark, perhaps inside closing quotes or brackets. */
export function endsWithQuestionMark(text: string): boolean {
  return /\?["'”’)\]]*\s*$/.test(text);
}
