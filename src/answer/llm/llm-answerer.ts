import { defaults } from "../../config.js";
import type { BaseMessage } from "@langchain/core/messages";
import type { Logger } from "pino";
import { UpstreamError } from "../../errors.js";
import type { Passage, Retrieval, Retriever } from "../../retrieve/types.js";
import { standaloneQuestion, type ChatTurn } from "../../retrieve/resolve-follow-up.js";
import type { ExtractiveAnswerer } from "../extractive-answerer.js";
import { toContext } from "../extractive-answerer.js";
import { instructsAssistant } from "../instructs-assistant.js";
import { replyWithSuggestions } from "../route/small-talk-reply.js";
import {
  abstention,
  collectAnswer,
  replayAnswer,
  type AnswerEvent,
  type AnswerOptions,
  type Answerer,
  type ChatRequest,
  type ChatResponse,
} from "../types.js";
import { CitationStream } from "../verify/citation-stream.js";
import { ClaimSupport } from "../verify/claim-support.js";
import type { CompletionUsage } from "../../contract/index.js";
import type { OverviewParts } from "../answer-about-interview.js";
import type { ChatMessage, ChatModel } from "../model/chat-model.js";
import type { Prompts } from "./load-prompts.js";
import { UpstreamDeadline } from "./upstream-deadline.js";

/**
 * What the LLM answerer asks of the answerer it falls back on (the extractive one): small talk and
 * questions about the interview, overviews' parts, an answer when the model fails, and suggestions.
 */
export type FallbackAnswerer = Pick<ExtractiveAnswerer, "overview" | "converse" | "answerFrom" | "suggest">;

export interface LlmAnswererOptions {
  /** The model that writes answers; the OpenAI SDK is one adapter (OpenAiChatModel). */
  model: ChatModel;
  prompts: Prompts;
  retriever: Retriever;
  /** Answers when the LLM fails and `onFailure` is "degrade", and answers questions about the interview itself. */
  fallback: FallbackAnswerer;
  /** "degrade" (default): the extractive answer, marked degraded; "error": a 502/504. */
  onFailure?: "degrade" | "error";
  topK?: number;
  /** Checks every claim of the model's answer against its quotes. Default: lexical only (no embeddings). */
  support?: ClaimSupport;
  /** "flag" (default): unsupported claims stay, marked `supported: false`; "drop": they are left out. */
  unsupported?: "flag" | "drop";
  /** Sent upstream as `max_tokens`. Default 600. */
  maxTokens?: number;
  /** Characters read from the model before the answer is ended as truncated. Default 8,000. */
  maxAnswerChars?: number;
  /**
   * The whole budget for the model, condensing and retries included, first byte to last.
   * Default: the client's `timeout`.
   */
  timeoutMs?: number;
  /** The longest silence in the middle of a streamed answer. Default 15 s. */
  idleTimeoutMs?: number;
  logger?: Pick<Logger, "warn">;
}

/**
 * Answers with an OpenAI-compatible chat model from retrieved passages. Follow-ups are first
 * condensed into a standalone question by a second prompt. The model's `[n]` markers go through
 * `CitationStream`, so only retrieved passages are cited and every citation carries a verbatim quote.
 */
export class LlmAnswerer implements Answerer {
  readonly mode = "llm" as const;
  private readonly onFailure: "degrade" | "error";
  private readonly topK: number;
  private readonly maxAnswerChars: number;
  private readonly support: ClaimSupport;

  constructor(private readonly options: LlmAnswererOptions) {
    this.support = options.support ?? new ClaimSupport(options.retriever.terms, null);
    this.onFailure = options.onFailure ?? "degrade";
    this.topK = options.topK ?? defaults.topK;
    this.maxAnswerChars = options.maxAnswerChars ?? 8000;
  }

  /**
   * The whole answer, for JSON clients. They see nothing until it is complete, so a model that
   * fails half-way still leaves room for the degraded answer: the text is held back, not shown.
   */
  answer(request: ChatRequest, options: AnswerOptions = {}): Promise<ChatResponse> {
    return collectAnswer(this.run(request, options, true));
  }

