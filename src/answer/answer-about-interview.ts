import type { Chunk } from "../ingest/chunk-interview.js";
import type { ParsedInterview, QuestionSection } from "../ingest/parse-interview.js";
import type { Passage } from "../retrieve/types.js";
import type { TextSpan } from "../text/split-sentences.js";
import { anyOf, words } from "../text/alternatives.js";
import { contentTerms } from "../text/tokenize.js";
import type { PreferredQuote } from "./verify/citation-stream.js";

export interface StructuredDraft {
  /** The answer's sentences, each with the whitespace before it. */
  draft: string[];
  passages: Passage[];
  preferred: PreferredQuote[];
}

// Questions about the interview itself rather than its content. Matched on the wording of the
// question; answered from the parsed structure, not from retrieval.
const asksInterviewee = new RegExp(
  words([
    "who (?:was|is|got|has been|were) (?:being )?interviewed",
    "interviewee",
    "who (?:gave|gives|is giving|was giving|granted) (?:this|the) interview",
    "who is the interview with",
    "whom did\\b.*\\binterview",
    "who (?:is|was) (?:speaking|talking|answering|being asked)",
    "who answer(?:s|ed) the questions",
  ]),
  "i",
);
// "Who is Wire Daily interviewing here?", "Who is giving this press conference?", "Which ambassador
// is this Q&A with?": a who-question about the act of being interviewed asks for the interviewee.
const interviewActs = [
  "interview(?:s|ed|ing|ee)?",
  "press conference",
  "news conference",
  "doorstop",
  "briefing",
  "q\\s?&\\s?a",
  "podcast",
  "episode",
  "guest",
];
const asksWhoOfInterview = new RegExp(
  "^(?!.*\\b(?:by whom|interviewer|who (?:interviewed|conducted|asked)|who (?:is|was) (?:doing|conducting) the interview)\\b)" +
    // "Which countries did the interview mention?" asks about its content.
    "\\W*(?:who|whom|which\\s+[\\p{L}-]+\\b(?!.*\\b(?:mention\\w*|discuss\\w*|says?|said|cover\\w*|talk\\w* about|rais\\w+|address\\w*)\\b))" +
    `\\b(?=.*${words(interviewActs)})`,
  "iu",
);
const asksInterviewer = new RegExp(
  words(["who (?:interviewed|conducted|asked the questions|did the interview)", "by whom", "interviewer"]),
  "i",
);
// "What is the ambassador's name?", "name of the interviewee", "who is the ambassador?": the person, by role.
// "speaker" only with "name": "Who is the speaker of the Mazhilis?" asks about the interview's content.
const intervieweeTitles = ["ambassador", "interviewee", "envoy", "diplomat", "guest"];
const intervieweeRoles = [...intervieweeTitles, "speaker"];
const asksIntervieweeName = new RegExp(
  words([
    `what(?:'s| is| was) (?:the )?(?:name of the )?${anyOf(intervieweeRoles)}(?:['’]s (?:full )?name)?`,
    `${anyOf(intervieweeRoles)}['’]s (?:full )?name`,
    `who (?:is|was) the ${anyOf(intervieweeTitles)}`,
  ]),
  "i",
);
const outlets = ["publication", "newspaper", "magazine", "outlet", "media", "website", "site", "journal"];
const asksPublication = new RegExp(
  words([`(?:which|what) ${anyOf(outlets)}`, "who published", "where was (?:this|it|the interview) published"]),
  "i",
);
// Words asking for the whole: "summarize", "overview", "tl;dr", "main topics", "key points" …
const summaryRequests = [
  "summari[sz]e",
  "summary",
  "overview",
  "tl;?\\s?dr",
  "gist",
  "recap",
  "run-?down",
  "run through",
  "highlights",
  "outline",
  "breakdown",
  "brief me",
];
const keyParts = ["topics?", "points?", "themes?", "takeaways?", "issues", "ideas", "messages?"];
const wantsWhole = new RegExp(
  words([...summaryRequests, `${anyOf(["main", "key", "major", "important"])} ${anyOf(keyParts)}`]),
  "i",
);
// … of the interview, not of one of its subjects ("the gist of the reform" is a question about the reform).
const theInterview = [
  "interview",
  "conversation",
  "article",
  "text",
  "discussion",
  "q\\s?&\\s?a",
  "the whole thing",
  "everything",
];
const ofTheInterview = new RegExp(words(theInterview), "i");
// Whose topics "What topics did ... cover?" asks about.
const topicHolders = ["interview", "conversation", "article", "ambassador", "he", "she"];
const asksWhatItIsAbout = new RegExp(
  words([
    "what (?:is|was) (?:the |this )?(?:interview|conversation|article|text) (?:about|on)",
    "what (?:does|did) (?:the |this )?(?:interview|article) (?:cover|say|discuss)",
    `(?:what|which) (?:topics|subjects|themes|areas) (?:does|did|do) (?:the |this )?${anyOf(topicHolders)}`,
  ]),
  "i",
);

