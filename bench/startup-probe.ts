/*
 * Run by the benchmark with plain `node`, transpiled by esbuild (bench/cold-start.ts): does what `src/main.ts` does to
 * start one worker with a built index, timing each phase, then loads the model, and prints the phases
 * as one JSON line. It imports the modules from BENCH_MODULES (the compiled build/, as `npm start`
 * runs them), else from src/ (compiled by tsx). Only dynamic imports, so the import phase is timed
 * and not hoisted.
 */
const entered = performance.now();
const spawnedAt = Number(process.env.BENCH_SPAWNED_AT);
const modules = process.env.BENCH_MODULES
  ? `file://${process.env.BENCH_MODULES}/`
  : new URL("../src/", import.meta.url).href;

const phases: Record<string, number> = {
  // Spawn to this process's time origin.
  launcherMs: performance.timeOrigin - spawnedAt,
  bootstrapMs: entered,
};

let mark = performance.now();
const lap = (name: string) => {
  const now = performance.now();
  phases[name] = now - mark;
  mark = now;
};

// src/main.ts's module graph: it imports create-assistant (answerers, embedders, retrieval, the
// index, OpenAI, LangChain) through run-worker, which also imports the HTTP app.
const load = <T>(name: string) => import(`${modules}${name}`) as Promise<T>;
const [
  { loadConfig },
  { createLogger },
  { createEmbedder },
  { openIndex },
  { HybridRetriever },
  { ExtractiveAnswerer },
  { CachedAnswerer },
  { createApp },
] = await Promise.all([
  load<typeof import("../src/config.js")>("config.js"),
  load<typeof import("../src/logger.js")>("logger.js"),
  load<typeof import("../src/embed/create-embedder.js")>("embed/create-embedder.js"),
  load<typeof import("../src/search-index/open-index.js")>("search-index/open-index.js"),
  load<typeof import("../src/retrieve/hybrid-retriever.js")>("retrieve/hybrid-retriever.js"),
  load<typeof import("../src/answer/extractive-answerer.js")>("answer/extractive-answerer.js"),
  load<typeof import("../src/answer/cached-answerer.js")>("answer/cached-answerer.js"),
  load<typeof import("../src/serve/create-app.js")>("serve/create-app.js"),
  load<typeof import("../src/serve/run-worker.js")>("serve/run-worker.js"),
  import("node:cluster"),
]);
lap("importMs");

const config = loadConfig();
const logger = createLogger("silent");
const embedder = createEmbedder(config);
const opened = await openIndex({ dataDir: config.dataDir, indexDir: config.indexDir, embedder });
lap("indexLoadMs");

// As createAssistant does for the extractive answerer.
const retriever = new HybridRetriever(opened.index, embedder);
const extractive = new ExtractiveAnswerer({
  retriever,
  interviews: opened.interviews,
  chunks: opened.index.chunks,
  topK: config.topK,
});
const answerer = new CachedAnswerer(extractive, { maxEntries: config.answerCacheSize });
lap("retrieverBuildMs");

const app = createApp({ answerer, logger, protection: { rateLimitPerMinute: 0 } });
const server = app.listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
lap("listenMs");

// After listening, the server checks every suggestion (answers it, keeps it if grounded) in the
// background, which loads the model first; neither is on the path to /healthz.
await embedder.embedQuery("What changes does the referendum bring?");
lap("modelLoadMs");
await extractive.suggestions();
lap("suggestionsMs");

server.close();
process.stdout.write(`${JSON.stringify(phases)}\n`);
process.exit(0);

export {};
