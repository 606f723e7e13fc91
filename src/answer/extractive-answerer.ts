import type { Chunk } from "../ingest/chunk-interview.js";
import type { ParsedInterview } from "../ingest/parse-interview.js";
import type { Passage, Retrieval, Retriever } from "../retrieve/hybrid-retriever.js";
import type { TermStatistics } from "../retrieve/term-statistics.js";
import { standaloneQuestion } from "../retrieve/resolve-follow-up.js";
import { questionTerms, scoreSentences, type ScoredSentence } from "../retrieve/score-evidence.js";
import { contentTerms, isStopword, normalizeTerm, words } from "../text/tokenize.js";
import { answerAboutInterview, answerOverview, asksOverview, overviewParts, type OverviewParts, type StructuredDraft } from "./answer-about-interview.js";
import { foreignLanguage } from "./route/language.js";
import { classifySmallTalk } from "./route/small-talk.js";
import { otherLanguageReply, smallTalkReply } from "./route/small-talk-reply.js";
import { SuggestionPool } from "./route/suggestions.js";
import { extractiveTuning } from "./extractive-tuning.js";
import { expectedAnswerType, isList, isLure, isSpecific, satisfiesAnswerType, thingNamed, type AnswerType } from "./expected-answer-type.js";
import { instructsAssistant } from "./instructs-assistant.js";
import { namedTerms } from "./named-terms.js";
import { abstention, replayAnswer, type AnswerEvent, type Answerer, type AnswerOptions, type ChatRequest, type ChatResponse, type Context } from "./types.js";
import { attachCitations, type PreferredQuote } from "./verify/citation-stream.js";
import { ClaimSupport } from "./verify/claim-support.js";

export interface ExtractiveAnswererOptions {
  retriever: Retriever;
  interviews: ParsedInterview[];
  chunks: Chunk[];
  /** Passages retrieved per question. Default 4. */
  topK?: number;
  /** Checks each claim against its quote; default: lexical only (the answerer quotes verbatim, so that suffices). */
  support?: ClaimSupport;
}

/** Why the answerer answered or abstained: the evidence of its best sentence. */
export interface Evidence {
  coverage: number;
  similarity: number;
  score: number;
}

/**
 * The offline answerer: answers with the sentences of the retrieved passages that best answer the
 * question, each cited, and abstains when no sentence is evidence enough.
 */
export class ExtractiveAnswerer implements Answerer {
  readonly mode = "extractive" as const;
  private readonly topK: number;
  private readonly support: ClaimSupport;
  private pool: Promise<SuggestionPool> | undefined;
  /** The acronyms the interviews use ("unodc"), lower-cased as terms are. */
  private readonly acronyms: string[];

  constructor(private readonly options: ExtractiveAnswererOptions) {
    this.topK = options.topK ?? 4;
    this.support = options.support ?? new ClaimSupport(options.retriever.terms, null);
    this.acronyms = [...new Set(options.chunks.flatMap((chunk) => chunk.text.match(/\b[A-Z]{2,6}\b/g) ?? []))].map((acronym) => acronym.toLowerCase());
  }

  async answer(request: ChatRequest, options: AnswerOptions = {}): Promise<ChatResponse & { evidence?: Evidence }> {
    const response = await this.answerWithoutSuggestions(request, options);
    return { ...response, suggestions: await this.suggest(request.message, response) };
  }

  // The signal lets a question whose asker left drop out of the query-embedding batch.
  private async answerWithoutSuggestions(request: ChatRequest, { signal, onStandalone }: AnswerOptions = {}): Promise<ChatResponse & { evidence?: Evidence }> {
    const routed = await this.converse(request.message, { otherLanguages: true });
    if (routed) return routed;
    const retrieval = await this.options.retriever.retrieve(request.message, { history: request.history, k: this.topK, signal, sources: request.sources });
    const standalone = standaloneQuestion(retrieval.question);
    if (standalone) onStandalone?.(standalone);
    return this.answerFrom(retrieval);
  }

