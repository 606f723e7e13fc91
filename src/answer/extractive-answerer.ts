import { defaults } from "../config.js";
import type { Chunk } from "../ingest/chunk-interview.js";
import type { Embedder } from "../embed/embedder.js";
import type { ParsedInterview } from "../ingest/parse-interview.js";
import { TermStatistics } from "../retrieve/term-statistics.js";
import type { Passage, Retrieval, Retriever, ScoredSentence } from "../retrieve/types.js";
import { standaloneQuestion } from "../retrieve/resolve-follow-up.js";
import { asksOverview, overviewParts, type OverviewParts, type StructuredDraft } from "./answer-about-interview.js";
import { speakerNames, type SpeakerNames } from "./speaker-names.js";
import { asksAcrossInterviews, crossTopic, mergeAnswers } from "./cross-interview.js";
import { answers, chooseSentences } from "./extractive/choose-sentences.js";
import { closestSentence, composeAnswer, composeClosest } from "./extractive/compose.js";
import { filterSentences } from "./extractive/filter-sentences.js";
import { analyseQuestion } from "./extractive/question-analysis.js";
import { scoreForAnswer } from "./extractive/score-sentences.js";
import { routeTurn } from "./route/route-turn.js";
import { TurnByMeaning } from "./route/turn-by-meaning.js";
import { otherLanguageReply, replyWithSuggestions, smallTalkReply } from "./route/small-talk-reply.js";
import { SuggestionPool } from "./route/suggestions.js";
import {
  abstention,
  replayAnswer,
  type AnswerEvent,
  type Answerer,
  type AnswerOptions,
  type ChatRequest,
  type ChatResponse,
  type Context,
} from "./types.js";
import { attachCitations } from "./verify/citation-stream.js";
import { ClaimSupport } from "./verify/claim-support.js";

export interface ExtractiveAnswererOptions {
  retriever: Retriever;
  interviews: ParsedInterview[];
  chunks: Chunk[];
  /** Passages retrieved per question. Default 4. */
  topK?: number;
  /** Checks each claim against its quote; default: lexical only (the answerer quotes verbatim, so that suffices). */
  support?: ClaimSupport;
  /** The sentence encoder, to recognise small talk and overview requests by meaning; by wording only when absent. */
  embedder?: Embedder;
  /** Who speaks in each file (the claim check reads the same); built from `interviews` when absent. */
  speakers?: SpeakerNames;
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
  /** Each file's speakers as name terms: its interviewee's name and its answering tags. */
  private readonly speakers: SpeakerNames;
  private readonly meaning: TurnByMeaning | undefined;
  /** Each file's own term statistics, built when a question first needs them. */
  private readonly fileTerms = new Map<string, TermStatistics>();

  constructor(private readonly options: ExtractiveAnswererOptions) {
    this.topK = options.topK ?? defaults.topK;
    this.support = options.support ?? new ClaimSupport(options.retriever.terms, null);
    this.acronyms = [...new Set(options.chunks.flatMap((chunk) => chunk.text.match(/\b[A-Z]{2,6}\b/g) ?? []))].map(
      (acronym) => acronym.toLowerCase(),
    );
    this.speakers = options.speakers ?? speakerNames(options.interviews, options.retriever.terms);
    this.meaning = options.embedder && new TurnByMeaning(options.embedder, options.retriever.terms);
  }

  async answer(request: ChatRequest, options: AnswerOptions = {}): Promise<ChatResponse & { evidence?: Evidence }> {
    const response = await this.answerWithoutSuggestions(request, options);
    const suggestions = await this.suggest(request.message, response, request.sources);
    return { ...response, answer: replyWithSuggestions(response.answer, suggestions), suggestions };
  }

  // The signal lets a question whose asker left drop out of the query-embedding batch.
  private async answerWithoutSuggestions(
    request: ChatRequest,
    { signal, onStandalone }: AnswerOptions = {},
  ): Promise<ChatResponse & { evidence?: Evidence }> {
    const routed = await this.converse(request.message, { otherLanguages: true, sources: request.sources });
    if (routed) return routed;
    const retrieval = await this.options.retriever.retrieve(request.message, {
      history: request.history,
      k: this.topK,
      signal,
      sources: request.sources,
    });
    const standalone = standaloneQuestion(retrieval.question);
    if (standalone) onStandalone?.(standalone);
    return this.answerFrom(retrieval);
  }

