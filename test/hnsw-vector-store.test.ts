import { describe, expect, it } from "vitest";
import { HnswVectorStore } from "../src/search-index/hnsw-vector-store.js";
import { openIndex } from "../src/search-index/open-index.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { scratchProject } from "./support/corpus.js";

describe("HnswVectorStore", async () => {
  const project = await scratchProject();
  const embedder = new FakeEmbedder();
  const { index } = await openIndex({ ...project, embedder });
  const store = new HnswVectorStore(index, embedder);

  it("works as a LangChain retriever over the interview's chunks", async () => {
    const documents = await store.asRetriever(2).invoke("Latvian ports Liepaja Riga Ventspils export cargoes");
    expect(documents).toHaveLength(2);
    expect(documents[0]!.pageContent).toContain("Liepaja");
    const { chunkId, start, end } = documents[0]!.metadata;
    const chunk = index.chunks.find((candidate) => candidate.id === chunkId)!;
    expect([chunk.start, chunk.end]).toEqual([start, end]);
  });

  it("scores by cosine similarity, best first, and honours a metadata filter", async () => {
    const results = await store.similaritySearchWithScore(
      "Grammy Awards DJ",
      3,
      (metadata) => metadata.chunkId !== "q6",
    );
    expect(results).toHaveLength(3);
    expect(results.every(([document]) => document.metadata.chunkId !== "q6")).toBe(true);
    const scores = results.map(([, score]) => score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("refuses to add documents, pointing at the ingest command", async () => {
    await expect(store.addDocuments()).rejects.toThrow(/npm run ingest/);
  });
});