  /**
   * Turns answered without retrieval: small talk, a question in another language (offline only:
   * an LLM answers those itself), questions about the interview itself (who was interviewed, by
   * whom, what was asked) and requests for an overview, answered from the parsed structure. Null
   * for a question to retrieve passages for.
   */
  async converse(message: string, options: { otherLanguages: boolean }): Promise<ChatResponse | null> {
    const { interviews, chunks } = this.options;
    const smallTalk = classifySmallTalk(message);
    if (smallTalk) return this.reply("smalltalk", smallTalkReply(smallTalk, interviews));
    const terms = this.options.retriever.terms;
    if (options.otherLanguages && foreignLanguage(message, (word) => isStopword(word) || terms.has(normalizeTerm(word)))) {
      return this.reply("no_answer", otherLanguageReply(interviews));
    }
    const structured = answerAboutInterview(message, interviews, chunks) ?? answerOverview(message, interviews, chunks);
    return structured ? this.respond(structured) : null;
  }

  /** The interview's parts for an overview, when the message asks for one (the LLM answerer writes it from them). */
  overview(message: string): OverviewParts | null {
    return asksOverview(message) ? overviewParts(this.options.interviews, this.options.chunks) : null;
  }

  /**
   * Questions the interview answers, for the turn: some always for small talk and no answer, a
   * few on other sections after an answer. Every one is checked at first use to get a grounded answer.
   */
  async suggest(message: string, response: Pick<ChatResponse, "kind" | "citations">): Promise<string[]> {
    return (await this.suggestions()).choose(message, response, response.kind === "smalltalk" ? 4 : 3);
  }

  /** The questions it may suggest, each answered once, grounded, to be kept (the server builds them at start). */
  suggestions(): Promise<SuggestionPool> {
    this.pool ??= SuggestionPool.build(this.options.interviews, (question) => this.answerWithoutSuggestions({ message: question }));
    return this.pool;
  }

  private reply(kind: "smalltalk" | "no_answer", text: string): ChatResponse {
    return { kind, answer: text, claims: [], citations: [], contexts: [], grounded: false, mode: "extractive", suggestions: [] };
  }

  stream(request: ChatRequest, options: AnswerOptions = {}): AsyncIterable<AnswerEvent> {
    return (async function* (answerer: ExtractiveAnswerer) {
      yield* replayAnswer(await answerer.answer(request, options));
    })(this);
  }

