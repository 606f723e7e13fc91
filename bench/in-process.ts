import { mkdtemp, readdir, realpath, rm, stat } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import pino from "pino";
import { routeTurn } from "../src/answer/route/route-turn.js";
import { foreignLanguage } from "../src/answer/route/language.js";
import { toWire } from "../src/contract/chat.js";
import { Insights } from "../src/insights/insights.js";
import { SessionTokens } from "../src/serve/session-token.js";
import { isStopword, normalizeTerm } from "../src/text/tokenize.js";
import { tmpdir } from "node:os";
import path from "node:path";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import { CachedQueryEmbeddings } from "../src/embed/cached-embeddings.js";
import { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { fuseRankings } from "../src/retrieve/fuse-rankings.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import type { Retrieval } from "../src/retrieve/types.js";
import { LexicalIndex } from "../src/retrieve/lexical-index.js";
import { chunkKey } from "../src/ingest/chunk-interview.js";
import { openIndex, type OpenedIndex } from "../src/search-index/open-index.js";
import { sentenceIds } from "../src/search-index/search-index.js";
import type { VectorHit } from "../src/search-index/vector-index.js";
import type { DistinctQuestions } from "./questions.js";
import { repeatedQuestion } from "./questions.js";
import type { IndexBuild, LatencySummary } from "./results-schema.js";
import { summarize, timeEach, timeOnce } from "./stats.js";

// The depths HybridRetriever reads each ranking to, so the steps are timed as the retriever runs them.
const chunkDepth = 50;
const sentenceDepth = 100;

export interface BuiltIndex {
  result: IndexBuild;
  /** A scratch folder holding a built index of data/, for the servers and the in-process steps. */
  indexDir: string;
  opened: OpenedIndex;
  local: LocalEmbeddings;
  cleanUp(): Promise<void>;
}

/**
 * Builds the index of `dataDir` into scratch folders `runs` times (model loaded first, so the
 * build is parse + chunk + embed + HNSW + save), then loads it `runs` times.
 */
export async function measureIndexBuild(dataDir: string, runs: number): Promise<BuiltIndex> {
  const scratch = await mkdtemp(path.join(tmpdir(), "interview-chat-bench-"));
  const local = new LocalEmbeddings();
  const modelLoad = await timeOnce(() => local.embedQuery("warm up"));
  const embedder = new CachedQueryEmbeddings(local, { maxEntries: 0 });
  const buildSamples: number[] = [];
  let indexDir = "";
  for (let run = 0; run < runs; run++) {
    indexDir = path.join(scratch, `index-${run}`);
    const build = await timeOnce(() => openIndex({ dataDir, indexDir, embedder }));
    if (!build.value.rebuilt) throw new Error("Expected a build into an empty folder");
    buildSamples.push(build.ms);
  }
  const loadSamples: number[] = [];
  let opened: OpenedIndex | undefined;
  for (let run = 0; run < runs; run++) {
    const load = await timeOnce(() => openIndex({ dataDir, indexDir, embedder }));
    if (load.value.rebuilt) throw new Error(`Expected the saved index to load: ${load.value.rebuilt.message}`);
    loadSamples.push(load.ms);
    opened = load.value;
  }
  const folder = await realpath(path.join(indexDir, "current"));
  const files: Record<string, number> = {};
  for (const name of await readdir(folder)) files[name] = (await stat(path.join(folder, name))).size;
  return {
    result: {
      buildMs: summarize(buildSamples),
      modelLoadMs: Math.round(modelLoad.ms),
      loadMs: summarize(loadSamples),
      chunks: opened!.index.manifest.chunkCount,
      sentences: opened!.index.manifest.sentenceCount,
      sizeBytes: Object.values(files).reduce((sum, size) => sum + size, 0),
      files,
    },
    indexDir,
    opened: opened!,
    local,
    cleanUp: () => rm(scratch, { recursive: true, force: true }),
  };
}

/**
 * Latency of each step of answering, with the real classes over the real index: query
 * embedding (uncached distinct texts; cached repeats), dense search, BM25, fusion, the whole
 * retrieval with the embedding cached, the extractive answer from a retrieval, and a whole
 * in-process answer of a distinct question.
 */
export async function measureInProcess(
  opened: OpenedIndex,
  local: LocalEmbeddings,
  questions: DistinctQuestions,
  samples: number,
): Promise<Record<string, LatencySummary>> {
  const { index } = opened;
  const texts = questions.take(samples);
  const results: Record<string, LatencySummary> = {};

  const vectors = new Map<string, number[]>();
  results.queryEmbeddingCold = summarize(
    await timeEach(texts, async (text) => {
      vectors.set(text, await local.embedQuery(text));
    }),
  );

  const cached = new CachedQueryEmbeddings(local, { maxEntries: 1000 });
  await cached.embedQuery(repeatedQuestion);
  results.queryEmbeddingCached = summarize(
    await timeEach(
      Array.from({ length: samples * 10 }, () => repeatedQuestion),
      (text) => cached.embedQuery(text),
    ),
  );

  const toChunk = (label: number) => index.sentenceRefs[label]!.chunk;
  const chunkOf = new Map(index.chunks.map((chunk, label) => [chunkKey(chunk), label]));
  const sentenceChunk = new Map(sentenceIds(index.chunks, index.sentenceRefs).map((id, label) => [id, toChunk(label)]));
  const dense = new Map<string, [VectorHit[], VectorHit[]]>();
  results.denseSearch = summarize(
    await timeEach(texts, async (text) => {
      const vector = vectors.get(text)!;
      dense.set(text, [
        await index.chunkVectors.search(vector, chunkDepth),
        await index.sentenceVectors.search(vector, sentenceDepth),
      ]);
    }),
  );

  const lexical = new LexicalIndex(index.chunks, index.sentenceRefs);
  results.bm25 = summarize(
    await timeEach(texts, (text) => {
      lexical.searchChunks(text, chunkDepth);
      lexical.searchSentences(text, sentenceDepth);
    }),
  );

  const rankings = texts.map((text) => {
    const [chunkHits, sentenceHits] = dense.get(text)!;
    return [
      { labels: chunkHits.map((hit) => chunkOf.get(hit.id)!) },
      { labels: lexical.searchChunks(text, chunkDepth).map((hit) => hit.label) },
      { labels: sentenceHits.map((hit) => sentenceChunk.get(hit.id)!) },
      { labels: lexical.searchSentences(text, sentenceDepth).map((hit) => toChunk(hit.label)) },
    ];
  });
  results.fusion = summarize(await timeEach(rankings, (ranking) => fuseRankings(ranking)));

  // Every text's embedding is already in the cache: this is retrieval alone.
  const warm = new CachedQueryEmbeddings(local, { maxEntries: samples * 2 });
  for (const text of texts) await warm.embedQuery(text);
  const retriever = new HybridRetriever(index, warm);
  const retrievals: Retrieval[] = [];
  results.retrieveCachedEmbedding = summarize(
    await timeEach(
      texts,
      async (text) => {
        retrievals.push(await retriever.retrieve(text, { k: 4 }));
      },
      0,
    ),
  );

  const answerer = new ExtractiveAnswerer({ retriever, interviews: opened.interviews, chunks: index.chunks });
  results.extractiveAnswer = summarize(await timeEach(retrievals, (retrieval) => answerer.answerFrom(retrieval)));

  // Fresh questions and an uncached embedder: everything a distinct question costs without HTTP.
  const cold = new HybridRetriever(index, local);
  const coldAnswerer = new ExtractiveAnswerer({ retriever: cold, interviews: opened.interviews, chunks: index.chunks });
  const replies: Awaited<ReturnType<typeof coldAnswerer.answer>>[] = [];
  results.answerDistinctQuestion = summarize(
    await timeEach(questions.take(samples), async (text) => {
      replies.push(await coldAnswerer.answer({ message: text }));
    }),
  );

  // The steps of a request around the answer, each alone (their share of a whole distinct question
  // is in the report). The language check and the turn's routing run before retrieval (routing
  // here without the encoder: by wording, small talk, the interview's structure).
  const terms = retriever.terms;
  results.languageCheck = summarize(
    await timeEach(texts, (text) =>
      foreignLanguage(text, (word) => isStopword(word) || terms.has(normalizeTerm(word))),
    ),
  );
  results.turnRouting = summarize(
    await timeEach(texts, (text) =>
      routeTurn(text, { interviews: opened.interviews, chunks: index.chunks, terms, otherLanguages: true }),
    ),
  );
  // The reply as the route sends it: its id added, then JSON.
  results.serialisation = summarize(await timeEach(replies, (reply) => JSON.stringify(toWire(reply, "id"))));
  // A widget's session token checked, as every question from a page is.
  const sessions = new SessionTokens({ secret: randomBytes(32), ttlSeconds: 600 });
  const { token } = sessions.issue("https://example.com");
  results.sessionCheck = summarize(await timeEach(replies, () => sessions.verify(token, "https://example.com")));
  // The insights' part of a turn: a signed reply id and the finished turn queued (written in batches).
  const scratch = await mkdtemp(path.join(tmpdir(), "interview-chat-bench-insights-"));
  const insights = Insights.open(
    { file: path.join(scratch, "insights.sqlite") },
    { logger: pino({ level: "silent" }) },
  );
  results.insightsTurn = summarize(
    await timeEach(replies, (reply) =>
      insights.record({
        ...reply,
        id: insights.newId(),
        question: "q",
        standalone: null,
        latencyMs: 10,
        clientAddress: "127.0.0.1",
      }),
    ),
  );
  await insights.close();
  await rm(scratch, { recursive: true, force: true });
  return results;
}
