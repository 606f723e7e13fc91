import path from "node:path";
import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import { LlmAnswerer } from "../src/answer/llm/llm-answerer.js";
import { loadPrompts } from "../src/answer/llm/load-prompts.js";
import { createOpenAiClient } from "../src/openai-client.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../src/search-index/open-index.js";
import { projectRoot, scratchProject } from "./support/corpus.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { FakeOpenAiServer } from "./support/fake-openai-server.js";
import { collect, serve, tokens } from "./support/openai-client.js";
import { OpenAiChatModel } from "../src/answer/model/openai-chat-model.js";

type Extras = {
  citations: Array<{ n: number; source: string; quote: string }>;
  claims: Array<{ end: number }>;
  grounded: boolean;
};
// OpenAI's count for chat prompts: 3 tokens of framing a message, its role and content, 3 to prime the reply.
const promptTokens = (messages: Array<{ role: string; content: string }>) =>
  messages.reduce((sum, m) => sum + 3 + tokens(m.role) + tokens(m.content), 3);

let extractive: ExtractiveAnswerer;
let retriever: HybridRetriever;

beforeAll(async () => {
  const embedder = new FakeEmbedder();
  const opened = await openIndex({ ...(await scratchProject()), embedder });
  retriever = new HybridRetriever(opened.index, embedder);
  extractive = new ExtractiveAnswerer({ retriever, interviews: opened.interviews, chunks: opened.index.chunks });
});