  /** Answers from passages already retrieved (the LLM answerer's fallback keeps its contexts). */
  async answerFrom(retrieval: Retrieval): Promise<ChatResponse & { evidence?: Evidence }> {
    const { passages } = retrieval;
    // Checked here rather than before retrieval so the LLM answerer's degraded fallback refuses too.
    if (instructsAssistant(retrieval.question.question)) return this.respond({ draft: [abstention], passages, preferred: [] });
    const terms = this.options.retriever.terms;
    const query = questionTerms(retrieval.question, terms);
    const ownTerms = questionTerms({ question: retrieval.question.question, searchText: retrieval.question.question }, terms);
    const definition = definedSubject(retrieval.question.question);
    const scored = scoreSentences(passages, query, terms)
      .map((sentence) => (definition && startsWith(textOf(passages, sentence), definition) ? { ...sentence, score: sentence.score + extractiveTuning.definitionBonus } : sentence))
      .sort((a, b) => b.score - a.score);
    const type = expectedAnswerType(retrieval.question.question);
    const names = namedTerms(retrieval.question.question).map((term) => terms.correct(term) ?? term);
    // A short acronym the question writes in capitals also names the longer ones it begins:
    // "UN bodies" are the interview's "UNODC" and "UNAMA".
    const acronymsOf = (name: string): string[] =>
      new RegExp(`\\b${name.toUpperCase()}\\b`).test(retrieval.question.question) ? this.acronyms.filter((acronym) => acronym.startsWith(name)) : [];
    const known = (name: string) => terms.has(name) || acronymsOf(name).length > 0;
    // The thing whose name is asked for ("the name of the track that ...") must be talked about.
    const thing = contentTerms(thingNamed(retrieval.question.question) ?? "");
    // Decided once a passage, not once a sentence: the passage's terms are the same for each.
    const mentions = passages.map((passage) => {
      if (names.length === 0 && thing.length === 0) return true;
      const present = new Set([passage.chunk.section, ...passage.chunk.sentences.map((sentence) => sentence.text)].flatMap((text) => [...terms.termsOf(text)]));
      // A name also matches the words it starts or is started by: "Kazakh" / "Kazakhstan", "Europe" / "European".
      const has = (name: string) =>
        acronymsOf(name).some((acronym) => present.has(acronym)) ||
        terms.variants(name).some((variant) => present.has(variant) || [...present].some((term) => term.length >= 4 && variant.length >= 4 && (term.startsWith(variant) || variant.startsWith(term))));
      return names.every(has) && (thing.length === 0 || thing.some(has));
    });
    const candidates = names.every(known)
      ? scored.filter((sentence) => mentions[sentence.passage] && satisfiesAnswerType(type, textOf(passages, sentence), retrieval.question.question))
      : [];
    const best = candidates[0];
    const cut = evidenceCut(type);
    if (!best || ownTerms.size === 0 || evidenceScore(best) < cut) {
      const closest = ownTerms.size > 0 ? scored[0] : undefined;
      const near = closest && evidenceScore(closest) >= extractiveTuning.closestCut && sharesTopic(retrieval.question.question, textOf(passages, closest), terms);
      const reply = near ? await this.closest(closest, passages) : await this.respond({ draft: [abstention], passages, preferred: [] });
      return { ...reply, ...(best ? { evidence: pick(best) } : {}) };
    }
    // Runners-up join when nearly as good: once the best sentence has decided to answer, a
    // runner-up needs to be close to it and fair evidence, not to clear the answer's own cut again.
    const runnerUpCut = Math.min(cut, extractiveTuning.runnerUpCut);
    // On point: a runner-up must hold one of the question's own words. A follow-up's context ("EU
    // trade in 2021" before "What about imports?") otherwise pulls in sentences on neighbouring topics.
    // Compared as written, not stemmed: Porter makes "importance" the "import" of "imports".
    const ownWords = surfaceWords(retrieval.question.question);
    const holdsOwnWord = (sentence: ScoredSentence) => {
      const present = surfaceWords(textOf(passages, sentence));
      return ownWords.some((word) => present.some((other) => sameWord(word, other)));
    };
    const chosen = candidates
      .filter((sentence) => sentence === best || (sentence.score >= best.score * extractiveTuning.runnerUpShare && evidenceScore(sentence) >= runnerUpCut && holdsOwnWord(sentence)))
      .slice(0, extractiveTuning.maxRunnerUps);
    // The sentence after the best one joins too: an interviewee's answer unfolds over consecutive
    // sentences ("The last meeting took place in August." → "A joint statement was adopted."), and
    // the point asked about is as often in the second (quote holds evidence 0.64 → 0.67 on the
    // project's set, 0.93 → 1.00 on the starter set).
    const next = passages[best.passage]!.chunk.sentences[best.sentence + 1];
    if (next && !chosen.some((sentence) => sentence.passage === best.passage && sentence.sentence === best.sentence + 1)) {
      chosen.push({ ...best, sentence: best.sentence + 1 });
    }
    // Brief unless a list is asked for: the weakest runners-up go first, then the sentence after the best.
    if (!isList(type)) {
      const words = (sentence: ScoredSentence) => textOf(passages, sentence).split(/\s+/).length;
      const isNext = (sentence: ScoredSentence) => sentence.passage === best.passage && sentence.sentence === best.sentence + 1;
      // Popped from the end: the weakest runner-up first, the sentence after the best last.
      const droppable = [...chosen.filter(isNext), ...chosen.filter((sentence) => sentence !== best && !isNext(sentence)).sort((a, b) => b.score - a.score)];
      while (chosen.reduce((sum, sentence) => sum + words(sentence), 0) > extractiveTuning.maxAnswerWords && droppable.length > 0) chosen.splice(chosen.indexOf(droppable.pop()!), 1);
    }
    chosen.sort((a, b) => a.passage - b.passage || a.sentence - b.sentence);
    const preferred: PreferredQuote[] = chosen.map((sentence) => ({
      passage: sentence.passage + 1,
      span: passages[sentence.passage]!.chunk.sentences[sentence.sentence]!,
    }));
    const draft = preferred.map((quote, i) => `${i === 0 ? "" : " "}${withMarker(quote.span.text, quote.passage)}`);
    return { ...(await this.respond({ draft, passages, preferred })), evidence: pick(best) };
  }

