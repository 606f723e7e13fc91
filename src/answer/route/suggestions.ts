import type { ParsedInterview } from "../../ingest/parse-interview.js";
import { contentTerms } from "../../text/tokenize.js";
import type { ChatResponse } from "../types.js";

/** A question the interview answers, with the section that answers it. */
interface Suggestion {
  question: string;
  /** The chunk id prefix of the section whose answer it asks for ("q3"), or "" for the interview as a whole. */
  section: string;
  terms: ReadonlySet<string>;
}

const maxWords = 18;
/**
 * Candidates answered at most, so the check costs the same however many interviews `data/` holds: on the
 * bench's synthetic corpus of 1,000 interviews every copy's questions were answered again (over 10 minutes
 * at start); this interview has 2 + 9 candidates, and a reader is offered 3 or 4 at a time.
 */
const maxCandidates = 60;

/**
 * Questions to offer a reader, taken from the interview itself: "Who was interviewed?", an
 * overview, and each interviewer question that stands alone once its "you" names the interviewee.
 * Only those the offline answerer answers, grounded, are kept (`build`), so every suggestion, asked
 * as it stands, gets a grounded answer.
 */
export class SuggestionPool {
  private constructor(private readonly suggestions: Suggestion[]) {}

  static async build(
    interviews: ParsedInterview[],
    answer: (question: string) => Promise<ChatResponse>,
  ): Promise<SuggestionPool> {
    const kept: Suggestion[] = [];
    const tried = new Set<string>();
    for (const candidate of candidates(interviews)) {
      if (tried.has(candidate.question)) continue;
      if (tried.size === maxCandidates) break;
      tried.add(candidate.question);
      const response = await answer(candidate.question);
      if (response.kind === "answer" && response.grounded) kept.push(candidate);
    }
    return new SuggestionPool(kept);
  }

  get all(): readonly string[] {
    return this.suggestions.map((suggestion) => suggestion.question);
  }

  /**
   * Up to `count` suggestions for a turn: the ones sharing most words with the question first
   * (a reader who asked about the corridor's cost may want what the interview says of the
   * corridor), then the interview's order; never one about a section the reply already quotes,
   * nor the question itself, nor one about a file other than `sources` when the reader chose some.
   */
  choose(
    question: string,
    response: Pick<ChatResponse, "citations">,
    count = 3,
    sources?: readonly string[],
  ): string[] {
    const inScope = (section: string) =>
      !section || !sources?.length || sources.some((source) => section.startsWith(`${source}:`));
    const asked = new Set(contentTerms(question));
    const quoted = new Set(response.citations.map((citation) => `${citation.source}:${sectionOf(citation.chunkId)}`));
    const same = question.trim().toLowerCase();
    return this.suggestions
      .map((suggestion, order) => ({
        suggestion,
        order,
        shared: [...suggestion.terms].filter((term) => asked.has(term)).length,
      }))
      .filter(
        ({ suggestion }) =>
          inScope(suggestion.section) &&
          !(suggestion.section && quoted.has(suggestion.section)) &&
          suggestion.question.toLowerCase() !== same,
      )
      .sort((a, b) => b.shared - a.shared || a.order - b.order)
      .slice(0, count)
      .map(({ suggestion }) => suggestion.question);
  }
}

/** "q3-2" → "q3": the interviewer's question a chunk belongs to, within its file. */
function sectionOf(chunkId: string): string {
  return chunkId.replace(/-\d+$/, "");
}

function candidates(interviews: ParsedInterview[]): Suggestion[] {
  const list: Suggestion[] = [];
  const add = (question: string, section: string) =>
    list.push({ question, section, terms: new Set(contentTerms(question)) });
  add("Who was interviewed?", "");
  add("What are the main topics of the interview?", "");
  for (const interview of interviews) {
    const person = interview.interviewee?.name.split(/\s+/).at(-1) ?? "the interviewee";
    for (const section of interview.questions) {
      const prefix = `${interview.source.name}:`;
      for (const sentence of section.question.text.split(/(?<=\?)\s+/)) {
        const question = addressedTo(sentence.trim(), person);
        if (question.endsWith("?") && question.split(/\s+/).length <= maxWords)
          add(question, `${prefix}q${section.number}`);
      }
    }
  }
  return list;
}

/** An interviewer's "How do you assess …?" as a reader would ask it: "How does Baimukhan assess …?". */
function addressedTo(question: string, person: string): string {
  return question
    .replace(
      /\b(do|did|can|could|would|will|should)\s+you\b/gi,
      (_, verb: string) => `${verb.toLowerCase() === "do" ? "does" : verb.toLowerCase()} ${person}`,
    )
    .replace(/\bare\s+you\b/gi, `is ${person}`)
    .replace(/\byour\b/gi, `${person}'s`)
    .replace(/\byou\b/gi, person)
    .replace(/^./, (first) => first.toUpperCase());
}
