import type { Embedder } from "../../embed/embedder.js";
import type { Chunk } from "../../ingest/chunk-interview.js";
import { sentenceKey, type SearchIndex } from "../../search-index/search-index.js";
import type { ClaimEmbeddings } from "./claim-support.js";

/**
 * Claims embedded by the query embedder (already loaded), compared with the sentence vectors the
 * index stores: checking a claim costs one embedding, however many passages it is compared with.
 */
export class IndexClaimEmbeddings implements ClaimEmbeddings {
  constructor(
    private readonly embedder: Embedder,
    private readonly index: SearchIndex,
  ) {}

  embed(text: string): Promise<number[]> {
    return this.embedder.embedQuery(text);
  }

  similarities(vector: number[], chunk: Chunk): number[] {
    return this.index.sentenceVectors.similarities(
      vector,
      chunk.sentences.map((_, i) => sentenceKey(chunk, i)),
    );
  }
}
