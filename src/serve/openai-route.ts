import type { Logger } from "pino";
import type { Request, Response } from "express";
import { capLength, cutResponse, sentenceBoundaries } from "../answer/cap-answer.js";
import { suggestionsAsText } from "../answer/route/small-talk-reply.js";
import type { Answerer, AnswerOptions, ChatResponse, ModelReport } from "../answer/types.js";
import { BadRequestError } from "../errors.js";
import type { ChatTurn } from "../retrieve/resolve-follow-up.js";
import { countChatTokens, loadTokenCounter, type CountTokens } from "../text/count-tokens.js";
import { describeError } from "./describe-error.js";
import { checkSources } from "./chat-route.js";
import { abortOnDisconnect, openEventStream } from "./event-stream.js";
import {
  chatRequestSchema,
  completionRequestSchema,
  degradedField,
  verdictToWire,
  type CompletionExtras,
  type CompletionRequest,
  type CompletionUsage,
  type Verdict,
} from "../contract/index.js";
import { validate } from "./validate.js";
import type { Insights } from "../insights/insights.js";
import { startTurn } from "./insights-routes.js";

export const modelId = "interview-chat";

/**
 * `POST /v1/chat/completions` for existing OpenAI clients and chat UIs: the last user message is
 * the question, earlier user and assistant messages the history. Citations ride along as `[n]`
 * markers in the content and in extra fields (`citations`, `claims`, `grounded`, ...).
 *
 * As OpenAI's own: `usage` counts tokens (the model's counts when a model wrote the answer,
 * cl100k_base counts of the messages and the answer otherwise); `stream_options.include_usage`
 * adds a last chunk with the usage and no choices; `max_tokens` / `max_completion_tokens` cap the
 * answer: a model gets the cap and stops there itself (its tokens, not ours, count), and an answer
 * no model wrote (extractive, degraded, small talk) is cut after its last whole sentence that
 * fits, to nothing when not even the first does; `finish_reason` is `"length"` either way. A reply
 * that leads up to suggestions ("You could ask:") lists them in its text, before any cut: OpenAI
 * clients show the text, not the `suggestions` field.
 */
export function completionsRoute(
  answerer: Answerer,
  heartbeatMs: number,
  insights?: Insights,
  knownSources?: readonly string[],
) {
  return async (request: Request, response: Response) => {
    const completion = startCompletion(request, response, insights, knownSources);
    if (completion.body.stream) await streamReply(answerer, completion, response, heartbeatMs);
    else await jsonReply(answerer, completion, response);
  };
}

/** What a completion's reply, JSON or streamed, is made from. */
interface Completion {
  body: CompletionRequest;
  chatRequest: ReturnType<typeof toChatRequest>;
  maxTokens: number | undefined;
  signal: AbortSignal;
  /** The fields every reply and chunk starts with. */
  base: { id: string; created: number; model: string };
  turn: ReturnType<typeof startTurn>;
  options: AnswerOptions;
  /** Set while the question is answered, when a model writes the answer. */
  byModel: { report?: ModelReport };
  counter: Promise<CountTokens>;
}

function startCompletion(
  request: Request,
  response: Response,
  insights: Insights | undefined,
  knownSources: readonly string[] | undefined,
): Completion {
  const body = validate(completionRequestSchema, request.body);
  const chatRequest = toChatRequest(body, knownSources);
  const maxTokens = tokenCap(body);
  const signal = abortOnDisconnect(response);
  const created = Math.floor(Date.now() / 1000);
  // The completion's id is the reply's id: feedback and the insights know it by this.
  const turn = startTurn(insights, request, chatRequest.message, "chatcmpl-");
  const id = turn.id;
  const byModel: Completion["byModel"] = {};
  const options: AnswerOptions = {
    signal,
    logger: response.locals.logger as Logger | undefined,
    onStandalone: turn.noteStandalone,
    ...(maxTokens === undefined ? {} : { maxTokens }),
    onModelReport: (modelReport) => (byModel.report = modelReport),
  };
  // Loaded while the question is answered (the first time only), not after.
  const counter = loadTokenCounter();
  return {
    body,
    chatRequest,
    maxTokens,
    signal,
    base: { id, created, model: modelId },
    turn,
    options,
    byModel,
    counter,
  };
}