  /**
   * Turns answered without retrieval: small talk, a question in another language (offline only:
   * an LLM answers those itself), questions about the interview itself (who was interviewed, by
   * whom, what was asked) and requests for an overview, answered from the parsed structure. Null
   * for a question to retrieve passages for. With `sources`, only those files are described.
   */
  async converse(
    message: string,
    options: { otherLanguages: boolean; sources?: readonly string[] },
  ): Promise<ChatResponse | null> {
    const { interviews, chunks } = this.scope(options.sources);
    const turn = await routeTurn(message, {
      interviews,
      chunks,
      terms: this.options.retriever.terms,
      otherLanguages: options.otherLanguages,
      ...(this.meaning ? { meaning: this.meaning } : {}),
    });
    switch (turn.kind) {
      case "smalltalk":
        return this.reply("smalltalk", smallTalkReply(turn.smallTalk, interviews));
      case "other-language":
        return this.reply("no_answer", otherLanguageReply(interviews));
      case "about-interview":
      case "overview":
        return this.respond(turn.draft);
      case "question":
        return interviews.length > 1 && asksAcrossInterviews(message) ? this.answerAcross(message, interviews) : null;
    }
  }

  /**
   * A question asked across the archive ("Which interviews mention drought?"): its topic answered
   * from each interview apart, as any question is, and the answers of those that speak to it
   * together, each quote naming its file; the refusal when none does.
   */
  private async answerAcross(message: string, interviews: ParsedInterview[]): Promise<ChatResponse> {
    const topic = crossTopic(message);
    const parts: ChatResponse[] = [];
    for (const interview of interviews) {
      const retrieval = await this.options.retriever.retrieve(topic, {
        k: this.topK,
        sources: [interview.source.name],
      });
      // Weighed with the archive's statistics: what one interview says of a topic is judged as the others' is
      // (with each file's own, interviews cited by the cross questions of the archive set fell 0.94 → 0.81).
      const reply = await this.answerFrom(retrieval, { weighAcross: true });
      if (reply.kind === "answer" && reply.citations.length > 0) parts.push(reply);
    }
    if (parts.length === 0) return this.respond({ draft: [abstention], passages: [], preferred: [] });
    return mergeAnswers(parts);
  }

  /** The interview's parts for an overview, when the message asks for one (the LLM answerer writes it from them). */
  async overview(message: string, sources?: readonly string[]): Promise<OverviewParts | null> {
    if (!asksOverview(message) && (await this.meaning?.classify(message)) !== "overview") return null;
    const { interviews, chunks } = this.scope(sources);
    return overviewParts(interviews, chunks);
  }

  /** The interviews and chunks of the files a request names (`sources`), or all of them. */
  private scope(sources?: readonly string[]): { interviews: ParsedInterview[]; chunks: Chunk[] } {
    const { interviews, chunks } = this.options;
    if (!sources?.length) return { interviews, chunks };
    const named = new Set(sources);
    return {
      interviews: interviews.filter((interview) => named.has(interview.source.name)),
      chunks: chunks.filter((chunk) => named.has(chunk.source)),
    };
  }

  /**
   * Questions the interview answers, for the turn: some always for small talk and no answer, a
   * few on other sections after an answer. Every one is checked at first use to get a grounded answer.
   */
  async suggest(
    message: string,
    response: Pick<ChatResponse, "kind" | "citations">,
    sources?: readonly string[],
  ): Promise<string[]> {
    return (await this.suggestions()).choose(message, response, response.kind === "smalltalk" ? 4 : 3, sources);
  }

  /** The questions it may suggest, each answered once, grounded, to be kept (the server builds them at start). */
  suggestions(): Promise<SuggestionPool> {
    this.pool ??= SuggestionPool.build(this.options.interviews, (question) =>
      this.answerWithoutSuggestions({ message: question }),
    );
    return this.pool;
  }

