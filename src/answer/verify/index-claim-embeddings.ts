import type { Embedder } from "../../embed/embedder.js";
import { chunkKey, type Chunk } from "../../ingest/chunk-interview.js";
import type { SearchIndex } from "../../search-index/search-index.js";
import type { ClaimEmbeddings } from "./claim-support.js";

/**
 * Claims embedded by the query embedder (already loaded), compared with the sentence vectors the
 * index stores: checking a claim costs one embedding, however many passages it is compared with.
 */
export class IndexClaimEmbeddings implements ClaimEmbeddings {
  private readonly firstSentence = new Map<string, number>();

  constructor(
    private readonly embedder: Embedder,
    private readonly index: SearchIndex,
  ) {
    index.sentenceRefs.forEach((ref, label) => {
      if (ref.sentence === 0) this.firstSentence.set(chunkKey(index.chunks[ref.chunk]!), label);
    });
  }

  embed(text: string): Promise<number[]> {
    return this.embedder.embedQuery(text);
  }

  similarities(vector: number[], chunk: Chunk): number[] {
    const first = this.firstSentence.get(chunkKey(chunk));
    if (first === undefined) return chunk.sentences.map(() => 0);
    return this.index.sentenceVectors.similarities(
      vector,
      chunk.sentences.map((_, i) => first + i),
    );
  }
}
