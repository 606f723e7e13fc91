import type { BatchingResults } from "./batching.js";
import type { InsightsOverhead } from "./insights-overhead.js";
/**
 * The shape of `bench/results.json`, written by `npm run bench`. `schemaVersion` changes when a
 * field is renamed or removed; new fields may be added without changing it. Times are in
 * milliseconds (`...Ms`), sizes in bytes (`...Bytes`), memory in MiB (`...Mb`), rates per second.
 */
export interface BenchResults {
  /**
   * 3: `coldStart.withIndex` is the production start (the bundled server with V8's code cache), no longer
   * `node build/main.js`, which is now `coldStart.unbundled`; `coldStart.firstAfterBuild` added.
   * 2: cold start measures the compiled build (`launcher` added; `uncachedTsx`, `precompiled` and `phases.bareTsxMs` removed).
   */
  schemaVersion: 3;
  /** ISO time the run started. */
  startedAt: string;
  /** Wall time of the whole run, in seconds. */
  durationSeconds: number;
  /** Of which spent waiting, before each step, for other work on the machine to stop (a minute at most a step). */
  waitedForQuietSeconds: number;
  /** `--quick` runs use shorter loads and fewer samples; only full runs should be committed. */
  quick: boolean;
  machine: Machine;
  index: IndexBuild;
  coldStart: ColdStart;
  /** In-process latency of each pipeline step, keyed by step (see README, "Benchmarks"). */
  inProcess: Record<string, LatencySummary>;
  http: HttpResults;
  llm: LlmOverhead;
  scale: ScaleCurve;
  baseline: BaselineComparison;
  /** Micro-batching of query embeddings on and off (issue 17, bench/batching.ts); absent in runs before it. */
  batching?: BatchingResults;
  /** `/api/chat` with the record of turns on and off (issue 16, bench/insights-overhead.ts); absent in runs before it. */
  insights?: InsightsOverhead;
  /** The bar, one row a criterion. */
  bar: BarItem[];
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  totalMemoryMb: number;
  node: string;
  platform: string;
  /** 1-minute load averages when the run started and ended: other work on the machine skews every number. */
  loadAverageAtStart: number;
  loadAverageAtEnd: number;
}

/** Percentiles of a set of timings (nearest-rank). */
export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
}

export interface IndexBuild {
  /** Parse + chunk + embed every chunk and sentence + HNSW build + atomic save (`openIndex` on an empty folder), model already loaded. */
  buildMs: LatencySummary;
  /** Loading the sentence encoder (first `embed` call of a fresh process's embedder). */
  modelLoadMs: number;
  /** Loading the saved index (`openIndex` on a built folder: read, checksum, HNSW load). */
  loadMs: LatencySummary;
  chunks: number;
  sentences: number;
  /** Bytes of the published build folder, and of each file in it. */
  sizeBytes: number;
  files: Record<string, number>;
}

export interface ColdStartVariant {
  /** What was started, e.g. "node build/main.js". */
  command: string;
  /** Spawn to the first 200 from GET /healthz, one value a run. */
  runsMs: number[];
  medianMs: number;
}

export interface ColdStart {
  /**
   * `node scripts/run-server.cjs` with a built index: the production start `npm start` comes to, the
   * bundled server (build/bundle/server.cjs) with V8's code cache. The bar's number.
   */
  withIndex: ColdStartVariant;
  /** The same once right after a build, before any start has saved the code cache (one run). */
  firstAfterBuild: ColdStartVariant;
  /** `node build/main.js`: tsc's output as ES modules, unbundled and with no code cache (before this round's bundle). */
  unbundled: ColdStartVariant;
  /** The production start with an empty INDEX_DIR: the index is built before the server listens. */
  withoutIndex: ColdStartVariant;
  /** `node scripts/start.mjs` (`npm start` without npm), build current: the launcher's staleness check, then the production start. */
  launcher: ColdStartVariant;
  /** `node --import tsx src/main.ts`: `npm start` before the compiled build, every module compiled at start. */
  tsxLoader: ColdStartVariant;
  /** Where the time of an unbundled compiled start with a built index goes, measured in a probe process (medians). */
  phases: StartupPhases;
}

export interface StartupPhases {
  /** `node -e 0`: a bare Node process, spawn to exit. */
  bareNodeMs: number;
  /** Spawn of the probe to its process's time origin. */
  launcherMs: number;
  /** That process's start to the first line of the probe (Node bootstrap). */
  bootstrapMs: number;
  /** Importing the compiled modules (build/) that `src/main.ts` imports (express, pino, zod, hnswlib, TensorFlow.js, ...). */
  importMs: number;
  /** `openIndex` on a built index: read the corpus, parse, read and verify the index, load HNSW. */
  indexLoadMs: number;
  /** `HybridRetriever` and answerer construction: term statistics and BM25 indexes. */
  retrieverBuildMs: number;
  /** `createApp` and `listen`. */
  listenMs: number;
  /** Loading the sentence encoder and embedding one text: after listening (the first question, or the background check of the suggestions a second after listening). */
  modelLoadMs: number;
  /** Checking every suggestion (each answered, kept if grounded), model already loaded: in the background after listening. */
  suggestionsMs: number;
  /** First POST /api/chat after /healthz answered, on a fresh server (includes the model load). */
  firstRequestMs: number;
}

