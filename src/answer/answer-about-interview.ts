import type { Chunk } from "../ingest/chunk-interview.js";
import type { ParsedInterview } from "../ingest/parse-interview.js";
import type { Passage } from "../retrieve/hybrid-retriever.js";
import type { TextSpan } from "../text/split-sentences.js";
import type { PreferredQuote } from "./verify/citation-stream.js";

export interface StructuredDraft {
  /** The answer's sentences, each with the whitespace before it. */
  draft: string[];
  passages: Passage[];
  preferred: PreferredQuote[];
}

// Questions about the interview itself rather than its content. Matched on the wording of the
// question; answered from the parsed structure, not from retrieval.
const asksInterviewee =
  /\bwho\s+(?:was|is|got|has\s+been|were)\s+(?:being\s+)?interviewed\b|\binterviewee\b|\bwho\s+(?:gave|gives|is\s+giving|was\s+giving|granted)\s+(?:this|the)\s+interview\b|\bwho\s+is\s+the\s+interview\s+with\b|\bwhom\s+did\b.*\binterview\b|\bwho\s+(?:is|was)\s+(?:speaking|talking|answering|being\s+asked)\b|\bwho\s+answer(?:s|ed)\s+the\s+questions\b/i;
const asksInterviewer =
  /\bwho\s+(?:interviewed|conducted|asked\s+the\s+questions|did\s+the\s+interview)\b|\bby\s+whom\b|\binterviewer\b/i;
const asksQuestions =
  /\b(?:what|which)\s+(?:questions?|topics?|subjects?|themes?|issues)\b[^?]*\b(?:asked|covered|discussed|raised|questioned|put|in\s+(?:this|the)\s+(?:interview|conversation))\b|\bhow\s+many\s+questions\b|\bwhat\s+(?:was|were)\s+(?:he|she|they|the\s+\w+)\s+asked\b|\bwhat\s+(?:is|was)\s+(?:the|this)\s+interview\s+about\b/i;

/**
 * Answers questions about the interview itself (who was interviewed, who asked, what was asked)
 * from the parsed structure, citing the lines that say so. Null for any other question.
 */
export function answerAboutInterview(question: string, interviews: ParsedInterview[], chunks: Chunk[]): StructuredDraft | null {
  if (asksInterviewee.test(question)) return describeInterviewees(interviews, chunks);
  if (asksInterviewer.test(question)) return describeInterviewers(interviews, chunks);
  if (asksQuestions.test(question)) return listQuestions(interviews, chunks);
  return null;
}

class DraftBuilder {
  readonly passages: Passage[] = [];
  readonly preferred: PreferredQuote[] = [];

  constructor(private readonly chunks: Chunk[]) {}

  /** A marker citing `span`, or "" when no chunk holds it (boilerplate is not indexed, so not citable). */
  cite(docId: string, span: TextSpan): string {
    const chunk = this.chunks.find((candidate) => candidate.docId === docId && candidate.start <= span.start && span.end <= candidate.end);
    if (!chunk) return "";
    let number = this.passages.findIndex((passage) => passage.chunk === chunk) + 1;
    if (number === 0) {
      this.passages.push({ chunk, score: 1, sentenceSimilarities: chunk.sentences.map(() => 0) });
      number = this.passages.length;
    }
    this.preferred.push({ passage: number, span });
    return ` [${number}]`;
  }
}

function describeInterviewees(interviews: ParsedInterview[], chunks: Chunk[]): StructuredDraft | null {
  const builder = new DraftBuilder(chunks);
  const lines: string[] = [];
  for (const interview of interviews) {
    if (!interview.interviewee) continue;
    const marker = builder.cite(interview.source.id, interview.interviewee.sentence);
    if (!marker) continue;
    const { name, role } = interview.interviewee;
    lines.push(`${lines.length ? " " : ""}The interview is with ${name}${role ? `, ${role}` : ""}${marker}.`);
  }
  return lines.length ? { draft: lines, ...builder } : null;
}

function describeInterviewers(interviews: ParsedInterview[], chunks: Chunk[]): StructuredDraft | null {
  const builder = new DraftBuilder(chunks);
  const lines: string[] = [];
  for (const interview of interviews) {
    const first = interview.questions[0];
    if (!first) continue;
    // The tag line itself ("CS: On 5 June, ...") is the evidence of who asks.
    const marker = builder.cite(interview.source.id, { text: interview.source.text.slice(first.start, first.question.end), start: first.start, end: first.question.end });
    if (!marker) continue;
    lines.push(
      `${lines.length ? " " : ""}The interviewer appears only as “${first.speaker}”, the tag on each of the ${interview.questions.length} questions${marker}; the interview does not name them further.`,
    );
  }
  return lines.length ? { draft: lines, ...builder } : null;
}

function listQuestions(interviews: ParsedInterview[], chunks: Chunk[]): StructuredDraft | null {
  const builder = new DraftBuilder(chunks);
  const lines: string[] = [];
  for (const interview of interviews) {
    if (interview.questions.length === 0) continue;
    const { interviewee } = interview;
    if (interviewee?.topics) {
      const marker = builder.cite(interview.source.id, interviewee.sentence);
      if (marker) lines.push(`${lines.length ? " " : ""}The interview with ${interviewee.name} was about ${interviewee.topics}${marker}.`);
    }
    const who = interviewee ? `${interviewee.name} was asked` : "The interviewer asked";
    lines.push(`${lines.length ? " " : ""}${who} ${interview.questions.length} questions:`);
    // One question a line: each is its own claim, quoted by the question itself.
    for (const section of interview.questions) lines.push(`\n(${section.number}) “${section.question.text}”${builder.cite(interview.source.id, section.question)}`);
  }
  return lines.length ? { draft: lines, ...builder } : null;
}
