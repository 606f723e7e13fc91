/**
 * The seam between the index and the store of vectors: hnswlib in a file beside the chunks is the
 * first adapter (hnsw-index.ts); a server-side store (pgvector, Qdrant) is another implementation of
 * these two interfaces, chosen in create-assistant.ts.
 */

export interface VectorHit {
  /** The item's id, as given when the index was built (a chunk's or a sentence's key). */
  id: string;
  /** Cosine similarity to the query, in [-1, 1]. */
  similarity: number;
}

export interface VectorIndex {
  readonly dimensions: number;
  readonly size: number;
  /** The `k` nearest items, most similar first. */
  search(query: number[], k: number): Promise<VectorHit[]>;
  /**
   * Cosine similarities between `query` and the stored items `ids`, in order (0 for an id not held).
   * Synchronous: scoring a passage's sentences reads a few dozen vectors per question, which every
   * adapter keeps in memory (a remote store caches the vectors of the items it returns).
   */
  similarities(query: number[], ids: readonly string[]): number[];
  /** Saves the index to `file` (the adapter's own format). */
  write(file: string): Promise<void>;
}

/** How an index of one kind is built, saved and read back. */
export interface VectorIndexKind {
  /** The adapter's name ("hnswlib"). */
  readonly name: string;
  build(items: ReadonlyArray<{ id: string; vector: number[] }>, dimensions: number): VectorIndex;
  /** @throws IndexUnusableError("corrupt") when the file does not hold `ids.length` vectors of `dimensions`. */
  read(file: string, ids: readonly string[], dimensions: number): Promise<VectorIndex>;
  /** The dimensions a saved file holds, read from its bytes (a manifest that disagrees is corrupt). */
  storedDimensions(bytes: Buffer): number;
}

export function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(dot(vector, vector));
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