export interface HttpRun {
  /** WEB_CONCURRENCY of the server. */
  workers: number;
  /** "distinct": every request a question never asked before; "repeated": one question over and over. */
  questions: "distinct" | "repeated";
  connections: number;
  durationSeconds: number;
  /** Responses received (any status). */
  requests: number;
  throughputRps: number;
  /** Measured per response from autocannon's `response` event (sub-millisecond resolution). */
  latency: LatencySummary;
  /** autocannon's own histogram, which records whole milliseconds. */
  autocannonP50Ms: number;
  autocannonP99Ms: number;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** CPU used by the server's processes during the run, in % of one core (2 cores: at most 200). */
  serverCpuPercent: number;
  /** CPU used by the benchmark process (autocannon) during the run, on the same cores. */
  clientCpuPercent: number;
  /** CPU used by everything else on the machine during the run: other work skews the numbers. */
  otherCpuPercent: number;
  /** Runs made: one more (at most 3 in all) each time other work took over 15 % CPU; the cleanest is kept. */
  attempts: number;
  /** Requests each server process answered during the run, most first (from the request log): how evenly the cluster spread the load. */
  requestsPerProcess: number[];
}

export interface HttpResults {
  /** Seconds of load per run, after a warm-up. */
  durationSeconds: number;
  runs: HttpRun[];
  /** Peak RSS (VmHWM) per server configuration, read just before it is stopped. */
  peakRss: Array<{
    workers: number;
    processes: Array<{ role: string; pid: number; peakRssMb: number }>;
    totalMb: number;
  }>;
}

export interface StreamTimings {
  /** To the `contexts` event: retrieval done, before the upstream is asked. */
  contexts: LatencySummary;
  /** To the first `delta` event. */
  ttft: LatencySummary;
  /** To the end of the stream. */
  total: LatencySummary;
}

export interface LlmOverhead {
  upstreamDelayMs: number;
  samples: number;
  /** The official `openai` client streaming straight from the fake upstream (TTFT: first chunk with content). */
  direct: { ttft: LatencySummary; total: LatencySummary };
  /** POST /api/chat with `"stream": true` through our server, a distinct question each time (query embedding computed). */
  server: StreamTimings;
  /** The same with one repeated question: the query embedding comes from the cache, retrieval still runs. */
  serverRepeated: StreamTimings;
  /** Server p50 minus direct p50, distinct questions: what the bar judges. */
  addedTtftMs: number;
  addedTotalMs: number;
  /** Server p50 minus direct p50, the repeated question. */
  addedTtftRepeatedMs: number;
  addedTotalRepeatedMs: number;
  /** An extractive server's time to its `contexts` event for the same distinct questions; absent in runs before issue 27. */
  extractiveContexts?: LatencySummary;
  /** LLM mode's time to `contexts` minus extractive mode's (p50s): what LLM mode adds before the model is asked. */
  beforeModelVsExtractiveMs?: number;
  /** p50 of (first token − contexts) through the server minus the direct client's time to first token: the prompt and the call. */
  contextsToFirstTokenAddedMs?: number;
  /** p50 of (end − first token) through the server minus the direct client's: the claim check after the last token, mostly. */
  afterLastTokenAddedMs?: number;
}

export interface ScalePoint {
  interviews: number;
  chunks: number;
  sentences: number;
  /** Parsing and chunking the copies (real code). */
  chunkingMs: number;
  /** The two HNSW builds (chunks, sentences) over the given vectors (real code). */
  hnswBuildMs: number;
  /** chunkingMs + hnswBuildMs: the index build without embedding; see `scale.method`. */
  buildMs: number;
  /** Embedding time the real encoder would add for this corpus: texts × measured batched cost per text. */
  estimatedEmbedMs: number;
  /** Saved with the real writer (`saveIndex`). */
  sizeBytes: number;
  /** `readIndex` of the saved index (read, checksum, HNSW load). */
  loadMs: number;
  /** `HybridRetriever` construction (term statistics, BM25 indexes). */
  retrieverBuildMs: number;
  /** Resident memory added, after GC, by parsing the corpus, loading the index and building the retriever. */
  rssDeltaMb: number;
  /** Peak RSS of the process that loaded the index, once loaded (model included, before any question). */
  peakRssMb: number;
  /** `ExtractiveAnswerer.answer` for distinct questions, query embedding included (real encoder, uncached). */
  query: LatencySummary;
  /** The same questions again, their embeddings cached: retrieval + answer only. */
  searchOnly: LatencySummary;
  /** The steps of `searchOnly` at this size: denseSearch, bm25, retrieveCachedEmbedding, extractiveAnswer (as in `inProcess`). */
  breakdown: Record<string, LatencySummary>;
}

export interface ScaleCurve {
  /** How the synthetic corpora and their vectors were made. */
  method: string;
  points: ScalePoint[];
}

export interface HitRates {
  hitAt1: number;
  hitAt3: number;
}

export interface BaselineComparison {
  /** How the baseline was built. */
  method: string;
  baselineChunks: number;
  baselineBuildMs: number;
  sets: Array<{ file: string; answerable: number; ours: HitRates; baseline: HitRates }>;
  /** Per question over both sets: query embedding (uncached) + search. */
  latency: {
    embedding: LatencySummary;
    ours: LatencySummary;
    baseline: LatencySummary;
    oursSearchOnly: LatencySummary;
    baselineSearchOnly: LatencySummary;
  };
}

export interface BarItem {
  id: string;
  criterion: string;
  value: number | null;
  threshold: string;
  pass: boolean;
  note?: string;
}