/**
 * Interviews an overview (or the list of questions asked) covers at most (the first, in file order): one is the common case, and an overview
 * of every file is neither readable nor cheap. Uncapped, the bench's 1,000-interview corpus spent minutes in
 * one overview (each section scanned every chunk of every file).
 */
const overviewInterviews = 3;

/** The interviews an overview covers, each with only its own chunks. */
function overviewed(
  interviews: ParsedInterview[],
  chunks: Chunk[],
): Array<{ interview: ParsedInterview; own: Chunk[] }> {
  return interviews
    .filter((interview) => interview.questions.length > 0)
    .slice(0, overviewInterviews)
    .map((interview) => ({ interview, own: chunks.filter((chunk) => chunk.docId === interview.source.id) }));
}

// Words of a request for a summary itself, stemmed: what is left once they are gone is its subject, if any.
const summaryWords = new Set(
  contentTerms(
    "summarise summarize summary overview tldr tl dr gist recap rundown run down through highlights outline breakdown brief main key major important topics points themes takeaways issues ideas messages few bullet short quick whole ambassador talked spoke talk speak covered cover discussed can give",
  ),
);

/**
 * "Summarize the interview", "main topics?", "Summarise the key takeaways in a few bullet
 * points": the whole asked for, of the interview, or with no subject of its own.
 */
export function asksOverview(question: string): boolean {
  if (asksWhatItIsAbout.test(question)) return true;
  if (!wantsWhole.test(question)) return false;
  return ofTheInterview.test(question) || contentTerms(question).every((term) => summaryWords.has(term));
}
const askedAbout = ["questions?", "topics?", "subjects?", "themes?", "issues"];
const raisedInTheInterview = [
  "asked",
  "covered",
  "discussed",
  "raised",
  "questioned",
  "put",
  "in (?:this|the) (?:interview|conversation)",
];
const asksQuestions = new RegExp(
  words([
    `(?:what|which) ${anyOf(askedAbout)}\\b[^?]*\\b${anyOf(raisedInTheInterview)}`,
    "how many questions",
    "what (?:was|were) (?:he|she|they|the \\w+) asked",
    "what (?:is|was) (?:the|this) interview about",
  ]),
  "i",
);

/**
 * Answers questions about the interview itself (who was interviewed, who asked, what was asked)
 * from the parsed structure, citing the lines that say so. Null for any other question.
 */
export function answerAboutInterview(
  question: string,
  interviews: ParsedInterview[],
  chunks: Chunk[],
): StructuredDraft | null {
  if (asksPublication.test(question)) return describeInterviewers(interviews, chunks, true);
  if (asksInterviewee.test(question) || asksIntervieweeName.test(question) || asksWhoOfInterview.test(question))
    return describeInterviewees(interviews, chunks);
  if (asksInterviewer.test(question)) return describeInterviewers(interviews, chunks);
  if (asksQuestions.test(question)) return listQuestions(interviews, chunks);
  return null;
}