  private reply(kind: "smalltalk" | "no_answer", text: string): ChatResponse {
    return {
      kind,
      answer: text,
      claims: [],
      citations: [],
      contexts: [],
      grounded: false,
      mode: "extractive",
      suggestions: [],
    };
  }

  stream(request: ChatRequest, options: AnswerOptions = {}): AsyncIterable<AnswerEvent> {
    return (async function* (answerer: ExtractiveAnswerer) {
      yield* replayAnswer(await answerer.answer(request, options));
    })(this);
  }

  /**
   * Answers from passages already retrieved (the LLM answerer's fallback keeps its contexts), in
   * stages: analyse the question → score the sentences → filter those that can answer → choose
   * (or abstain, quoting the closest) → compose.
   */
  async answerFrom(
    retrieval: Retrieval,
    { weighAcross = false }: { weighAcross?: boolean } = {},
  ): Promise<ChatResponse & { evidence?: Evidence }> {
    const { passages } = retrieval;
    const terms = weighAcross ? this.options.retriever.terms : this.termsFor(passages);
    const analysis = analyseQuestion(retrieval.question, terms, this.acronyms);
    // Checked here rather than before retrieval so the LLM answerer's degraded fallback refuses too.
    if (analysis.kind === "instruction") return this.respond({ draft: [abstention], passages, preferred: [] });
    // The retriever's scores when they are of these very passages: no sentence is scored twice.
    const scored = scoreForAnswer(
      passages,
      analysis,
      terms,
      retrieval.evidence?.passages === passages && terms === this.options.retriever.terms
        ? retrieval.evidence.sentences
        : undefined,
    );
    const candidates = filterSentences(scored, passages, analysis, terms, this.speakers);
    const best = candidates[0];
    if (!answers(best, analysis)) {
      const closest = analysis.ownTerms.size > 0 ? closestSentence(scored, passages, analysis.question, terms) : null;
      const reply = closest
        ? await this.closest(closest, passages)
        : await this.respond({ draft: [abstention], passages, preferred: [] });
      return { ...reply, ...(best ? { evidence: pick(best) } : {}) };
    }
    const chosen = chooseSentences(best, candidates, passages, analysis);
    return { ...(await this.respond(composeAnswer(chosen, passages))), evidence: pick(best) };
  }

  /**
   * The term statistics an answer is weighed with: those of the file its best passage is from, so a
   * file's answers are what they would be alone (among other interviews its words are rarer, and
   * sentences on its topics cleared the answer cut: held-out abstention 0.70 alone, 0.40 beside the
   * archive); the corpus's when it holds one file.
   */
  private termsFor(passages: Passage[]): TermStatistics {
    const source = passages[0]?.chunk.source;
    if (this.options.interviews.length < 2 || source === undefined) return this.options.retriever.terms;
    let terms = this.fileTerms.get(source);
    if (!terms) {
      terms = new TermStatistics(this.options.chunks.filter((chunk) => chunk.source === source));
      this.fileTerms.set(source, terms);
    }
    return terms;
  }

  /** No answer, but the sentence that comes closest, quoted: the reader sees what the interview does say. */
  private async closest(sentence: ScoredSentence, passages: Passage[]): Promise<ChatResponse> {
    const response = await this.respond(composeClosest(sentence, passages));
    return { ...response, kind: "no_answer", grounded: false };
  }

  private async respond(draft: StructuredDraft): Promise<ChatResponse> {
    const verified = await attachCitations(draft.draft, {
      passages: draft.passages,
      preferred: draft.preferred,
      support: this.support,
      refusal: abstention,
    });
    return { ...verified, contexts: draft.passages.map(toContext), mode: "extractive", suggestions: [] };
  }
}

function pick(sentence: ScoredSentence): Evidence {
  return { coverage: sentence.coverage, similarity: sentence.similarity, score: sentence.score };
}

export function toContext(passage: Passage): Context {
  const { chunk } = passage;
  return {
    source: chunk.source,
    chunkId: chunk.id,
    section: chunk.section,
    text: chunk.text,
    score: passage.score,
    start: chunk.start,
    end: chunk.end,
  };
}
