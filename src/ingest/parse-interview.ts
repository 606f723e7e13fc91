import type { SourceFile } from "./load-corpus.js";
import { splitParagraphs, splitSentences, trimSpan, type TextSpan } from "../text/split-sentences.js";

export interface QuestionSection {
  /** 1-based position among the interviewer's questions. */
  number: number;
  /** The interviewer's tag ("CS", "Q", "Interviewer"). */
  speaker: string;
  /** The question, without its speaker tag. */
  question: TextSpan;
  /** The answer up to the next question or the boilerplate; null when the question got none. */
  answer: TextSpan | null;
  /** Tag of the answering speaker when the answer carries one ("A", "Baimukhan"). */
  answerSpeaker?: string;
  /** The whole turn including the tag line. */
  start: number;
  end: number;
}

export interface Interviewee {
  name: string;
  role?: string;
  /** What the interview was about, when the text says ("interviewed X about Y."). */
  topics?: string;
  /** The sentence of the source that names the interviewee (a citable quote). */
  sentence: TextSpan;
}

export interface ParsedInterview {
  source: SourceFile;
  title: TextSpan | null;
  /** Paragraphs between the title and the first question (the standfirst). */
  lead: TextSpan[];
  questions: QuestionSection[];
  /** Source/photo credits, "Related articles", "Editor's choice" and what follows: never indexed. */
  boilerplate: TextSpan[];
  interviewee: Interviewee | null;
}

interface TaggedLine {
  tag: string;
  lineStart: number;
  contentStart: number;
  lineEnd: number;
}

