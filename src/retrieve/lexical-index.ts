import type { Chunk } from "../ingest/chunk-interview.js";
import type { SentenceRef } from "../search-index/search-index.js";
import { isStopword, normalizeTerm, words } from "../text/tokenize.js";
import { Bm25Index, type Bm25Analysis, type Bm25Hit } from "./bm25-index.js";

export interface LexicalHit {
  /** Position in the list the index was built from. */
  label: number;
  score: number;
}

const analysis: Bm25Analysis = {
  tokenize: words,
  processTerm: (token) => (isStopword(token) ? null : normalizeTerm(token)),
};

/**
 * BM25 rankings over chunks and over single sentences, with the same stemming and stopwords as
 * evidence scoring. Chunks are searched by their question header and their text.
 */
export class LexicalIndex {
  private readonly chunks: Bm25Index<"section" | "text">;
  private readonly sentences: Bm25Index<"text">;

  constructor(chunks: Chunk[], sentenceRefs: SentenceRef[]) {
    this.chunks = new Bm25Index(["section", "text"], chunks, analysis);
    this.sentences = new Bm25Index(
      ["text"],
      sentenceRefs.map((ref) => ({ text: chunks[ref.chunk]!.sentences[ref.sentence]!.text })),
      analysis,
    );
  }

  searchChunks(query: string, limit: number): LexicalHit[] {
    // An answer's first part already starts with its question line, so the header counts half.
    return this.chunks.search(query, limit, { fuzzy: fuzziness, boost: { section: 0.5 } }).map(toLexicalHit);
  }

  searchSentences(query: string, limit: number): LexicalHit[] {
    return this.sentences.search(query, limit, { fuzzy: fuzziness }).map(toLexicalHit);
  }
}

function toLexicalHit(hit: Bm25Hit): LexicalHit {
  return { label: hit.id, score: hit.score };
}

// Tolerates one typo in words of 5+ letters ("Mazhlis" / "Mazhilis"), none in short words or numbers.
function fuzziness(term: string): number {
  return term.length >= 5 && !/^\p{N}/u.test(term) ? 1 : 0;
}
