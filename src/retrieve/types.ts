import type { Chunk } from "../ingest/chunk-interview.js";
import type { ChatTurn, ResolvedQuestion } from "./resolve-follow-up.js";
import type { TermStatistics } from "./term-statistics.js";

/** A chunk retrieved for a question, with what the answerer needs to score its sentences. */
export interface Passage {
  chunk: Chunk;
  /** Fused reciprocal-rank score; higher is better. */
  score: number;
  /** Cosine similarity of the query to each of `chunk.sentences`, in order. */
  sentenceSimilarities: number[];
}

export interface Retrieval {
  question: ResolvedQuestion;
  queryVector: number[];
  /** Best first. */
  passages: Passage[];
  /**
   * The sentence evidence the retriever reranked by, of `passages` (the same array), so the
   * answerer does not score the sentences again. Absent when none was computed.
   */
  evidence?: { passages: Passage[]; sentences: ScoredSentence[] };
}

export interface RetrieveOptions {
  history?: ChatTurn[];
  /** Passages to return. The answerers pass `config.topK`. */
  k?: number;
  /** The asker went away: a question still waiting for the encoder's batch leaves it. */
  signal?: AbortSignal;
  /** Only passages from these files of data/ (by name); all files when absent. */
  sources?: readonly string[];
}

/** Finds the passages of the corpus that answer a question: the seam between retrieval and answering. */
export interface Retriever {
  /** The corpus's term statistics: idf, typo-tolerant term matching (the claim check uses them too). */
  readonly terms: TermStatistics;
  retrieve(question: string, options?: RetrieveOptions): Promise<Retrieval>;
}

/** A question's content terms, each with its weight (idf × 1 for its own words, × ½ for a follow-up's context). */
export type WeightedTerms = Map<string, number>;

export interface ScoredSentence {
  passage: number;
  sentence: number;
  /** Lexical coverage of the question by the sentence, with half credit for terms only in its section header. */
  coverage: number;
  /** Cosine similarity of the question and the sentence embeddings. */
  similarity: number;
  /** The combined evidence score used to rank sentences. */
  score: number;
}