/** "Summarize the interview" and the like: the interview's structure, one cited sentence a section. */
export function answerOverview(
  question: string,
  interviews: ParsedInterview[],
  chunks: Chunk[],
): StructuredDraft | null {
  return asksOverview(question) ? describeOverview(interviews, chunks) : null;
}

/** The overview of the interviews, whatever the wording that asked for it (a request recognised by meaning). */
export function overviewDraft(interviews: ParsedInterview[], chunks: Chunk[]): StructuredDraft | null {
  return describeOverview(interviews, chunks);
}

/** The parts of the interviews an overview is written from (the LLM's overview prompt gets them). */
export interface OverviewParts {
  /** Who was interviewed, as the interview names them ("Margulan Baimukhan, Ambassador ..."), or that it does not. */
  interviewee: string;
  /** Who asked, as the interview tags them ("CS"). */
  interviewer: string;
  /** The passage naming the interviewee first (when one does), then one per interviewer question, in order. */
  passages: Passage[];
  /** How many of `passages` are interviewer questions' sections. */
  sections: number;
}

/**
 * An overview's material: who was interviewed, by whom, and for each interviewer question the
 * passage holding the answer's key sentence (the one the extractive overview quotes). Null when
 * the interviews have no questions.
 */
export function overviewParts(interviews: ParsedInterview[], chunks: Chunk[]): OverviewParts | null {
  const interviewees: string[] = [];
  const interviewers = new Set<string>();
  let sections = 0;
  const covered = overviewed(interviews, chunks);
  const builder = new DraftBuilder(covered.flatMap(({ own }) => own));
  for (const { interview, own } of covered) {
    const { interviewee } = interview;
    if (interviewee) {
      builder.cite(interview.source.id, interviewee.sentence);
      interviewees.push(`${interviewee.name}${interviewee.role ? `, ${interviewee.role}` : ""}`);
    }
    interviewers.add(interview.questions[0]!.speaker);
    for (const section of interview.questions) {
      const sentence = keySentence(section, own);
      const before = builder.passages.length;
      if (sentence && builder.cite(interview.source.id, sentence) && builder.passages.length > before) sections++;
    }
  }
  if (sections === 0) return null;
  return {
    interviewee: interviewees.join("; ") || "not named in the interview",
    interviewer:
      [...interviewers].map((tag) => `"${tag}"`).join(", ") + " (the interview does not name the interviewer further)",
    passages: builder.passages,
    sections,
  };
}

class DraftBuilder {
  readonly passages: Passage[] = [];
  readonly preferred: PreferredQuote[] = [];

  constructor(private readonly chunks: Chunk[]) {}

