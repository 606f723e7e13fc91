import { createHash } from "node:crypto";
import { chunkInterviews, chunkKey, type Chunk } from "../src/ingest/chunk-interview.js";
import type { SourceFile } from "../src/ingest/load-corpus.js";
import { parseInterview, type ParsedInterview } from "../src/ingest/parse-interview.js";
import { indexFormatVersion, listSentences, sentenceIds, type SearchIndex } from "../src/search-index/search-index.js";
import { hnswIndexKind } from "../src/search-index/hnsw-index.js";
import { normalize } from "../src/search-index/vector-index.js";
import { isStopword } from "../src/text/tokenize.js";

/*
 * Synthetic corpora for the scale curve, made from the real interview:
 *
 * Text: copy 0 is the interview itself. Copy i (i ≥ 1) has every run of digits shifted by i,
 * modulo its length ("2022" → "2029", "98" → "05" for i = 7), and every proper name of five
 * letters or more ends in a three-letter tag spelling i in base 26 in place of its last three
 * letters ("Kazakhstan" → "Kazakhsaah"). Proper names are the capitalised words that occur at
 * least once in the middle of a sentence and are not stopwords. Both changes keep every length,
 * so paragraphs pack into the same chunks and sentences split the same way: the copies have the
 * original's structure (checked) and their own numbers and vocabulary. Parsing and chunking go
 * through the real code.
 *
 * Vectors: embedding 1,000 copies with the real encoder would take hours on 2 cores, so the
 * original's chunks and sentences are embedded once and copy i's vector of chunk or sentence j
 * is the original's, unit-normalised, plus seeded Gaussian noise (σ = 0.01 a dimension, seeded
 * by copy, kind and position), renormalised: cosine ≈ 0.975 to the original. The HNSW indexes,
 * BM25 indexes and term statistics are then built over these by the real classes. Queries are
 * embedded for real.
 */

export const noisePerDimension = 0.01;

export function properNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/\p{Lu}\p{Ll}+/gu)) {
    const before = text.slice(Math.max(0, match.index - 3), match.index);
    const sentenceInitial = match.index === 0 || /\n/.test(before) || /[.!?:"“”]\s*$/u.test(before);
    if (!sentenceInitial && !isStopword(match[0].toLowerCase())) names.add(match[0]);
  }
  return names;
}

/** "aaa", "aab", ...: copy i's tag, i in base 26 on three letters. */
export function copyTag(copy: number): string {
  let tag = "";
  for (let rest = copy, i = 0; i < 3; i++, rest = Math.floor(rest / 26))
    tag = String.fromCharCode(97 + (rest % 26)) + tag;
  return tag;
}

export function transformInterview(text: string, copy: number, names: Set<string>): string {
  if (copy === 0) return text;
  const tag = copyTag(copy);
  return text
    .replace(/\d+/g, (digits) => String((Number(digits) + copy) % 10 ** digits.length).padStart(digits.length, "0"))
    .replace(/\p{Lu}\p{Ll}+/gu, (word) => (word.length >= 5 && names.has(word) ? `${word.slice(0, -3)}${tag}` : word));
}

export function sourceFile(id: string, text: string): SourceFile {
  return { id, name: `${id}.txt`, text, sha256: createHash("sha256").update(text).digest("hex") };
}

/** The original interview's vectors, in index order: one per chunk, and per chunk one per sentence. */
export interface OriginalVectors {
  chunkVectors: number[][];
  sentenceVectors: number[][][];
}

export interface SyntheticCorpus {
  interviews: ParsedInterview[];
  chunks: Chunk[];
}

/** The texts of `count` copies of the original, as source files `interview-0000.txt`, .... */
export function copySources(original: string, count: number): SourceFile[] {
  const names = properNames(original);
  return Array.from({ length: count }, (_, copy) =>
    sourceFile(`interview-${String(copy).padStart(4, "0")}`, transformInterview(original, copy, names)),
  );
}

/** Parses and chunks the copies; throws when a copy's structure differs from the original's. */
export function chunkCopies(sources: SourceFile[], original: string): SyntheticCorpus {
  const reference = chunkInterviews([parseInterview(sourceFile("interview", original))]);
  const interviews = sources.map(parseInterview);
  const chunks = chunkInterviews(interviews);
  if (chunks.length !== reference.length * sources.length)
    throw new Error(`The copies have ${chunks.length} chunks, expected ${reference.length * sources.length}`);
  chunks.forEach((chunk, i) => {
    const expected = reference[i % reference.length]!.sentences.length;
    if (chunk.sentences.length !== expected)
      throw new Error(`Chunk ${chunk.id} has ${chunk.sentences.length} sentences, the original ${expected}`);
  });
  return { interviews, chunks };
}

/** The vectors of the corpus, in index order: copy 0 keeps the original's, copy i gets them perturbed. */
export function syntheticVectors(
  corpus: SyntheticCorpus,
  original: OriginalVectors,
): { chunkVectors: number[][]; sentenceVectors: number[][] } {
  const perChunk = original.chunkVectors.length;
  const chunkVectors = corpus.chunks.map((_, i) =>
    perturb(original.chunkVectors[i % perChunk]!, Math.floor(i / perChunk), `c${i % perChunk}`),
  );
  const sentenceVectors = listSentences(corpus.chunks).map((ref) => {
    const j = ref.chunk % perChunk;
    return perturb(
      original.sentenceVectors[j]![ref.sentence]!,
      Math.floor(ref.chunk / perChunk),
      `s${j}.${ref.sentence}`,
    );
  });
  return { chunkVectors, sentenceVectors };
}

function perturb(vector: number[], copy: number, key: string): number[] {
  const unit = normalize(vector);
  if (copy === 0) return vector;
  const random = gaussian(seedOf(`${copy}:${key}`));
  return normalize(unit.map((value) => value + noisePerDimension * random()));
}

/** The index as `buildIndex` assembles it, from given vectors: real chunks, real HNSW builds. */
export function assembleIndex(
  corpus: SyntheticCorpus,
  vectors: { chunkVectors: number[][]; sentenceVectors: number[][] },
  embedderId: string,
): SearchIndex {
  const dimensions = vectors.chunkVectors[0]!.length;
  const sentenceRefs = listSentences(corpus.chunks);
  return {
    manifest: {
      formatVersion: indexFormatVersion,
      builtAt: new Date().toISOString(),
      embedder: { id: embedderId, dimensions },
      sources: corpus.interviews.map((interview) => ({ name: interview.source.name, sha256: interview.source.sha256 })),
      chunkCount: corpus.chunks.length,
      sentenceCount: sentenceRefs.length,
      files: {},
    },
    chunks: corpus.chunks,
    chunkVectors: hnswIndexKind.build(
      corpus.chunks.map((chunk, i) => ({ id: chunkKey(chunk), vector: vectors.chunkVectors[i]! })),
      dimensions,
    ),
    sentenceVectors: hnswIndexKind.build(
      sentenceIds(corpus.chunks, sentenceRefs).map((id, i) => ({ id, vector: vectors.sentenceVectors[i]! })),
      dimensions,
    ),
    sentenceRefs,
  };
}

function seedOf(key: string): number {
  return createHash("sha256").update(key).digest().readUInt32LE(0);
}

/** Standard normal samples (Box–Muller over mulberry32). */
function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
