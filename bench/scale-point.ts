/*
 * One point of the scale curve, in processes of its own so memory is measured cleanly:
 *   node --expose-gc --import tsx bench/scale-point.ts <input.json>
 * "build" makes the synthetic corpus (see synthetic-corpus.ts), builds its index and saves it to
 * `indexDir`; "serve" then does what a server does at start (parse the corpus, load the saved
 * index, build the retriever), measures the memory that took, and times questions. Each prints
 * one JSON line.
 */
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import { CachedQueryEmbeddings } from "../src/embed/cached-embeddings.js";
import { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { parseInterview } from "../src/ingest/parse-interview.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import type { Retrieval } from "../src/retrieve/types.js";
import { LexicalIndex } from "../src/retrieve/lexical-index.js";
import { describeSources } from "../src/search-index/build-index.js";
import { readIndex, saveIndex } from "../src/search-index/index-store.js";
import type { SearchIndex } from "../src/search-index/search-index.js";
import { summarize, timeEach, timeOnce } from "./stats.js";
import { assembleIndex, chunkCopies, copySources, syntheticVectors, type OriginalVectors } from "./synthetic-corpus.js";

export type ScalePointInput =
  | { mode: "build"; interviews: number; original: string; vectors: OriginalVectors; indexDir: string }
  | { mode: "serve"; interviews: number; original: string; indexDir: string; questions: string[]; warmUp: number };

const input = JSON.parse(await readFile(process.argv[2]!, "utf8")) as ScalePointInput;
const local = new LocalEmbeddings();
await local.embedQuery("warm up");

if (input.mode === "build") {
  const sources = copySources(input.original, input.interviews);
  const chunking = await timeOnce(() => chunkCopies(sources, input.original));
  const vectors = syntheticVectors(chunking.value, input.vectors);
  const hnsw = await timeOnce(() => assembleIndex(chunking.value, vectors, local.id));
  await saveIndex(hnsw.value, input.indexDir);
  const folder = await realpath(path.join(input.indexDir, "current"));
  let sizeBytes = 0;
  for (const name of await readdir(folder)) sizeBytes += (await stat(path.join(folder, name))).size;
  const { chunkCount, sentenceCount } = hnsw.value.manifest;
  print({ chunks: chunkCount, sentences: sentenceCount, chunkingMs: chunking.ms, hnswBuildMs: hnsw.ms, sizeBytes });
} else {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("Run with --expose-gc");
  const rss = () => {
    gc();
    gc();
    return process.memoryUsage().rss / 2 ** 20;
  };
  const before = rss();
  // What openIndex does with a saved index: read the corpus (here: generate it), parse, load.
  const sources = copySources(input.original, input.interviews);
  const interviews = sources.map(parseInterview);
  const load = await timeOnce(() =>
    readIndex(input.indexDir, { embedderId: local.id, sources: describeSources(sources) }),
  );
  const embedder = new CachedQueryEmbeddings(local, { maxEntries: input.questions.length * 2 });
  const retriever = await timeOnce(() => new HybridRetriever(load.value, embedder));
  const answerer = new ExtractiveAnswerer({ retriever: retriever.value, interviews, chunks: load.value.chunks });
  const after = rss();
  const peakRssMb = Number(/VmHWM:\s+(\d+)/.exec(await readFile("/proc/self/status", "utf8"))?.[1] ?? 0) / 1024;

  const ask = (message: string) => answerer.answer({ message });
  for (const question of input.questions.slice(0, input.warmUp)) await ask(question);
  const timed = input.questions.slice(input.warmUp);
  // First pass: every question new, so its embedding is computed; second pass: embeddings cached.
  const query = await timeEach(timed, ask, 0);
  const searchOnly = await timeEach(timed, ask, 0);
  print({
    breakdown: await breakdown(load.value, retriever.value, answerer, embedder, timed),
    loadMs: load.ms,
    retrieverBuildMs: retriever.ms,
    rssDeltaMb: after - before,
    peakRssMb,
    query: summarize(query),
    searchOnly: summarize(searchOnly),
  });
}
process.exit(0);

/** Where a question's time goes at this size: the steps of retrieval, timed as in-process.ts does. */
async function breakdown(
  index: SearchIndex,
  retriever: HybridRetriever,
  answerer: ExtractiveAnswerer,
  embedder: CachedQueryEmbeddings,
  texts: string[],
) {
  const vectors = await Promise.all(texts.map((text) => embedder.embedQuery(text)));
  const lexical = new LexicalIndex(index.chunks, index.sentenceRefs);
  const retrievals: Retrieval[] = [];
  return {
    denseSearch: summarize(
      await timeEach(vectors, async (vector) => {
        await index.chunkVectors.search(vector, 50);
        await index.sentenceVectors.search(vector, 100);
      }),
    ),
    bm25: summarize(
      await timeEach(texts, (text) => {
        lexical.searchChunks(text, 50);
        lexical.searchSentences(text, 100);
      }),
    ),
    retrieveCachedEmbedding: summarize(
      await timeEach(texts, async (text) => retrievals.push(await retriever.retrieve(text)), 0),
    ),
    extractiveAnswer: summarize(await timeEach(retrievals, (retrieval) => answerer.answerFrom(retrieval))),
  };
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