  /** No answer, but the sentence that comes closest, quoted: the reader sees what the interview does say. */
  private async closest(sentence: ScoredSentence, passages: Passage[]): Promise<ChatResponse> {
    const span = passages[sentence.passage]!.chunk.sentences[sentence.sentence]!;
    const draft = ["The interview doesn't say exactly.", " The closest it comes:", `\n${withMarker(span.text, sentence.passage + 1)}`];
    const response = await this.respond({ draft, passages, preferred: [{ passage: sentence.passage + 1, span }] });
    return { ...response, kind: "no_answer", grounded: false };
  }

  private async respond(draft: StructuredDraft): Promise<ChatResponse> {
    const verified = await attachCitations(draft.draft, { passages: draft.passages, preferred: draft.preferred, support: this.support, refusal: abstention });
    return { ...verified, contexts: draft.passages.map(toContext), mode: "extractive", suggestions: [] };
  }
}

/** "What is the Middle Corridor?" → "middle corridor": the subject a definition question asks about. */
function definedSubject(question: string): string | null {
  const match = /^\s*(?:what|who)\s+(?:is|are|was|were)\s+(?:the\s+|a\s+|an\s+)?([^?]{3,60}?)\s*\??\s*$/i.exec(question);
  return match ? match[1]!.toLowerCase().replace(/["'“”‘’]/g, "") : null;
}

/** A sentence that opens with the subject ("The Middle Corridor, functioning under ... is ...") defines it. */
function startsWith(sentence: string, subject: string): boolean {
  return sentence.toLowerCase().replace(/["'“”‘’]/g, "").replace(/^(?:the|a|an)\s+/, "").startsWith(subject);
}

function textOf(passages: Passage[], sentence: ScoredSentence): string {
  return passages[sentence.passage]!.chunk.sentences[sentence.sentence]!.text;
}

function pick(sentence: ScoredSentence): Evidence {
  return { coverage: sentence.coverage, similarity: sentence.similarity, score: sentence.score };
}

/**
 * How much a sentence is evidence to answer with. Decided from two signals together, since
 * neither alone separates answerable from unanswerable questions: how much of the question's
 * (idf-weighted) content the sentence covers, and how similar their embeddings are.
 */
function evidenceScore(sentence: ScoredSentence): number {
  return sentence.similarity + extractiveTuning.coverageWeight * sentence.coverage;
}

/** The evidence an answer needs (see `extractiveTuning`): less when the sentence holds the specific kind of thing asked for, more for a figure. */
function evidenceCut(type: AnswerType): number {
  return isSpecific(type) ? extractiveTuning.specificCut : isLure(type) ? extractiveTuning.lureCut : extractiveTuning.answerCut;
}

/** The content words of a text as written, lower-cased, a plural's "s" and a possessive dropped. */
function surfaceWords(text: string): string[] {
  return words(text)
    .filter((word) => !isStopword(word))
    .map((word) => word.replace(/['’]s$/, "").replace(/(?<=\w{3})e?s$/, ""));
}

/** The same word, or one a short ending away ("reform" / "reformed"), as written. */
function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 4 && long.startsWith(short) && long.length - short.length <= 2;
}

/**
 * Whether a sentence shares with the question a word that is neither a name nor in most passages:
 * "the capital of France" is not close to "FDI … in the Netherlands, Belgium, France".
 */
function sharesTopic(question: string, sentence: string, terms: TermStatistics): boolean {
  const names = new Set(namedTerms(question));
  const present = terms.termsOf(sentence);
  return contentTerms(question).some((term) => !names.has(term) && terms.idf(term) > extractiveTuning.commonTermIdf && present.has(term));
}

/** Places the citation marker before the sentence's closing punctuation and quotes. */
function withMarker(sentence: string, passage: number): string {
  const match = /[.!?]*["'”’)]*$/.exec(sentence)!;
  return `${sentence.slice(0, match.index)} [${passage}]${sentence.slice(match.index)}`;
}

export function toContext(passage: Passage): Context {
  const { chunk } = passage;
  return { source: chunk.source, chunkId: chunk.id, section: chunk.section, text: chunk.text, score: passage.score, start: chunk.start, end: chunk.end };
}