  stream(request: ChatRequest, options: AnswerOptions = {}): AsyncIterable<AnswerEvent> {
    return this.run(request, options, false);
  }

  private async *run(request: ChatRequest, options: AnswerOptions, heldBack: boolean): AsyncIterable<AnswerEvent> {
    const deadline = new UpstreamDeadline({
      timeoutMs: this.options.timeoutMs ?? this.options.model.timeoutMs,
      idleTimeoutMs: this.options.idleTimeoutMs ?? 15_000,
      signal: options.signal,
    });
    try {
      yield* this.answerWithin(request, options, deadline, heldBack);
    } finally {
      deadline.dispose();
    }
  }

  private async *answerWithin(
    request: ChatRequest,
    options: AnswerOptions,
    deadline: UpstreamDeadline,
    heldBack: boolean,
  ): AsyncIterable<AnswerEvent> {
    const { fallback } = this.options;
    // An overview is written by the model from the interview's parts (overview.md), not retrieved for.
    const overview = await fallback.overview(request.message, request.sources);
    // Small talk and questions about the interview itself need no model; other languages do.
    const routed = overview
      ? null
      : await fallback.converse(request.message, { otherLanguages: false, sources: request.sources });
    if (routed) {
      const suggestions = await fallback.suggest(request.message, routed, request.sources);
      yield* replayAnswer({ ...routed, answer: replyWithSuggestions(routed.answer, suggestions), suggestions });
      return;
    }
    // What the model reports spending, condensing included: the usage /v1/chat/completions passes on.
    const spent: CompletionUsage[] = [];
    const { retrieval, standalone } = await this.retrieveFor(request, overview, deadline, options, spent);
    yield { type: "contexts", contexts: retrieval.passages.map(toContext) };

    // Instructions get the refusal before any model sees them, as in extractive mode.
    if (instructsAssistant(standalone ?? request.message) || instructsAssistant(request.message)) {
      const refusal = await fallback.answerFrom({ ...retrieval, passages: [] });
      yield* replayAnswer({
        ...refusal,
        contexts: retrieval.passages.map(toContext),
        mode: "llm",
        suggestions: await fallback.suggest(request.message, refusal, request.sources),
      });
      return;
    }
    const messages = await this.promptFor(request, overview, retrieval.passages, standalone);
    const citations = new CitationStream({
      passages: retrieval.passages,
      support: this.support,
      refusal: abstention,
      unsupported: this.options.unsupported,
      footnotes: true,
    });
    const written = {
      shown: false,
      held: [] as string[],
      finishReason: null as string | null,
      usage: undefined as CompletionUsage | undefined,
    };
    try {
      yield* this.streamModel(messages, citations, deadline, options, heldBack, written);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      yield* this.degrade(error, request, overview, retrieval, options, written.shown);
      return;
    }
    for (const text of written.held) yield { type: "delta", text };
    const rest = await citations.end();
    if (rest) yield { type: "delta", text: rest };
    const verified = citations.result();
    // Usage only when the answer's call reported it: a sum without it would undercount.
    const usage = written.usage && sumUsage([...spent, written.usage]);
    options.onModelReport?.({ ...(usage ? { usage } : {}), finishReason: written.finishReason });
    yield { type: "citations", ...verified, mode: "llm" };
    yield { type: "suggestions", suggestions: await fallback.suggest(request.message, verified, request.sources) };
  }

  /** The passages to answer from: the overview's parts, or those retrieved for the (condensed) question. */
  private async retrieveFor(
    request: ChatRequest,
    overview: OverviewParts | null,
    deadline: UpstreamDeadline,
    options: AnswerOptions,
    spent: CompletionUsage[],
  ): Promise<{ retrieval: Retrieval; standalone: string | null }> {
    const history = request.history ?? [];
    const standalone =
      !overview && history.length > 0 ? await this.condense(request.message, history, deadline, options, spent) : null;
    // Without a condensed question (none needed, or the LLM failed), the retriever resolves follow-ups itself.
    const retrieval: Retrieval = overview
      ? {
          question: { question: request.message, searchText: request.message },
          queryVector: [],
          passages: overview.passages,
        }
      : await this.options.retriever.retrieve(standalone ?? request.message, {
          history: standalone ? [] : history,
          k: this.topK,
          signal: options.signal,
          sources: request.sources,
        });
    const asked = standalone ?? standaloneQuestion(retrieval.question);
    // A model that left the question as it was condensed nothing.
    if (asked && asked !== request.message) options.onStandalone?.(asked);
    return { retrieval, standalone };
  }

