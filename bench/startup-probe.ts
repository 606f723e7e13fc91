/*
 * Run by the benchmark as `tsx bench/startup-probe.ts`: does what `src/main.ts` does to start
 * one worker with a built index, timing each phase, then loads the model, and prints the phases
 * as one JSON line. Only dynamic imports, so the import phase is timed and not hoisted.
 */
const entered = performance.now();
const spawnedAt = Number(process.env.BENCH_SPAWNED_AT);

const phases: Record<string, number> = {
  // The tsx CLI starts a second Node process that runs this file: its time origin is its start.
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
const [{ loadConfig }, { createLogger }, { createEmbedder }, { openIndex }, { HybridRetriever }, { ExtractiveAnswerer }, { CachedAnswerer }, { createApp }] =
  await Promise.all([
    import("../src/config.js"),
    import("../src/logger.js"),
    import("../src/embed/create-embedder.js"),
    import("../src/search-index/open-index.js"),
    import("../src/retrieve/hybrid-retriever.js"),
    import("../src/answer/extractive-answerer.js"),
    import("../src/answer/cached-answerer.js"),
    import("../src/serve/create-app.js"),
    import("../src/serve/run-worker.js"),
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
const extractive = new ExtractiveAnswerer({ retriever, interviews: opened.interviews, chunks: opened.index.chunks, topK: config.topK });
const answerer = new CachedAnswerer(extractive, { maxEntries: config.answerCacheSize });
lap("retrieverBuildMs");

const app = createApp({ answerer, logger, protection: { rateLimitPerMinute: 0 } });
const server = app.listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
lap("listenMs");

await embedder.embedQuery("What changes does the referendum bring?");
lap("modelLoadMs");

server.close();
process.stdout.write(`${JSON.stringify(phases)}\n`);
process.exit(0);

export {};