async function jsonReply(answerer: Answerer, completion: Completion, response: Response): Promise<void> {
  const { chatRequest, options, maxTokens, byModel, base, turn } = completion;
  const answered = await answerer.answer(chatRequest, options);
  const whole = { ...answered, answer: answered.answer + suggestionsAsText(answered.answer, answered.suggestions) };
  const count = await completion.counter;
  // A model's answer is capped by the model; the rest is cut here.
  const result =
    maxTokens === undefined || byModel.report ? whole : cutResponse(whole, capLength(whole.answer, maxTokens, count));
  response.json({
    ...base,
    object: "chat.completion",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: result.answer },
        finish_reason: finishReason(completion, result !== whole),
        logprobs: null,
      },
    ],
    usage: usageOf(completion, result.answer, count),
    ...extras(result),
  });
  turn.finish(result);
}

async function streamReply(
  answerer: Answerer,
  completion: Completion,
  response: Response,
  heartbeatMs: number,
): Promise<void> {
  const { body, chatRequest, options, maxTokens, signal, base, turn, byModel, counter } = completion;
  const includeUsage = body.stream_options?.include_usage === true;
  const events = openEventStream(response, heartbeatMs);
  // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
  const chunk = (delta: object, extra: object = {}, finish: string | null = null) =>
    events.send(null, {
      ...base,
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    });
  try {
    chunk({ role: "assistant", content: "" });
    const count = maxTokens === undefined ? undefined : await counter;
    const capped = new CappedText(maxTokens, count);
    let verdict: Verdict | undefined;
    let suggestions: string[] | undefined;
    for await (const event of answerer.stream(chatRequest, options)) {
      if (signal.aborted) return;
      turn.see(event);
      if (event.type === "delta") {
        const shown = capped.push(event.text);
        if (shown) chunk({ content: shown });
      }
      if (event.type === "citations") verdict = verdictToWire(event);
      if (event.type === "suggestions") suggestions = event.suggestions;
    }
    // The suggestions come last, after the text that leads up to them: listed there, as in the JSON reply.
    const listed = capped.push(suggestionsAsText(capped.full, suggestions ?? []));
    if (listed) chunk({ content: listed });
    const rest = capped.end(byModel.report !== undefined);
    if (rest) chunk({ content: rest });
    // The last chunk carries the verdict and the suggestions, as extra fields beside finish_reason.
    if (verdict) {
      const cut = cutResponse({ ...verdict, answer: capped.full }, capped.shown.length);
      chunk({}, extras({ ...cut, ...(suggestions ? { suggestions } : {}) }), finishReason(completion, capped.cut));
    }
    if (includeUsage)
      events.send(null, {
        ...base,
        object: "chat.completion.chunk",
        choices: [],
        usage: usageOf(completion, capped.shown, await counter),
      });
    events.sendRaw("[DONE]");
    turn.done();
  } catch (error) {
    if (signal.aborted) return;
    const { body: failure } = describeError(error);
    events.send(null, { error: { message: failure.message, type: failure.code, code: failure.code } });
  } finally {
    events.end();
  }
}

