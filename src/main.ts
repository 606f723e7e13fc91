import cluster from "node:cluster";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { createEmbedder } from "./embed/create-embedder.js";
import { createLogger } from "./logger.js";
import { openIndex } from "./search-index/open-index.js";
import { runWorker } from "./serve/run-worker.js";
import { shareLimitsWithWorkers } from "./serve/limit-stores.js";

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
const logger = createLogger(config.logLevel, 1, [config.openai.apiKey, config.session.secret, ...config.apiKeys]).child(cluster.isPrimary ? {} : { worker: cluster.worker?.id });
process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));

try {
  if (config.workers <= 1) await runWorker(config, logger);
  else if (cluster.isPrimary) await runPrimary(config);
  else await runWorker(config, logger);
} catch (error) {
  logger.fatal({ err: error }, `Cannot start: ${(error as Error).message}`);
  process.exit(1);
}

/**
 * Query embedding is CPU-bound, so the server runs one worker per core. The primary makes sure
 * the index is built (once, before any worker starts, so workers never race to build it), then
 * forks the workers, restarts one that dies, and passes shutdown signals on.
 */
async function runPrimary(config: Config): Promise<void> {
  await openIndex({ dataDir: config.dataDir, indexDir: config.indexDir, embedder: createEmbedder(config), logger });
  let stopping = false;
  // The workers' rate-limit counters live here, so a client's limit is one limit across workers.
  if (!config.redisUrl) shareLimitsWithWorkers();
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.warn({ worker: worker.id, code, signal }, "Worker died; starting another");
    setTimeout(() => cluster.fork(), 1_000);
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      stopping = true;
      logger.info({ signal }, "Shutting down workers");
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
      setTimeout(() => process.exit(0), 12_000).unref();
    });
  }
}
