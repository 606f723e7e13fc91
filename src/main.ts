import cluster from "node:cluster";
import { createServer } from "node:net";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { createEmbedder } from "./embed/create-embedder.js";
import { AppError } from "./errors.js";
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
const logger = createLogger(config.logLevel, 1, config.secrets).child(
  cluster.isPrimary ? {} : { worker: cluster.worker?.id },
);
process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));

/**
 * Settles once this process serves requests ("server"), or, as the primary of several workers, has
 * forked them ("primary"). No top-level await, so the module bundles to CommonJS: scripts/run-server.cjs
 * runs that bundle with V8's code cache, and saves the cache once a "server" has started.
 */
export const started: Promise<"server" | "primary"> = start();

async function start(): Promise<"server" | "primary"> {
  try {
    if (config.workers > 1 && cluster.isPrimary) {
      await runPrimary(config);
      return "primary";
    }
    await runWorker(config, logger);
    return "server";
  } catch (error) {
    failToStart(error);
  }
}

/**
 * What an operator can fix (the data folder, the index folder, the port, a prompt) is one plain
 * line on stderr, as the CLIs say it; anything else is a bug, logged with its stack. Exit code 1.
 */
function failToStart(error: unknown): never {
  if (error instanceof AppError || (error instanceof Error && error.name === "PromptError"))
    process.stderr.write(`Cannot start: ${error.message}\n`);
  else logger.fatal({ err: error }, `Cannot start: ${(error as Error).message}`);
  process.exit(1);
}

/** Fails with one line when the port is taken, before any worker starts (each would say so). */
async function checkPortFree(port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new AppError(
          "port_unavailable",
          `Cannot listen on port ${port}: ${error.code === "EADDRINUSE" ? "another process is using it" : error.message}`,
          503,
        ),
      ),
    );
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

/**
 * Query embedding is CPU-bound, so the server runs one worker per core. The primary makes sure
 * the index is built (once, before any worker starts, so workers never race to build it), then
 * forks the workers, restarts one that dies after it started serving, and passes shutdown signals
 * on. A worker that dies before it listens failed at start-up, and so would every other: the
 * primary stops them all and exits, rather than forking one failing worker after another.
 */
async function runPrimary(config: Config): Promise<void> {
  await checkPortFree(config.port);
  await openIndex({ dataDir: config.dataDir, indexDir: config.indexDir, embedder: createEmbedder(config), logger });
  let stopping = false;
  const serving = new Set<number>();
  cluster.on("listening", (worker) => serving.add(worker.id));
  // The workers' rate-limit counters live here, so a client's limit is one limit across workers.
  if (!config.redisUrl) shareLimitsWithWorkers();
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    if (!serving.has(worker.id)) {
      // Its own line (stderr) said why; the other workers go too, and nothing is restarted.
      stopping = true;
      process.exitCode = 1;
      process.stderr.write(`Cannot start: a worker failed while starting (exit code ${code ?? signal}); stopping\n`);
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill("SIGTERM");
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(1);
      return;
    }
    serving.delete(worker.id);
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
