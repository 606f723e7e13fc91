import { chunkKey, type Chunk } from "../ingest/chunk-interview.js";
import type { VectorIndex } from "./vector-index.js";

// 2: chunks carry their file (`source`) and ids no longer take a "file:" prefix in a corpus of several files.
export const indexFormatVersion = 2;

export interface Manifest {
  formatVersion: number;
  builtAt: string;
  embedder: { id: string; dimensions: number };
  sources: Array<{ name: string; sha256: string }>;
  chunkCount: number;
  sentenceCount: number;
  /** sha256 of every file of the build, so a truncated or edited file is caught on load. */
  files: Record<string, string>;
}

/** Where a sentence lives: `chunks[chunk].sentences[sentence]`. */
export interface SentenceRef {
  chunk: number;
  sentence: number;
}

/** The loaded index: chunks with their sentences, and HNSW indexes over both. */
export interface SearchIndex {
  manifest: Manifest;
  chunks: Chunk[];
  chunkVectors: VectorIndex;
  /** Sentence-level vectors let retrieval and answers score single sentences without embedding them per query. */
  sentenceVectors: VectorIndex;
  sentenceRefs: SentenceRef[];
}

/** The vector index's id of a chunk's sentence. */
export function sentenceKey(chunk: Pick<Chunk, "source" | "id">, sentence: number): string {
  return `${chunkKey(chunk)}\u0000${sentence}`;
}

/** The vector index's ids of the sentences `refs` lists, in order. */
export function sentenceIds(chunks: Chunk[], refs: SentenceRef[]): string[] {
  return refs.map((ref) => sentenceKey(chunks[ref.chunk]!, ref.sentence));
}

/** Lists every sentence of every chunk in index order. */
export function listSentences(chunks: Chunk[]): SentenceRef[] {
  return chunks.flatMap((chunk, chunkIndex) => chunk.sentences.map((_, sentence) => ({ chunk: chunkIndex, sentence })));
}