// A turn opens with a short speaker tag and a colon at the start of a line: "CS:", "Q:",
// "Interviewer:", "Margulan Baimukhan:". Longer prefixes are headlines ("Interview with ...: ").
const speakerTag = /^[ \t]*([\p{Lu}][\p{L}.'’-]*(?:[ \t]+[\p{Lu}][\p{L}.'’-]*){0,2})[ \t]*:[ \t]+(?=\S)/u;
const creditLine = /^[ \t]*(?:source|photo|photos|image|credit|credits|picture)[ \t]*:/i;
const trailerLine =
  /^[ \t]*(?:related articles|related posts|related stories|editor['’]s choice|read more|more from|share this|tags)[ \t]*:?[ \t]*$/i;
const interviewerTags = /^(?:q|question|interviewer|int)$/i;
const answerTags = /^(?:a|answer)$/i;

/**
 * Parses an interview transcript into title, lead, question sections and boilerplate.
 * Every span keeps exact offsets into `source.text`.
 */
export function parseInterview(source: SourceFile): ParsedInterview {
  const text = source.text;
  const lines = splitLines(text);

  const boilerplate: TextSpan[] = [];
  let bodyEnd = text.length;
  for (const line of lines) {
    const content = text.slice(line.start, line.end);
    if (trailerLine.test(content)) {
      bodyEnd = line.start;
      const rest = trimSpan(text, line.start, text.length);
      if (rest) boilerplate.push(rest);
      break;
    }
    if (creditLine.test(content)) {
      const span = trimSpan(text, line.start, line.end);
      if (span) boilerplate.push(span);
    }
  }
  const isCredit = (start: number) => boilerplate.some((span) => span.start === start);

  const tagged: TaggedLine[] = [];
  for (const line of lines) {
    if (line.start >= bodyEnd) break;
    const match = speakerTag.exec(text.slice(line.start, line.end));
    if (match) {
      tagged.push({
        tag: match[1]!,
        lineStart: line.start,
        contentStart: line.start + match[0].length,
        lineEnd: line.end,
      });
    }
  }
  const interviewer = pickInterviewerTag(tagged);
  const questionLines = tagged.filter((line) => line.tag === interviewer);

  const firstQuestionStart = questionLines[0]?.lineStart ?? bodyEnd;
  const introParagraphs = splitParagraphs(text, 0, firstQuestionStart).filter(
    (paragraph) => !isCredit(paragraph.start),
  );
  const title = introParagraphs.length > 1 || questionLines.length > 0 ? (introParagraphs[0] ?? null) : null;
  const lead = title ? introParagraphs.slice(1) : introParagraphs;

  const questions: QuestionSection[] = questionLines.map((line, index) => {
    const next = questionLines[index + 1]?.lineStart ?? bodyEnd;
    const turnEnd = Math.min(next, firstCreditAfter(boilerplate, line.lineStart) ?? next);
    const question = trimSpan(text, line.contentStart, line.lineEnd)!;
    let answerStart = line.lineEnd;
    let answerSpeaker: string | undefined;
    const answerLine = tagged.find((other) => other.lineStart > line.lineStart && other.lineStart < turnEnd);
    if (answerLine && text.slice(line.lineEnd, answerLine.lineStart).trim() === "") {
      answerStart = answerLine.contentStart;
      answerSpeaker = answerLine.tag;
    }
    const answer = trimSpan(text, answerStart, turnEnd);
    const whole = trimSpan(text, line.lineStart, turnEnd)!;
    return {
      number: index + 1,
      speaker: line.tag,
      question,
      answer,
      ...(answerSpeaker ? { answerSpeaker } : {}),
      start: whole.start,
      end: whole.end,
    };
  });

  return {
    source,
    title,
    lead,
    questions,
    boilerplate,
    interviewee: findInterviewee(text, [title, ...lead, ...boilerplate]),
  };
}

function splitLines(text: string): Array<{ start: number; end: number }> {
  const lines: Array<{ start: number; end: number }> = [];
  let start = 0;
  for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
    lines.push({ start, end: text[newline - 1] === "\r" ? newline - 1 : newline });
    start = newline + 1;
  }
  lines.push({ start, end: text.length });
  return lines;
}

/** The interviewer's tag: a conventional one ("Q", "Interviewer") if present, else the most frequent, earliest on ties. */
function pickInterviewerTag(tagged: TaggedLine[]): string | null {
  const conventional = tagged.find((line) => interviewerTags.test(line.tag));
  if (conventional) return conventional.tag;
  const counts = new Map<string, number>();
  for (const line of tagged) if (!answerTags.test(line.tag)) counts.set(line.tag, (counts.get(line.tag) ?? 0) + 1);
  let best: string | null = null;
  for (const [tag, count] of counts) if (best === null || count > counts.get(best)!) best = tag;
  return best;
}

function firstCreditAfter(boilerplate: TextSpan[], offset: number): number | undefined {
  return boilerplate.find((span) => span.start > offset)?.start;
}

const name = String.raw`[\p{Lu}][\p{L}'’-]+`;
const intervieweePattern = new RegExp(
  String.raw`\binterview(?:ed|ing)?\s+(?:with\s+)?((?:(?:H\.E\.|HE|the)\s+)?(?:${name}\s+)*${name})(?:,\s*(?:the\s+)?([^,.;:"“”]+?))?(?=\s+about\b|[,.;:"“”]|$)`,
  "gu",
);

/** Finds who was interviewed from phrases like "interviewed Ambassador X, Head of Y". */
function findInterviewee(text: string, spans: Array<TextSpan | null>): Interviewee | null {
  let best: Interviewee | null = null;
  for (const span of spans) {
    if (!span) continue;
    for (const match of span.text.matchAll(intervieweePattern)) {
      // Names and roles are composed into answers: no-break spaces become plain ones.
      const candidate = match[1]!.replace(/^the\s+/i, "").replace(/\s+/g, " ");
      // A person's name has at least two capitalised words; "the Ambassador" alone is a title.
      if (candidate.split(/\s+/).length < 2) continue;
      if (best && best.name.length >= candidate.length) continue;
      const offset = span.start + match.index!;
      const sentence =
        splitSentences(text, span.start, span.end).find((s) => s.start <= offset && offset < s.end) ?? span;
      const after = text.slice(offset + match[0].length, sentence.end);
      const topics = /^\s+about\s+(.+?)[.!?]?["”]?$/s.exec(after)?.[1]?.replace(/\s+/g, " ");
      best = {
        name: candidate,
        ...(match[2] ? { role: match[2].trim().replace(/\s+/g, " ") } : {}),
        ...(topics ? { topics } : {}),
        sentence,
      };
    }
  }
  return best;
}
