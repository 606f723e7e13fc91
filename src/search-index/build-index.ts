import type { Embedder } from "../embed/embedder.js";
import { IndexBuildError } from "../errors.js";
import { chunkInterviews, chunkKey, searchText, type Chunk } from "../ingest/chunk-interview.js";
import type { SourceFile } from "../ingest/load-corpus.js";
import type { ParsedInterview } from "../ingest/parse-interview.js";
import { hnswIndexKind } from "./hnsw-index.js";
import { indexFormatVersion, listSentences, sentenceIds, type SearchIndex } from "./search-index.js";
import type { VectorIndexKind } from "./vector-index.js";

export interface BuildOptions {
  maxChunkChars?: number;
  now?: () => Date;
  /** The vector index to build (create-assistant.ts chooses it); hnswlib by default. */
  vectorIndex?: VectorIndexKind;
}

/** Chunks the parsed interviews and embeds chunks and sentences into an in-memory index. */
export async function buildIndex(
  interviews: ParsedInterview[],
  embedder: Embedder,
  options: BuildOptions = {},
): Promise<SearchIndex> {
  const chunks: Chunk[] = chunkInterviews(interviews, { maxChars: options.maxChunkChars });
  const sentenceRefs = listSentences(chunks);
  const texts = [
    ...chunks.map(searchText),
    ...sentenceRefs.map((ref) => chunks[ref.chunk]!.sentences[ref.sentence]!.text),
  ];
  const vectors = await embedder.embedDocuments(texts);
  const dimensions = vectors[0]?.length ?? 0;
  if (vectors.length !== texts.length || dimensions === 0) {
    throw new IndexBuildError(`Embedder ${embedder.id} returned ${vectors.length} vectors for ${texts.length} texts`);
  }
  const kind = options.vectorIndex ?? hnswIndexKind;
  return {
    manifest: {
      formatVersion: indexFormatVersion,
      builtAt: (options.now?.() ?? new Date()).toISOString(),
      embedder: { id: embedder.id, dimensions },
      sources: describeSources(interviews.map((interview) => interview.source)),
      chunkCount: chunks.length,
      sentenceCount: sentenceRefs.length,
      files: {},
    },
    chunks,
    chunkVectors: kind.build(
      chunks.map((chunk, i) => ({ id: chunkKey(chunk), vector: vectors[i]! })),
      dimensions,
    ),
    sentenceVectors: kind.build(
      sentenceIds(chunks, sentenceRefs).map((id, i) => ({ id, vector: vectors[chunks.length + i]! })),
      dimensions,
    ),
    sentenceRefs,
  };
}

export function describeSources(sources: SourceFile[]): Array<{ name: string; sha256: string }> {
  return sources.map((source) => ({ name: source.name, sha256: source.sha256 }));
}
