import type { Logger } from "pino";
import { randomUUID } from "node:crypto";
import type { Request, Response } from "express";
import type { Answerer } from "../answer/types.js";
import { BadRequestError } from "../errors.js";
import type { ChatTurn } from "../retrieve/resolve-follow-up.js";
import { describeError } from "./describe-error.js";
import { checkSources } from "./chat-route.js";
import { abortOnDisconnect, openEventStream } from "./event-stream.js";
import { chatRequestSchema, completionRequestSchema, verdictToWire, type CompletionRequest } from "../contract/index.js";
import { validate } from "./validate.js";
import type { Insights } from "../insights/insights.js";
import { startTurn } from "./insights-routes.js";

export const modelId = "interview-chat";

/**
 * `POST /v1/chat/completions` for existing OpenAI clients and chat UIs: the last user message is
 * the question, earlier user and assistant messages the history. Citations ride along as `[n]`
 * markers in the content and in an extra `citations` field.
 */
export function completionsRoute(answerer: Answerer, heartbeatMs: number, insights?: Insights, knownSources?: readonly string[]) {
  return async (request: Request, response: Response) => {
    const body = validate(completionRequestSchema, request.body);
    const chatRequest = toChatRequest(body, knownSources);
    const signal = abortOnDisconnect(response);
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const base = { id, created, model: modelId };
    // The completion's id is the reply's id: feedback and the insights know it by this.
    const turn = startTurn(insights, request, chatRequest.message, id);
    if (!body.stream) {
      const result = await answerer.answer(chatRequest, { signal, logger: response.locals.logger as Logger | undefined, onStandalone: turn.noteStandalone });
      response.json({
        ...base,
        object: "chat.completion",
        choices: [{ index: 0, message: { role: "assistant", content: result.answer }, finish_reason: "stop", logprobs: null }],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        kind: result.kind,
        citations: result.citations,
        claims: result.claims,
        contexts: result.contexts,
        grounded: result.grounded,
        suggestions: result.suggestions,
        ...(result.degraded ? { degraded: true } : {}),
      });
      turn.finish(result);
      return;
    }
    const events = openEventStream(response, heartbeatMs);
    const chunk = (delta: object, extra: object = {}, finish: string | null = null) =>
      events.send(null, { ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...extra });
    try {
      chunk({ role: "assistant", content: "" });
      let extra: object | undefined;
      for await (const event of answerer.stream(chatRequest, { signal, logger: response.locals.logger as Logger | undefined, onStandalone: turn.noteStandalone })) {
        if (signal.aborted) return;
        turn.see(event);
        if (event.type === "delta") chunk({ content: event.text });
        if (event.type === "citations") {
          // The completion's own `model` names this server; the answer's mode is not an OpenAI field.
          const { mode: _mode, ...verdict } = verdictToWire(event);
          extra = verdict;
        }
        if (event.type === "suggestions") extra = { ...extra, suggestions: event.suggestions };
      }
      // The last chunk carries the verdict and the suggestions, as extra fields beside finish_reason.
      if (extra) chunk({}, extra, "stop");
      events.sendRaw("[DONE]");
      turn.done();
    } catch (error) {
      if (signal.aborted) return;
      const { body: failure } = describeError(error);
      events.send(null, { error: { message: failure.message, type: failure.code, code: failure.code } });
    } finally {
      events.end();
    }
  };
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

function toChatRequest(body: CompletionRequest, knownSources: readonly string[] | undefined) {
  const turns = body.messages.filter((message) => message.role === "user" || message.role === "assistant");
  const last = turns.at(-1);
  if (!last || last.role !== "user") throw new BadRequestError("messages: the last user or assistant message must be from the user", "invalid_request");
  const history: ChatTurn[] = turns.slice(0, -1).map((message) => ({ role: message.role as ChatTurn["role"], content: text(message.content) }));
  // The same limits as /api/chat: the most recent 20 turns are kept.
  const parsed = validate(chatRequestSchema, { message: text(last.content), history: history.slice(-20), ...(body.sources === undefined ? {} : { sources: body.sources }) });
  // `sources`, an extra parameter as on /api/chat, limits the question to some files of data/.
  const sources = checkSources(parsed.sources, knownSources);
  return { message: parsed.message, history: parsed.history, ...(sources ? { sources } : {}) };
}
