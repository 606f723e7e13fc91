import type { ParsedInterview } from "./parse-interview.js";
import { splitParagraphs, splitSentences, type TextSpan } from "../text/split-sentences.js";

export interface Chunk {
  /**
   * Stable, readable id within its file: "intro", "q3", "q1-2", the same whatever the number of
   * files (the wire's `chunkId`); `source` and `id` together name a chunk (see `chunkKey`).
   */
  id: string;
  /** The source file's id ("interview"). */
  docId: string;
  /** The source file's name within data/ ("interview.txt"): the wire's `source`. */
  source: string;
  /** The interviewer's question this chunk answers, or "Introduction". */
  section: string;
  /** The question line's span, for answer chunks. */
  question?: TextSpan;
  /** 1-based question number, for answer chunks. */
  questionNumber?: number;
  /** Who speaks in the chunk's text (the answer's tag when it has one). */
  speaker?: string;
  /** Exactly `source.slice(start, end)`. The first part of an answer starts with its question line. */
  text: string;
  start: number;
  end: number;
  /** The answer's sentences with offsets into the source: the units quotes are made of (never the question). */
  sentences: TextSpan[];
}

export interface ChunkOptions {
  /** Answers longer than this many characters are split at paragraph boundaries. Default 1,200. */
  maxChars?: number;
}

/** The text embedded and searched for a chunk: its question as a header, then its text. */
export function searchText(chunk: Chunk): string {
  const includesQuestion = chunk.question !== undefined && chunk.start <= chunk.question.start;
  return chunk.section === introductionSection || includesQuestion ? chunk.text : `${chunk.section}\n\n${chunk.text}`;
}

export const introductionSection = "Introduction";

/** A key unique across the corpus: chunk ids repeat from file to file ("q1" in each). */
export function chunkKey(chunk: Pick<Chunk, "source" | "id">): string {
  return `${chunk.source}\u0000${chunk.id}`;
}

/** One chunk per question and answer (long answers in parts), plus the introduction. */
export function chunkInterviews(interviews: ParsedInterview[], options: ChunkOptions = {}): Chunk[] {
  const maxChars = options.maxChars ?? 1200;
  return interviews.flatMap((interview) => {
    const { source } = interview;
    const docId = source.id;
    const file = source.name;
    const chunks: Chunk[] = [];
    const introParagraphs = [interview.title, ...interview.lead].filter((span): span is TextSpan => span !== null);
    const introParts = packParagraphs(introParagraphs, maxChars);
    introParts.forEach((part, index) => {
      chunks.push(
        makeChunk(source.text, part, undefined, {
          id: `intro${introParts.length > 1 ? `-${index + 1}` : ""}`,
          docId,
          source: file,
          section: introductionSection,
        }),
      );
    });
    for (const section of interview.questions) {
      if (!section.answer) continue;
      const paragraphs = splitParagraphs(source.text, section.answer.start, section.answer.end);
      const parts = packParagraphs(paragraphs, maxChars);
      parts.forEach((part, index) => {
        chunks.push(
          makeChunk(source.text, part, index === 0 ? section.start : undefined, {
            id: `q${section.number}${parts.length > 1 ? `-${index + 1}` : ""}`,
            docId,
            source: file,
            section: section.question.text,
            question: section.question,
            questionNumber: section.number,
            ...(section.answerSpeaker ? { speaker: section.answerSpeaker } : {}),
          }),
        );
      });
    }
    return chunks;
  });
}

type ChunkHeader = Omit<Chunk, "text" | "start" | "end" | "sentences">;

function makeChunk(source: string, paragraphs: TextSpan[], from: number | undefined, header: ChunkHeader): Chunk {
  const start = from ?? paragraphs[0]!.start;
  const end = paragraphs.at(-1)!.end;
  return {
    ...header,
    text: source.slice(start, end),
    start,
    end,
    sentences: paragraphs.flatMap((paragraph) => splitSentences(source, paragraph.start, paragraph.end)),
  };
}

/**
 * Groups consecutive paragraphs into parts of at most `maxChars` where possible. A part shorter
 * than 40 % of `maxChars` is merged with its neighbour rather than left as a fragment whose
 * embedding would carry little meaning (a one-line transition, a short closing paragraph).
 */
function packParagraphs(paragraphs: TextSpan[], maxChars: number): TextSpan[][] {
  const minChars = maxChars * 0.4;
  const length = (part: TextSpan[]) => (part.length === 0 ? 0 : part.at(-1)!.end - part[0]!.start);
  const parts: TextSpan[][] = [];
  let current: TextSpan[] = [];
  for (const paragraph of paragraphs) {
    if (current.length > 0 && length([...current, paragraph]) > maxChars && length(current) >= minChars) {
      parts.push(current);
      current = [];
    }
    current.push(paragraph);
  }
  if (current.length > 0) {
    const previous = parts.at(-1);
    if (previous && length(current) < minChars) previous.push(...current);
    else parts.push(current);
  }
  return parts;
}
