import { Document } from "@langchain/core/documents";
import { VectorStore } from "@langchain/core/vectorstores";
import type { Embedder } from "../embed/embedder.js";
import { ReadOnlyIndexError } from "../errors.js";
import type { SearchIndex } from "./search-index.js";

export interface ChunkMetadata {
  chunkId: string;
  docId: string;
  section: string;
  start: number;
  end: number;
}

/**
 * The saved chunk index as a LangChain `VectorStore`, so it plugs into LangChain chains as a
 * retriever (`store.asRetriever(k)`). Dense search only; the app's own retriever adds BM25 and
 * sentence-level rankings. Read-only: the index is built from `data/` by `npm run ingest`.
 */
export class HnswVectorStore extends VectorStore {
  declare FilterType: (metadata: ChunkMetadata) => boolean;

  constructor(
    private readonly index: SearchIndex,
    embeddings: Embedder,
  ) {
    super(embeddings, {});
  }

  _vectorstoreType(): string {
    return "interview-chat-hnsw";
  }

  override async addVectors(): Promise<void> {
    throw new ReadOnlyIndexError();
  }

  override async addDocuments(): Promise<void> {
    throw new ReadOnlyIndexError();
  }

  /** Chunks nearest the query vector, with cosine similarity (higher is closer). */
  override async similaritySearchVectorWithScore(
    query: number[],
    k: number,
    filter?: this["FilterType"],
  ): Promise<[Document<ChunkMetadata>, number][]> {
    const depth = filter ? this.index.chunks.length : k;
    return this.index.chunkVectors
      .search(query, depth)
      .map(({ label, similarity }): [Document<ChunkMetadata>, number] => {
        const chunk = this.index.chunks[label]!;
        const metadata = {
          chunkId: chunk.id,
          docId: chunk.docId,
          section: chunk.section,
          start: chunk.start,
          end: chunk.end,
        };
        return [new Document({ pageContent: chunk.text, metadata, id: chunk.id }), similarity];
      })
      .filter(([document]) => !filter || filter(document.metadata))
      .slice(0, k);
  }
}
