import path from "node:path";
import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import { LlmAnswerer } from "../src/answer/llm/llm-answerer.js";
import { loadPrompts } from "../src/answer/llm/load-prompts.js";
import { OpenAiEmbeddings } from "../src/embed/openai-embeddings.js";
import { UpstreamError } from "../src/errors.js";
import { createLogger } from "../src/logger.js";
import { createOpenAiClient, toUpstreamError } from "../src/openai-client.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../src/search-index/open-index.js";
import { projectRoot, scratchProject } from "./support/corpus.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { FakeOpenAiServer } from "./support/fake-openai-server.js";
import { postJson, startApp } from "./support/http.js";
import { OpenAiChatModel } from "../src/answer/model/openai-chat-model.js";

const secretKey = "sk-test-Rd7Hq2Lp9Wx4Mz6Nb8Vc1Kj3";

// Two servers on 127.0.0.1: the configured upstream answers 307 to the other, which must never be asked.
let upstream: FakeOpenAiServer;
let elsewhere: FakeOpenAiServer;

beforeAll(async () => {
  upstream = await new FakeOpenAiServer().start();
  elsewhere = await new FakeOpenAiServer().start();
});
afterAll(async () => {
  await upstream.stop();
  await elsewhere.stop();
});

function redirectNext(count: number, endpoint: string) {
  upstream.requests.length = 0;
  elsewhere.requests.length = 0;
  upstream.faults.length = 0;
  upstream.redirectTo = `${elsewhere.baseURL}/${endpoint}`;
  for (let i = 0; i < count; i++) upstream.faults.push("redirect");
}

describe("createOpenAiClient", () => {
  it("does not follow a redirect, nor retry it: the prompt goes to the configured server only", async () => {
    redirectNext(3, "chat/completions");
    const client = createOpenAiClient({
      apiKey: secretKey,
      baseURL: upstream.baseURL,
      timeoutMs: 2_000,
      maxRetries: 2,
    });
    const failure = await client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "the prompt" }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as APIError).status).toBe(307);
    expect(upstream.requests).toHaveLength(1);
    expect(elsewhere.requests).toEqual([]);

    const reported = toUpstreamError(failure, client);
    expect(reported).toMatchObject({ code: "upstream_error", status: 502, isRetryable: false });
    expect(reported.message).toBe("The language model answered 307 (a redirect, not followed)");
  });

  it("scrubs the key from what an upstream said, keeping it only in the cause, for the log", async () => {
    upstream.faults.length = 0;
    upstream.faults.push("401-secret");
    const client = createOpenAiClient({
      apiKey: secretKey,
      baseURL: upstream.baseURL,
      timeoutMs: 2_000,
      maxRetries: 0,
    });
    const failure = await client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "q" }] })
      .catch((error: unknown) => error);
    expect(String((failure as Error).message)).toContain(secretKey.slice(3, 12)); // what the upstream said, before scrubbing
    const reported = toUpstreamError(failure, client);
    expect(reported.message).toBe("The language model answered 401");
    expect(
      JSON.stringify({
        message: reported.message,
        cause: String(reported.cause),
        stack: (reported.cause as Error).stack,
      }),
    ).not.toContain(secretKey.slice(3, 12));
  });

  it("is the embeddings' client too: a redirect is an UpstreamError and the other server hears nothing", async () => {
    redirectNext(3, "embeddings");
    const embeddings = new OpenAiEmbeddings({ apiKey: secretKey, baseURL: upstream.baseURL, maxRetries: 2 });
    const failure = await embeddings.embedQuery("the question").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).message).toBe("The embedding server answered 307 (a redirect, not followed)");
    expect(upstream.requests).toHaveLength(1);
    expect(elsewhere.requests).toEqual([]);
  });
});

describe("an upstream that redirects, seen over HTTP", () => {
  it("gets the client the fixed error message (or the degraded answer) and the prompt never leaves", async () => {
    const embedder = new FakeEmbedder();
    const opened = await openIndex({ ...(await scratchProject()), embedder });
    const retriever = new HybridRetriever(opened.index, embedder);
    const extractive = new ExtractiveAnswerer({
      retriever,
      interviews: opened.interviews,
      chunks: opened.index.chunks,
    });
    const prompts = await loadPrompts(path.join(projectRoot, "prompts"));
    const lines: string[] = [];
    const logger = createLogger("debug", { write: (line: string) => void lines.push(line) }, [secretKey]);
    const answerer = (onFailure: "error" | "degrade") =>
      new LlmAnswerer({
        model: new OpenAiChatModel(
          createOpenAiClient({ apiKey: secretKey, baseURL: upstream.baseURL, timeoutMs: 2_000, maxRetries: 2 }),
          "fake",
        ),
        prompts,
        retriever,
        fallback: extractive,
        onFailure,
        logger,
      });
    const question = { message: "Which Latvian ports receive Kazakh export cargo?" };

    const strict = await startApp({ answerer: answerer("error"), logger });
    try {
      redirectNext(3, "chat/completions");
      const response = await postJson(`${strict.url}/api/chat`, question);
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({
        error: { code: "upstream_error", message: "The language model failed to answer; try again shortly" },
      });
      expect(upstream.requests).toHaveLength(1);
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await strict.close();
    }

    const lenient = await startApp({ answerer: answerer("degrade"), logger });
    try {
      redirectNext(3, "chat/completions");
      const response = await postJson(`${lenient.url}/api/chat`, question);
      expect(response.status).toBe(200);
      const reply = (await response.json()) as {
        degraded?: boolean;
        mode: string;
        citations: Array<{ source: string }>;
      };
      expect(reply).toMatchObject({ degraded: true, mode: "extractive" });
      expect(reply.citations.length).toBeGreaterThan(0);
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await lenient.close();
    }
    // The log says what happened, and never the key.
    expect(lines.some((line) => line.includes("307"))).toBe(true);
    for (const line of lines) expect(line).not.toContain(secretKey.slice(3));
  });
});