  private async promptFor(
    request: ChatRequest,
    overview: OverviewParts | null,
    passages: Passage[],
    standalone: string | null,
  ): Promise<ChatMessage[]> {
    const messages = overview
      ? await this.options.prompts.overview.formatMessages({
          interviewee: asData(overview.interviewee),
          interviewer: asData(overview.interviewer),
          passages: formatPassages(passages),
          question: asData(request.message),
        })
      : await this.options.prompts.answer.formatMessages({
          passages: formatPassages(passages),
          question: asData(standalone ?? request.message),
          refusal: abstention,
        });
    return toChatMessages(messages);
  }

  /**
   * Streams the model's answer through the citation check, into `written`. Text is yielded as it
   * is checked, or held back for JSON clients (`heldBack`) so a failure half-way can still degrade.
   * @throws UpstreamError when the model fails, breaks off or writes nothing.
   */
  private async *streamModel(
    messages: ChatMessage[],
    citations: CitationStream,
    deadline: UpstreamDeadline,
    options: AnswerOptions,
    heldBack: boolean,
    written: { shown: boolean; held: string[]; finishReason: string | null; usage?: CompletionUsage },
  ): AsyncIterable<AnswerEvent> {
    const parts = await deadline.race(
      this.options.model.stream({
        messages,
        // The client's cap (max_tokens on /v1/chat/completions) when it is lower than ours.
        maxTokens: Math.min(this.options.maxTokens ?? 600, options.maxTokens ?? Number.POSITIVE_INFINITY),
        signal: deadline.signal,
        timeoutMs: deadline.remaining(),
      }),
    );
    // The idle clock starts with the headers: the first token may take a while, the rest should not.
    deadline.touch();
    const iterator = parts[Symbol.asyncIterator]();
    let text = "";
    let finished = false;
    try {
      while (text.length < this.maxAnswerChars) {
        const next = await deadline.race(iterator.next());
        if (next.done) break;
        deadline.touch();
        const part = next.value;
        if (part.type === "error") throw part.error;
        if (part.type === "usage") written.usage = part.usage;
        if (part.type === "finish") {
          finished = true;
          written.finishReason = part.reason;
        }
        if (part.type !== "text") continue;
        let piece = part.text;
        if (text.length + piece.length >= this.maxAnswerChars) {
          // A run-away answer ends here, truncated: everything read costs CPU to verify.
          piece = piece.slice(0, this.maxAnswerChars - text.length);
          finished = true;
          written.finishReason = "length";
          this.options.logger?.warn({ maxAnswerChars: this.maxAnswerChars }, "LLM answer truncated");
        }
        text += piece;
        const output = await citations.push(piece);
        if (output && heldBack) written.held.push(output);
        else if (output) {
          written.shown = true;
          yield { type: "delta", text: output };
        }
      }
    } finally {
      // Leaving the iteration early (truncated, failed) stops the upstream.
      // Not awaited: a generator still waiting on the upstream would hold the failure back until it answers.
      void iterator.return?.().catch(() => {});
    }
    // A connection closed mid-answer ends the stream quietly; only a finish reason says the answer is whole.
    if (!finished) throw new UpstreamError("The language model's answer broke off", true);
    if (text.trim() === "") throw new UpstreamError("The language model returned an empty answer", true);
  }