describe("/v1/chat/completions, extractive, through the openai client", () => {
  let served: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => (served = await serve(extractive)));
  afterAll(() => served.app.close());
  const messages = [
    { role: "system" as const, content: "You are a helpful assistant." },
    { role: "user" as const, content: "Summarize the interview" },
  ];

  it("counts usage in tokens: the messages as the prompt, the answer as the completion", async () => {
    const completion = await served.client.chat.completions.create({ model: "interview-chat", messages });
    const content = completion.choices[0]!.message.content!;
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(content.length).toBeGreaterThan(100);
    expect(completion.usage).toEqual({
      prompt_tokens: promptTokens(messages),
      completion_tokens: tokens(content),
      total_tokens: promptTokens(messages) + tokens(content),
    });
  });

  it("streams the usage in a last chunk with no choices only when include_usage asks for it", async () => {
    const whole = await served.client.chat.completions.create({ model: "interview-chat", messages });
    const withUsage = await collect(
      await served.client.chat.completions.create({
        model: "interview-chat",
        messages,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(withUsage.content).toBe(whole.choices[0]!.message.content);
    const last = withUsage.chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(whole.usage);
    expect(withUsage.chunks.slice(0, -1).every((chunk) => chunk.usage === null && chunk.choices.length === 1)).toBe(
      true,
    );

    const without = await collect(
      await served.client.chat.completions.create({ model: "interview-chat", messages, stream: true }),
    );
    expect(without.content).toBe(whole.choices[0]!.message.content);
    expect(without.chunks.every((chunk) => chunk.choices.length === 1 && chunk.usage === undefined)).toBe(true);
  });

  it("cuts the answer after its last whole sentence within max_tokens, with finish_reason length, the same streamed or not", async () => {
    const whole = (await served.client.chat.completions.create({ model: "interview-chat", messages })).choices[0]!
      .message.content!;
    for (const cap of [25, 60]) {
      const capped = await served.client.chat.completions.create({
        model: "interview-chat",
        messages,
        max_tokens: cap,
      });
      const content = capped.choices[0]!.message.content!;
      expect(capped.choices[0]!.finish_reason).toBe("length");
      expect(tokens(content)).toBeLessThanOrEqual(cap);
      expect(content.length).toBeGreaterThan(0);
      expect(whole.startsWith(content)).toBe(true);
      // At a sentence boundary: the cut text ends a sentence (and its markers) of the whole answer.
      expect(content).toMatch(/[.!?:"”)]( \[\d+\])*$/);
      expect(capped.usage!.completion_tokens).toBe(tokens(content));
      // Only the citations its markers still point to, and the claims that end within it.
      const extras = capped as unknown as Extras;
      for (const citation of extras.citations) expect(content).toContain(`[${citation.n}]`);
      for (const claim of extras.claims) expect(claim.end).toBeLessThanOrEqual(content.length);

      const streamed = await collect(
        await served.client.chat.completions.create({
          model: "interview-chat",
          messages,
          max_tokens: cap,
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
      expect(streamed.content).toBe(content);
      expect(streamed.finish).toBe("length");
      expect(streamed.chunks.at(-1)!.usage).toEqual(capped.usage);
    }
    // max_completion_tokens is the same cap; a cap the answer fits in changes nothing.
    const newer = await served.client.chat.completions.create({
      model: "interview-chat",
      messages,
      max_completion_tokens: 25,
    });
    expect(newer.choices[0]!.finish_reason).toBe("length");
    const roomy = await served.client.chat.completions.create({ model: "interview-chat", messages, max_tokens: 4000 });
    expect(roomy.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: whole } });
  });

  it("refuses a request with no user message with a 400 that says so", async () => {
    const failure = await served.client.chat.completions
      .create({ model: "interview-chat", messages: [{ role: "system", content: "Be brief." }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect((failure as APIError).message).toMatch(/no user message/);
    const assistantLast = await served.client.chat.completions
      .create({
        model: "interview-chat",
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello" },
        ],
      })
      .catch((error: unknown) => error);
    expect((assistantLast as APIError).status).toBe(400);
    expect((assistantLast as APIError).message).toMatch(/last user or assistant message must be from the user/);
  });
});

describe("/v1/chat/completions with an LLM, through the openai client", () => {
  let upstream: FakeOpenAiServer;
  let served: Awaited<ReturnType<typeof serve>>;
  const question = "Which Latvian ports receive Kazakh export cargo?";
  const reply = "Export cargoes go to Liepaja, Riga and Ventspils [1]. They also take the Middle Corridor [1].";

  beforeAll(async () => {
    upstream = await new FakeOpenAiServer().start();
    upstream.chat = { reply };
    upstream.promptTokens = 321;
    upstream.honorMaxTokens = true;
    const llm = new LlmAnswerer({
      model: new OpenAiChatModel(
        createOpenAiClient({ apiKey: "test-key", baseURL: upstream.baseURL, timeoutMs: 5_000, maxRetries: 0 }),
        "fake",
      ),
      prompts: await loadPrompts(path.join(projectRoot, "prompts")),
      retriever,
      fallback: extractive,
      maxTokens: 600,
    });
    served = await serve(llm);
  });
  afterAll(async () => {
    await served.app.close();
    await upstream.stop();
  });
  const ask = { model: "interview-chat", messages: [{ role: "user" as const, content: question }] };
  const lastAnswerRequest = () => upstream.requests.filter((request) => request.body.stream === true).at(-1)!.body;

  it("passes the model's own usage on, asking the model for it, streamed or not", async () => {
    const completion = await served.client.chat.completions.create(ask);
    const words = reply.split(/\s+/).length;
    expect(completion.usage).toEqual({ prompt_tokens: 321, completion_tokens: words, total_tokens: 321 + words });
    expect(lastAnswerRequest()).toMatchObject({ stream_options: { include_usage: true }, max_tokens: 600 });

    const streamed = await collect(
      await served.client.chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } }),
    );
    expect(streamed.content).toBe(completion.choices[0]!.message.content);
    expect(streamed.chunks.at(-1)).toMatchObject({ choices: [], usage: completion.usage });
  });

  it("sends max_tokens to the model, and says length when the model stopped there", async () => {
    const completion = await served.client.chat.completions.create({ ...ask, max_tokens: 9 });
    expect(lastAnswerRequest()).toMatchObject({ max_tokens: 9 });
    expect(completion.choices[0]!.finish_reason).toBe("length");
    expect(completion.usage).toMatchObject({ prompt_tokens: 321, completion_tokens: 9 });
    expect(completion.choices[0]!.message.content).toBe("Export cargoes go to Liepaja, Riga and Ventspils [1].");

    const streamed = await collect(
      await served.client.chat.completions.create({ ...ask, max_completion_tokens: 9, stream: true }),
    );
    expect(lastAnswerRequest()).toMatchObject({ max_tokens: 9 });
    expect(streamed.finish).toBe("length");
    expect(streamed.content).toBe("Export cargoes go to Liepaja, Riga and Ventspils [1].");
  });
});
