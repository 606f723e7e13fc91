import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Tiktoken } from "js-tiktoken/lite";
import cl100k from "js-tiktoken/ranks/cl100k_base";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import { LlmAnswerer } from "../src/answer/llm/llm-answerer.js";
import { loadPrompts } from "../src/answer/llm/load-prompts.js";
import { OpenAiChatModel } from "../src/answer/model/openai-chat-model.js";
import type { Answerer } from "../src/answer/types.js";
import { Insights } from "../src/insights/insights.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../src/search-index/open-index.js";
import { projectRoot, scratchProject } from "./support/corpus.js";
import { FakeAnswerer } from "./support/fake-answerer.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { FakeOpenAiServer } from "./support/fake-openai-server.js";
import { silentLogger, startApp } from "./support/http.js";

// /v1/chat/completions through the official openai client, as a chat UI talks to it.
const encoder = new Tiktoken(cl100k);
const tokens = (text: string) => encoder.encode(text).length;

let extractive: ExtractiveAnswerer;
let retriever: HybridRetriever;
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  const embedder = new FakeEmbedder();
  const opened = await openIndex({ ...(await scratchProject()), embedder });
  retriever = new HybridRetriever(opened.index, embedder);
  extractive = new ExtractiveAnswerer({ retriever, interviews: opened.interviews, chunks: opened.index.chunks });
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function serve(answerer: Answerer, insights?: Insights) {
  const app = await startApp({ answerer, insights, protection: { rateLimitPerMinute: 0 } });
  closers.push(() => app.close());
  return new OpenAI({ apiKey: "unused", baseURL: `${app.url}/v1`, maxRetries: 0 });
}

async function collect(stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>) {
  const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const content = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? "").join("");
  const finish = chunks.map((chunk) => chunk.choices[0]?.finish_reason).find((reason) => reason);
  return { chunks, content, finish };
}

describe("a request that sends both max_tokens and max_completion_tokens", () => {
  // Issue item T26: the smaller cap holds, whichever field holds it.
  const messages = [{ role: "user" as const, content: "Summarize the interview" }];

  it("is capped at the smaller of the two, with finish_reason length, streamed or not", async () => {
    const client = await serve(extractive);
    const whole = (await client.chat.completions.create({ model: "interview-chat", messages })).choices[0]!.message
      .content!;
    // The answer fits in the larger cap: only the smaller one can cut it.
    expect(tokens(whole)).toBeLessThanOrEqual(500);
    for (const caps of [
      { max_tokens: 5, max_completion_tokens: 500 },
      { max_tokens: 500, max_completion_tokens: 5 },
    ]) {
      const capped = await client.chat.completions.create({ model: "interview-chat", messages, ...caps });
      const content = capped.choices[0]!.message.content!;
      expect(capped.choices[0]!.finish_reason, JSON.stringify(caps)).toBe("length");
      expect(tokens(content), JSON.stringify(caps)).toBeLessThanOrEqual(5);
      // Whole sentences only: at 5 tokens not even the first fits, so nothing is sent.
      expect(whole.startsWith(content)).toBe(true);

      const streamed = await collect(
        await client.chat.completions.create({ model: "interview-chat", messages, ...caps, stream: true }),
      );
      expect(streamed.finish, JSON.stringify(caps)).toBe("length");
      expect(streamed.content).toBe(content);
    }
  });
});

describe("a long conversation on /v1/chat/completions", () => {
  // Issue item T27: as on /api/chat, the most recent 20 turns are kept, not the oldest.
  let upstream: FakeOpenAiServer;
  beforeAll(async () => (upstream = await new FakeOpenAiServer().start()));
  afterAll(() => upstream.stop());

  it("condenses the question with the most recent 20 turns of 24: the turn just before it is in the prompt, the first four are not", async () => {
    upstream.chat = {
      reply: (sent) =>
        sent[0]!.content.includes("standalone question")
          ? "Which Latvian ports receive Kazakh export cargo?"
          : "Export cargoes go to Liepaja, Riga and Ventspils [1].",
    };
    const llm = new LlmAnswerer({
      model: new OpenAiChatModel(
        new OpenAI({ apiKey: "test-key", baseURL: upstream.baseURL, timeout: 5_000, maxRetries: 0 }),
        "fake-model",
      ),
      prompts: await loadPrompts(path.join(projectRoot, "prompts")),
      retriever,
      fallback: extractive,
    });
    const client = await serve(llm);
    // 25 turns, numbered from 1: 24 of history, user and assistant in turn, then the question.
    const history = Array.from({ length: 24 }, (_, i) =>
      i % 2 === 0
        ? { role: "user" as const, content: `Question number ${i + 1} about cargo?` }
        : { role: "assistant" as const, content: `Answer number ${i + 1} about cargo.` },
    );
    const completion = await client.chat.completions.create({
      model: "interview-chat",
      messages: [...history, { role: "user", content: "And which ports?" }],
    });
    expect(completion.choices[0]!.message.content).toBe("Export cargoes go to Liepaja, Riga and Ventspils [1].");
    const condense = upstream.requests.find((request) => request.body.stream !== true)!;
    const prompt = (condense.body.messages as Array<{ content: string }>).map((message) => message.content).join("\n");
    expect(prompt).toContain("Answer number 24 about cargo.");
    expect(prompt).toContain("Question number 5 about cargo?");
    for (const early of [1, 2, 3, 4]) expect(prompt).not.toMatch(new RegExp(`number ${early} about`));
  });
});

describe("the record of /v1 completions", () => {
  // Issue item T28: a streamed completion is recorded as a JSON one is, under the completion's id.
  it("records a streamed completion under the id its chunks carry", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "insights-"));
    closers.push(() => rmSync(folder, { recursive: true, force: true }));
    const insights = Insights.open(
      { file: path.join(folder, "insights.sqlite") },
      { logger: silentLogger, flushMs: 5 },
    );
    closers.push(() => insights.close());
    const client = await serve(new FakeAnswerer(), insights);

    const streamed = await collect(
      await client.chat.completions.create({
        model: "interview-chat",
        messages: [{ role: "user", content: "Trade?" }],
        stream: true,
      }),
    );
    expect(streamed.content).toBe("You asked: Trade? [1]");
    const ids = new Set(streamed.chunks.map((chunk) => chunk.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(id).toMatch(/^chatcmpl-/);
    expect(await insights.hasTurn(id!)).toBe(true);

    const whole = await client.chat.completions.create({
      model: "interview-chat",
      messages: [{ role: "user", content: "Trade?" }],
    });
    expect(await insights.hasTurn(whole.id)).toBe(true);
  });
});
