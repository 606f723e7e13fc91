import MiniSearch from "minisearch";
import type { Chunk } from "../ingest/chunk-interview.js";
import type { SentenceRef } from "../search-index/search-index.js";
import { isStopword, normalizeTerm, words } from "../text/tokenize.js";

export interface LexicalHit {
  /** Position in the list the index was built from. */
  label: number;
  score: number;
}

const searchOptions = {
  tokenize: (text: string) => words(text),
  processTerm: (term: string) => (isStopword(term) ? null : normalizeTerm(term)),
};

/**
 * BM25 rankings (MiniSearch) over chunks and over single sentences, with the same stemming and
 * stopwords as evidence scoring. Chunks are searched by their question header and their text.
 */
export class LexicalIndex {
  private readonly chunks: MiniSearch<{ id: number; section: string; text: string }>;
  private readonly sentences: MiniSearch<{ id: number; text: string }>;

  constructor(chunks: Chunk[], sentenceRefs: SentenceRef[]) {
    this.chunks = new MiniSearch({ fields: ["section", "text"], ...searchOptions });
    this.chunks.addAll(chunks.map((chunk, id) => ({ id, section: chunk.section, text: chunk.text })));
    this.sentences = new MiniSearch({ fields: ["text"], ...searchOptions });
    this.sentences.addAll(
      sentenceRefs.map((ref, id) => ({ id, text: chunks[ref.chunk]!.sentences[ref.sentence]!.text })),
    );
  }

  searchChunks(query: string, limit: number): LexicalHit[] {
    return this.chunks
      .search(query, { fuzzy: fuzziness, boost: { section: 0.5 }, combineWith: "OR" })
      .slice(0, limit)
      .map((hit) => ({ label: hit.id as number, score: hit.score }));
  }

  searchSentences(query: string, limit: number): LexicalHit[] {
    return this.sentences
      .search(query, { fuzzy: fuzziness, combineWith: "OR" })
      .slice(0, limit)
      .map((hit) => ({ label: hit.id as number, score: hit.score }));
  }
}

// Tolerates one typo in words of 5+ letters ("Mazhlis" / "Mazhilis"), none in short words or numbers.
function fuzziness(term: string): number {
  return term.length >= 5 && !/^\p{N}/u.test(term) ? 1 : 0;
}
