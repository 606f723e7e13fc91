import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAiEmbeddings } from "../src/embed/openai-embeddings.js";
import { CachedQueryEmbeddings } from "../src/embed/cached-embeddings.js";
import { UpstreamError } from "../src/errors.js";
import { openIndex } from "../src/search-index/open-index.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { FakeOpenAiServer, hashVector } from "./support/fake-openai-server.js";
import { scratchProject } from "./support/corpus.js";

let upstream: FakeOpenAiServer;
beforeAll(async () => {
  upstream = await new FakeOpenAiServer().start();
});
afterAll(() => upstream.stop());

const embeddings = (options: Partial<ConstructorParameters<typeof OpenAiEmbeddings>[0]> = {}) =>
  new OpenAiEmbeddings({ apiKey: "test-key", baseURL: upstream.baseURL, maxRetries: 0, ...options });

describe("OpenAiEmbeddings against an OpenAI-compatible server", () => {
  it("embeds documents in batches, in input order, with the configured model and key", async () => {
    upstream.requests.length = 0;
    const texts = ["alpha", "beta gamma", "delta", "epsilon", "zeta"];
    const vectors = await embeddings({ batchSize: 2, model: "text-embedding-3-small" }).embedDocuments(texts);
    expect(vectors).toEqual(texts.map((text) => hashVector(text, 16)));
    expect(upstream.requests.map((request) => (request.body.input as string[]).length)).toEqual([2, 2, 1]);
    expect(upstream.requests[0]).toMatchObject({
      path: "/v1/embeddings",
      body: { model: "text-embedding-3-small" },
      authorization: "Bearer test-key",
    });
  });

  it("names the model in its id, so a change of model makes the index stale", () => {
    expect(embeddings({ model: "nomic-embed-text" }).id).toBe("openai:nomic-embed-text");
  });

  it("turns a server error into a retryable UpstreamError", async () => {
    upstream.faults.push("500");
    const error = await embeddings()
      .embedQuery("anything")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ isRetryable: true });
  });

  it("builds a working index through the server", async () => {
    const project = await scratchProject();
    const embedder = new CachedQueryEmbeddings(embeddings(), { maxEntries: 10 });
    const opened = await openIndex({ ...project, embedder });
    expect(opened.index.manifest.embedder).toEqual({ id: "openai:text-embedding-3-small", dimensions: 16 });
    const retrieval = await new HybridRetriever(opened.index, embedder).retrieve(
      "Which Latvian ports receive export cargo?",
    );
    expect(retrieval.passages[0]!.chunk.text).toContain("Liepaja");
  });
});

describe("CachedQueryEmbeddings", () => {
  it("embeds a repeated query once, and forgets the least recently used beyond its bound", async () => {
    upstream.requests.length = 0;
    const cached = new CachedQueryEmbeddings(embeddings(), { maxEntries: 2 });
    await cached.embedQuery("one");
    await cached.embedQuery("one");
    await Promise.all([cached.embedQuery("two"), cached.embedQuery("two")]);
    await cached.embedQuery("three");
    await cached.embedQuery("one");
    expect(upstream.requests.map((request) => (request.body.input as string[])[0])).toEqual([
      "one",
      "two",
      "three",
      "one",
    ]);
  });

  it("does not cache a failure", async () => {
    const cached = new CachedQueryEmbeddings(embeddings(), { maxEntries: 2 });
    upstream.faults.push("500");
    await expect(cached.embedQuery("flaky")).rejects.toThrow(UpstreamError);
    await expect(cached.embedQuery("flaky")).resolves.toHaveLength(16);
  });
});