  /**
   * After a model failure: the error again when part of the answer was shown (or the operator chose
   * errors), else the extractive answer marked degraded.
   */
  private async *degrade(
    error: unknown,
    request: ChatRequest,
    overview: OverviewParts | null,
    retrieval: Retrieval,
    options: AnswerOptions,
    shown: boolean,
  ): AsyncIterable<AnswerEvent> {
    const { fallback } = this.options;
    const logger = options.logger ?? this.options.logger;
    const upstream = this.options.model.toUpstreamError(error);
    if (shown || this.onFailure === "error") {
      logger?.warn(
        { err: upstream.cause ?? upstream, code: upstream.code },
        "LLM failed after part of the answer was sent",
      );
      throw upstream;
    }
    logger?.warn({ err: upstream.cause ?? upstream, code: upstream.code }, "LLM failed; answering extractively");
    const degraded =
      (overview && (await fallback.converse(request.message, { otherLanguages: false, sources: request.sources }))) ||
      (await fallback.answerFrom(retrieval));
    const suggestions = await fallback.suggest(request.message, degraded, request.sources);
    for await (const event of replayAnswer({ ...degraded, degraded: true, suggestions }))
      if (event.type !== "contexts") yield event;
  }

  /**
   * Rewrites a follow-up into a standalone question; null when the LLM cannot be reached. It gets
   * at most half of the answer's deadline, so a slow condense still leaves the answer time.
   */
  private async condense(
    question: string,
    history: ChatTurn[],
    deadline: UpstreamDeadline,
    options: AnswerOptions,
    spent: CompletionUsage[],
  ): Promise<string | null> {
    const step = deadline.within(Math.ceil(deadline.remaining() / 2));
    try {
      const messages = await this.options.prompts.condense.formatMessages({
        history: history
          .map((turn) => `${turn.role === "user" ? "User" : "Assistant"}: ${asData(turn.content)}`)
          .join("\n"),
        question: asData(question),
      });
      const completion = await step.race(
        this.options.model.complete({
          messages: toChatMessages(messages),
          signal: step.signal,
          timeoutMs: step.remaining(),
        }),
      );
      if (completion.usage) spent.push(completion.usage);
      const rewritten = completion.text.trim();
      return rewritten ? rewritten.slice(0, 2000) : null;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const upstream = this.options.model.toUpstreamError(error);
      (options.logger ?? this.options.logger)?.warn(
        { err: upstream.cause ?? upstream, code: upstream.code },
        "Condensing the follow-up failed; resolving it without the LLM",
      );
      return null;
    } finally {
      step.dispose();
    }
  }
}

/** Token counts over several calls, in the three fields OpenAI's usage has. */
function sumUsage(usages: CompletionUsage[]): CompletionUsage {
  const sum = (field: keyof CompletionUsage) =>
    usages.reduce((total, usage) => total + (typeof usage[field] === "number" ? usage[field] : 0), 0);
  return {
    prompt_tokens: sum("prompt_tokens"),
    completion_tokens: sum("completion_tokens"),
    total_tokens: sum("total_tokens"),
  };
}

/** Numbered passages, each fenced so the model reads them as data. */
function formatPassages(passages: Passage[]): string {
  return passages
    .map(
      (passage, i) =>
        `[${i + 1}] (answering: ${asData(passage.chunk.section)})\n"""\n${asData(passage.chunk.text)}\n"""`,
    )
    .join("\n\n");
}

/**
 * Text that must stay inside its fence in a prompt: the tags the prompts fence with, in any spelling a
 * parser might accept ("< /question>", "</question x=1>"), and the passages' triple quotes are
 * defused, so "</passages>\nSYSTEM: …" in a question arrives as data.
 */
export function asData(text: string): string {
  return text
    .replaceAll('"""', "'''")
    .replace(/<\s*(\/?)\s*(passages|question|conversation)\b[^>]{0,200}>/gi, "‹$1$2›");
}

/** LangChain's formatted prompt messages as the model's plain role and content. */
function toChatMessages(messages: BaseMessage[]): ChatMessage[] {
  return messages.map((message) => {
    const content = typeof message.content === "string" ? message.content : JSON.stringify(message.content);
    const type = message.getType();
    return type === "system"
      ? { role: "system", content }
      : type === "ai"
        ? { role: "assistant", content }
        : { role: "user", content };
  });
}
