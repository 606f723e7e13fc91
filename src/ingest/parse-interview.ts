import type { SourceFile } from "./load-corpus.js";
import { splitParagraphs, splitSentences, trimSpan, type TextSpan } from "../text/split-sentences.js";
import { findBoilerplate } from "./parse/boilerplate.js";
import { splitLines } from "./parse/lines.js";
import { questionTurns } from "./parse/question-turns.js";
import { findTurns, type LaidTurn } from "./parse/turns.js";

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

/**
 * Parses an interview into title, lead, question sections and boilerplate, from the layout it was
 * published in (see parse/turns.ts for the layouts read). Every span keeps exact offsets into
 * `source.text`, the readable text.
 */
export function parseInterview(source: SourceFile): ParsedInterview {
  const text = source.text;
  const lines = splitLines(text);
  const { spans: boilerplate, bodyEnd } = findBoilerplate(text, lines);
  const isBoilerplate = (start: number) => boilerplate.some((span) => span.start === start);

  const turns = findTurns(source, lines, bodyEnd);
  const asked = questionTurns(text, turns);

  const firstQuestionStart = asked[0]?.start ?? bodyEnd;
  const introParagraphs = splitParagraphs(text, 0, firstQuestionStart).filter(
    (paragraph) => !isBoilerplate(paragraph.start),
  );
  const title = introParagraphs.length > 1 || asked.length > 0 ? (introParagraphs[0] ?? null) : null;
  const lead = title ? introParagraphs.slice(1) : introParagraphs;

  const sections = asked.flatMap((turn, index): Array<Omit<QuestionSection, "number">> => {
    const next = asked[index + 1]?.start ?? bodyEnd;
    const turnEnd = Math.min(next, firstBoilerplateAfter(boilerplate, turn.start) ?? next);
    const reply = turns[turns.indexOf(turn) + 1];
    // Unnamed turns (dashes, ">>") alternate: the one after a question is its answer.
    // A question turn answered by a tagged turn is all question (a preamble, then the question); one
    // followed by untagged paragraphs ("CS:" in the first interview) is its first line.
    const answered = reply && reply.start < turnEnd && (reply.key !== turn.key || reply.key === null);
    const questionEnd = answered && reply.speaker !== null ? reply.start : turn.questionEnd;
    const question = trimSpan(text, turn.contentStart, Math.min(questionEnd, turnEnd));
    if (!question) return [];
    // The answer starts at the reply's words when the reply's tag is all that separates them.
    const tagOnly = answered && (reply.speaker !== null || text.slice(turn.questionEnd, reply.start).trim() === "");
    const answerStart = tagOnly ? reply.contentStart : turn.questionEnd;
    const answerSpeaker = tagOnly ? (reply.speaker ?? undefined) : undefined;
    const answer = trimSpan(text, answerStart, turnEnd);
    const whole = trimSpan(text, turn.start, turnEnd)!;
    return [
      {
        speaker: turn.speaker ?? "Q",
        question,
        answer,
        ...(answerSpeaker ? { answerSpeaker } : {}),
        start: whole.start,
        end: whole.end,
      },
    ];
  });
  // Numbered once the turns that hold no question are gone.
  const questions = sections.map((section, i): QuestionSection => ({ number: i + 1, ...section }));

  return {
    source,
    title,
    lead,
    questions,
    boilerplate,
    interviewee: findInterviewee(source, [title, ...lead, ...boilerplate], questions, asked),
  };
}

function firstBoilerplateAfter(boilerplate: TextSpan[], offset: number): number | undefined {
  return boilerplate.find((span) => span.start > offset)?.start;
}

