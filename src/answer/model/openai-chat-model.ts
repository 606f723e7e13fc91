import type OpenAI from "openai";
import type { UpstreamError } from "../../errors.js";
import { toUpstreamError } from "../../openai-client.js";
import type { ChatModel, ChatModelPart, ChatModelRequest } from "./chat-model.js";

/**
 * A chat model behind any OpenAI-compatible server (OpenAI, Ollama, vLLM, LM Studio, llama.cpp's
 * server), through the official SDK: the only place the answerers meet it.
 */
export class OpenAiChatModel implements ChatModel {
  constructor(
    private readonly client: OpenAI,
    readonly id: string,
  ) {}

  get timeoutMs(): number {
    return this.client.timeout;
  }

  async stream(request: ChatModelRequest): Promise<AsyncIterable<ChatModelPart>> {
    const stream = await this.client.chat.completions.create(
      {
        model: this.id,
        messages: request.messages,
        stream: true,
        // The model's own token counts, in a last chunk: a client of /v1/chat/completions gets them.
        stream_options: { include_usage: true },
        temperature: 0,
        ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      },
      // The caller's signal also stops the SDK's retries; the timeout bounds each attempt.
      { signal: request.signal, timeout: request.timeoutMs },
    );
    return this.parts(stream);
  }

  async complete(request: ChatModelRequest): Promise<{ text: string; usage?: OpenAI.CompletionUsage }> {
    const completion = await this.client.chat.completions.create(
      { model: this.id, messages: request.messages, temperature: 0 },
      { signal: request.signal, timeout: request.timeoutMs },
    );
    const text = completion.choices[0]?.message?.content ?? "";
    return { text, ...(completion.usage ? { usage: completion.usage } : {}) };
  }

  toUpstreamError(error: unknown): UpstreamError {
    return toUpstreamError(error, this.client);
  }

  private async *parts(stream: AsyncIterable<OpenAI.ChatCompletionChunk> & { controller: AbortController }) {
    let done = false;
    try {
      for await (const chunk of stream) {
        if (chunk.usage) yield { type: "usage", usage: chunk.usage } satisfies ChatModelPart;
        const reason = chunk.choices[0]?.finish_reason;
        const text = chunk.choices[0]?.delta?.content;
        if (text) yield { type: "text", text } satisfies ChatModelPart;
        if (reason) yield { type: "finish", reason } satisfies ChatModelPart;
      }
      done = true;
    } catch (error) {
      done = true;
      yield { type: "error", error: this.toUpstreamError(error) } satisfies ChatModelPart;
    } finally {
      // The caller left early (a run-away answer, a client gone): the upstream stops writing.
      if (!done) stream.controller.abort();
    }
  }
}