/** A model's own counts when a model wrote the answer; else cl100k_base counts of the messages and the answer. */
function usageOf({ body, byModel }: Completion, answer: string, count: CountTokens): CompletionUsage {
  if (byModel.report?.usage) return byModel.report.usage;
  const prompt = countChatTokens(
    body.messages.map((message) => ({ role: message.role, content: text(message.content) })),
    count,
  );
  const completion = count(answer);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function finishReason({ byModel }: Completion, cut: boolean) {
  return cut || byModel.report?.finishReason === "length" ? "length" : "stop";
}

/** The fields beside OpenAI's: what the answer rests on. The answer's mode is not one (`model` names this server). */
function extras(
  result: Omit<Verdict, "mode"> & Partial<Pick<ChatResponse, "contexts" | "suggestions">>,
): CompletionExtras {
  const { kind, citations, claims, grounded, degraded, contexts, suggestions } = result;
  return {
    kind,
    citations,
    claims,
    ...(contexts ? { contexts } : {}),
    grounded,
    ...(suggestions ? { suggestions } : {}),
    ...degradedField(degraded),
  };
}

/**
 * A streamed answer under a token cap: with a cap, text is shown a whole sentence at a time, and
 * only while the text shown so far fits; the rest waits for the end, where it is cut as the JSON
 * reply would be, unless a model wrote it (the model stopped at the cap itself, counting its own
 * tokens, so nothing is cut).
 */
class CappedText {
  full = "";
  shown = "";
  /** The text was cut short of the answer. */
  cut = false;
  /** A sentence went past the cap: nothing more is shown before the end. */
  private over = false;

  constructor(
    private readonly maxTokens: number | undefined,
    private readonly count: CountTokens | undefined,
  ) {}

  /** Takes a delta; returns the text to show now. */
  push(text: string): string {
    this.full += text;
    if (this.maxTokens === undefined || !this.count) return this.show(this.full.length);
    if (this.over) return "";
    let end = this.shown.length;
    for (const boundary of sentenceBoundaries(this.full, false)) {
      if (boundary <= end) continue;
      if (this.count(this.full.slice(0, boundary)) > this.maxTokens) {
        this.over = true;
        break;
      }
      end = boundary;
    }
    return this.show(end);
  }

  /**
   * The stream ended: everything when a model wrote it, else what fits (whole sentences, none when
   * not even the first one does).
   */
  end(byModel: boolean): string {
    if (this.maxTokens === undefined || !this.count || byModel) return this.show(this.full.length);
    const length = Math.max(capLength(this.full, this.maxTokens, this.count), this.shown.length);
    if (length < this.full.trimEnd().length) this.cut = true;
    return this.show(length);
  }

  private show(end: number): string {
    const next = this.full.slice(this.shown.length, end);
    this.shown += next;
    return next;
  }
}

export function modelsRoute() {
  return (_request: Request, response: Response) => {
    response.json({ object: "list", data: [{ id: modelId, object: "model", created: 0, owned_by: "interview-chat" }] });
  };
}

function text(content: CompletionRequest["messages"][number]["content"]): string {
  if (typeof content === "string") return content;
  if (!content) return "";
  return content.map((part) => (part.type === "text" && typeof part.text === "string" ? part.text : "")).join("");
}

/** The client's cap on the answer: `max_tokens` or its newer name, the smaller when both are sent. */
function tokenCap(body: CompletionRequest): number | undefined {
  const caps = [body.max_tokens, body.max_completion_tokens].filter((cap): cap is number => typeof cap === "number");
  return caps.length > 0 ? Math.min(...caps) : undefined;
}

function toChatRequest(body: CompletionRequest, knownSources: readonly string[] | undefined) {
  const turns = body.messages.filter((message) => message.role === "user" || message.role === "assistant");
  if (!turns.some((message) => message.role === "user")) {
    throw new BadRequestError(
      'messages: there is no user message; send the question as a message with role "user"',
      "invalid_request",
    );
  }
  const last = turns.at(-1)!;
  if (last.role !== "user")
    throw new BadRequestError("messages: the last user or assistant message must be from the user", "invalid_request");
  const history: ChatTurn[] = turns
    .slice(0, -1)
    .map((message) => ({ role: message.role as ChatTurn["role"], content: text(message.content) }));
  // The same limits as /api/chat: the most recent 20 turns are kept.
  const parsed = validate(chatRequestSchema, {
    message: text(last.content),
    history: history.slice(-20),
    ...(body.sources === undefined ? {} : { sources: body.sources }),
  });
  // `sources`, an extra parameter as on /api/chat, limits the question to some files of data/.
  const sources = checkSources(parsed.sources, knownSources);
  return { message: parsed.message, history: parsed.history, ...(sources ? { sources } : {}) };
}