const name = String.raw`[\p{Lu}][\p{L}'’-]+`;
// How a lead or a host introduces the guest: "interviewed X", "an interview with X", "sat down with X",
// "My guest today is X", "Joining me now is the chief fire officer, X", "I'm talking to X". ("He spoke
// to X" is not one: there X is the outlet.)
const introduction = String.raw`(?:\b(?:[Ii]nterview(?:ed|ing|s)?|INTERVIEW(?:ED|ING|S)?)[^\S\r\n]+(?:(?:with|WITH)[^\S\r\n]+)?|\bsat down with[^\S\r\n]+|\bin conversation with[^\S\r\n]+|\b(?:I['’]m|I am|we['’]re|we are)[^\S\r\n]+(?:talking|speaking)[^\S\r\n]+(?:to|with)[^\S\r\n]+|(?:\b[Mm]y guest(?: today| this week| tonight)? is|\b[Jj]oining (?:me|us)(?: now| today)? is|\bjoined (?:now )?by)[^\S\r\n]+(?:[^.?!\n]*?,[^\S\r\n]+)?)`;
const intervieweePattern = new RegExp(
  String.raw`${introduction}((?:(?:H\.E\.|HE|the|THE)[^\S\r\n]+)?(?:${name}[^\S\r\n]+)*${name})(?:,\s*(?:the\s+)?([^,.;:"“”]+?))?(?=\s+about\b|[,.;:"“”]|\s*$|\s+(?:who|WHO|on|ON|at|AT|in|IN)\b)`,
  "gmu",
);
// A headline that opens with the guest's name and a colon: "Ambassador Ilse Vandermeer: Trade Will…".
const headlineName = new RegExp(String.raw`^\s*((?:${name}[^\S\r\n]+){1,3}${name})[^\S\r\n]*:\s`, "u");
// A wire lead that opens with its subject: "Lukas Brenner, chief executive of Alpentrans, says …",
// "Harbours Minister Miriam Castellanos has promised …".
const leadSubject = new RegExp(
  String.raw`^\s*((?:${name}[^\S\r\n]+){1,4}${name})(?:,[^,.;]{3,120},)?[^\S\r\n]+(?:says|said|told|tells|has|have|had|warns|warned|insists|insisted|believes|expects|expected|promised|promises|wants|admits|admitted)\b`,
  "u",
);

/**
 * Who was interviewed: as the source's metadata says (front matter), as its lead or host introduces
 * them, as its headline names them, or the answering side's tag ("S. KISLYAK", "PRIME MINISTER").
 */
function findInterviewee(
  source: SourceFile,
  spans: Array<TextSpan | null>,
  questions: QuestionSection[],
  asked: LaidTurn[],
): Interviewee | null {
  const { text } = source;
  const intro = spans.filter((span): span is TextSpan => span !== null);
  const stated = source.metadata?.interviewee?.trim();
  if (stated) return named(text, stated, intro);
  const introduced =
    introducedInterviewee(text, intro) ?? introducedInterviewee(text, introOfTurns(text, questions, asked));
  if (introduced) return introduced;
  const headline = intro[0] && headlineName.exec(intro[0].text)?.[1];
  if (headline) return named(text, headline.replace(/\s+/g, " "), intro);
  const subject = intro
    .slice(1)
    .map((span) => leadSubject.exec(span.text)?.[1])
    .find(Boolean);
  if (subject) return named(text, subject.replace(/\s+/g, " "), intro);
  const answerer = mostFrequent(
    questions.map((section) => section.answerSpeaker).filter((tag) => tag && !/^(?:a|answer)\.?$/i.test(tag)),
  );
  return answerer ? named(text, answerer, intro) : null;
}

/** The host's first turn when it comes before the first answer (a podcast's or video's introduction). */
function introOfTurns(text: string, questions: QuestionSection[], asked: LaidTurn[]): TextSpan[] {
  const first = asked[0];
  if (!first || !questions[0]) return [];
  const span = trimSpan(text, first.contentStart, questions[0].question.end);
  return span ? [span] : [];
}

function mostFrequent(values: Array<string | undefined>): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: string | undefined;
  for (const [value, count] of counts) if (best === undefined || count > counts.get(best)!) best = value;
  return best;
}

/**
 * The interviewee `name`, with the sentence that names them: the first sentence of the introduction,
 * else of the text, holding their surname (the last word of the name), else the headline.
 */
function named(text: string, name: string, intro: TextSpan[]): Interviewee | null {
  const surname = name
    .split(/\s+/)
    .at(-1)!
    .replace(/^\p{L}\.|[.]/gu, "");
  const mentions = new RegExp(String.raw`(?<![\p{L}])${escapeRegExp(surname)}(?![\p{L}])`, "iu");
  const sentences = [
    ...intro.flatMap((span) => splitSentences(text, span.start, span.end)),
    ...splitSentences(text, 0, text.length),
  ];
  const sentence = sentences.find((candidate) => mentions.test(candidate.text)) ?? intro[0];
  return sentence ? { name: name.replace(/\s+/g, " "), sentence } : null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Finds who was interviewed from phrases like "interviewed Ambassador X, Head of Y". */
function introducedInterviewee(text: string, spans: TextSpan[]): Interviewee | null {
  let best: Interviewee | null = null;
  for (const span of spans) {
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
