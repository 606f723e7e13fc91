import { Tiktoken } from "js-tiktoken/lite";
import cl100k from "js-tiktoken/ranks/cl100k_base";
import OpenAI from "openai";
import type { Answerer } from "../../src/answer/types.js";
import { startApp } from "./http.js";

// The official client, as any OpenAI-compatible chat UI talks to the app on 127.0.0.1.
export async function serve(answerer: Answerer) {
  const app = await startApp({ answerer, protection: { rateLimitPerMinute: 0 } });
  const client = new OpenAI({ apiKey: "unused", baseURL: `${app.url}/v1`, maxRetries: 0 });
  return { app, client };
}

/** A streamed completion's chunks, its content joined, and its finish_reason. */
export async function collect(stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>) {
  const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const content = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? "").join("");
  const finish = chunks.map((chunk) => chunk.choices[0]?.finish_reason).find((reason) => reason);
  return { chunks, content, finish };
}

const encoder = new Tiktoken(cl100k);
/** cl100k_base tokens, as the server counts an answer no model wrote. */
export const tokens = (text: string) => encoder.encode(text).length;