  /** A marker citing `span`, or "" when no chunk holds it (boilerplate is not indexed, so not citable). */
  cite(docId: string, span: TextSpan): string {
    const chunk = this.chunks.find(
      (candidate) => candidate.docId === docId && candidate.start <= span.start && span.end <= candidate.end,
    );
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

function describeInterviewers(
  interviews: ParsedInterview[],
  chunks: Chunk[],
  publication = false,
): StructuredDraft | null {
  const builder = new DraftBuilder(chunks);
  const lines: string[] = [];
  for (const interview of interviews) {
    const first = interview.questions[0];
    if (!first) continue;
    // The tag line itself ("CS: On 5 June, ...") is the evidence of who asks.
    const marker = builder.cite(interview.source.id, {
      text: interview.source.text.slice(first.start, first.question.end),
      start: first.start,
      end: first.question.end,
    });
    if (!marker) continue;
    if (publication)
      lines.push(`${lines.length ? " " : ""}The interview does not name the publication it appeared in.`);
    // Two sentences: the claim its quote (the tag line) backs, then a note on what the interview leaves out.
    // Quoting the tag line lets the reader, and the claim check, see the tag in use.
    const opening = /^.*?[.?!](?=\s|$)/.exec(first.question.text)?.[0] ?? first.question.text;
    lines.push(
      `${lines.length ? " " : ""}The interviewer appears only as “${first.speaker}”, as in “${first.speaker}: ${opening}”${marker}.`,
      " The interview does not name the interviewer further.",
    );
  }
  return lines.length ? { draft: lines, ...builder } : null;
}

function listQuestions(interviews: ParsedInterview[], chunks: Chunk[]): StructuredDraft | null {
  const lines: string[] = [];
  const covered = overviewed(interviews, chunks);
  const builder = new DraftBuilder(covered.flatMap(({ own }) => own));
  for (const { interview } of covered) {
    const { interviewee } = interview;
    if (interviewee?.topics) {
      const marker = builder.cite(interview.source.id, interviewee.sentence);
      if (marker)
        lines.push(
          `${lines.length ? " " : ""}The interview with ${interviewee.name} was about ${interviewee.topics}${marker}.`,
        );
    }
    const who = interviewee ? `${interviewee.name} was asked` : "The interviewer asked";
    lines.push(`${lines.length ? " " : ""}${who} ${interview.questions.length} questions:`);
    // One question a line: each is its own claim, quoted by the question itself.
    for (const section of interview.questions)
      lines.push(
        `\n(${section.number}) “${section.question.text}”${builder.cite(interview.source.id, section.question)}`,
      );
  }
  return lines.length ? { draft: lines, ...builder } : null;
}

/**
 * Who was interviewed, who asked, and for each interviewer question the answer's sentence that
 * shares most words with it: an overview that cites every section and says nothing the
 * interview does not.
 */
function describeOverview(interviews: ParsedInterview[], chunks: Chunk[]): StructuredDraft | null {
  const lines: string[] = [];
  const covered = overviewed(interviews, chunks);
  const builder = new DraftBuilder(covered.flatMap(({ own }) => own));
  for (const { interview, own } of covered) {
    const { interviewee } = interview;
    const intro = interviewee && builder.cite(interview.source.id, interviewee.sentence);
    if (interviewee && intro)
      lines.push(
        `${lines.length ? " " : ""}The interview is with ${interviewee.name}${interviewee.role ? `, ${interviewee.role}` : ""}${intro}.`,
      );
    lines.push(
      `${lines.length ? " " : ""}The interviewer (“${interview.questions[0]!.speaker}”) asks ${interview.questions.length} questions; in short, the answers:`,
    );
    for (const section of interview.questions) {
      const sentence = keySentence(section, own);
      if (!sentence) continue;
      const marker = builder.cite(interview.source.id, sentence);
      if (marker) lines.push(`\n(${section.number}) ${withMarkerBeforeStop(sentence.text, marker)}`);
    }
  }
  return lines.length ? { draft: lines, ...builder } : null;
}

/** The sentence of a section's answer sharing most content words with its question; the first on ties (8–60 words). */
function keySentence(section: QuestionSection, own: Chunk[]): TextSpan | null {
  if (!section.answer) return null;
  const { start, end } = section.answer;
  const asked = new Set(contentTerms(section.question.text));
  let best: TextSpan | null = null;
  let bestScore = -1;
  for (const chunk of own) {
    if (chunk.end <= start || chunk.start >= end) continue;
    for (const sentence of chunk.sentences) {
      const words = sentence.text.split(/\s+/).length;
      if (sentence.start < start || sentence.end > end || words < 8 || words > 60) continue;
      let score = 0;
      for (const term of new Set(contentTerms(sentence.text))) if (asked.has(term)) score++;
      if (score > bestScore) {
        best = sentence;
        bestScore = score;
      }
    }
  }
  return best;
}

function withMarkerBeforeStop(sentence: string, marker: string): string {
  const match = /[.!?]*["'”’)]*$/.exec(sentence)!;
  return `${sentence.slice(0, match.index)}${marker}${sentence.slice(match.index)}`;
}
