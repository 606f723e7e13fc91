import type { Config } from "../config.js";
import { describeSource } from "../ingest/describe-source.js";
import { createAssistant } from "../create-assistant.js";
import { createEmbedder } from "../embed/create-embedder.js";
import { createServer } from "node:http";
import type { Logger } from "pino";
import { AppError } from "../errors.js";
import { createApp } from "./create-app.js";
import { widgetRoutes } from "./widget-routes.js";
import { createLimitStores } from "./limit-stores.js";
import { loadSessionSecret } from "./session-secret.js";
import { SessionTokens } from "./session-token.js";
import { Insights } from "../insights/insights.js";
import { IdleCollector } from "./idle-collector.js";

/**
 * Connections the kernel holds for the process while it is busy (Node's default is 511; Linux caps
 * it at net.core.somaxconn, 4096 here). The encoder runs synchronously, so a worker accepts only
 * between encoder batches: with 511, a burst of 1,500 streams at once lost 215 to resets (the
 * handshakes the kernel gave up on) on one worker; with 4096, none.
 */
const listenBacklog = 4096;
/** How long after listening the suggestions are checked in the background. */
const suggestionsCheckDelayMs = 1_000;

/**
 * Loads the index (once for this process), serves HTTP on `config.port`, and on SIGTERM/SIGINT
 * finishes in-flight requests before exiting. In a cluster, every worker runs this.
 */
export async function runWorker(config: Config, logger: Logger): Promise<void> {
  const assistant = await createAssistant(config, { logger, embedder: createEmbedder(config, { logger }) });
  const secret = await loadSessionSecret({ secret: config.session.secret, file: config.session.secretFile });
  const limits = await createLimitStores({ redisUrl: config.redisUrl, logger });
  // Each worker opens the store itself (WAL lets the workers write one SQLite file side by side);
  // reply ids are signed with the session secret, so every worker and replica knows every other's.
  const insights =
    config.insights &&
    Insights.open(config.insights.store, {
      logger,
      idSecret: secret,
      storeAnswers: config.insights.storeAnswers,
      retentionDays: config.insights.retentionDays,
    });
  const app = createApp({
    answerer: assistant.answerer,
    sources: assistant.opened.interviews.map((interview) => interview.source.name),
    catalogue: assistant.opened.interviews.map(describeSource),
    logger,
    protection: {
      allowedOrigins: config.allowedOrigins,
      apiKeys: config.apiKeys,
      rateLimitPerMinute: config.rateLimitPerMinute,
      publicUrl: config.publicUrl,
      sessionQuota: config.session.quota,
      limitStore: limits.storeFor,
    },
    sessions: new SessionTokens({ secret, ttlSeconds: config.session.ttlSeconds }),
    trustProxy: config.trustProxy,
    widget: widgetRoutes({ interviews: assistant.opened.interviews, publicUrl: config.publicUrl }),
    insights,
    adminKeys: config.adminKeys,
    readiness: {
      // Down means the limits count in this process until Redis answers again (limit-stores.ts).
      redis: () => {
        const { redis } = limits.health();
        return { status: redis === "down" ? "degraded" : redis };
      },
    },
  });
  // A port in use fails start-up with one line (src/main.ts) instead of announcing "Listening" and
  // exiting from an event handler. The options form of listen() is the one that takes a backlog.
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(
        new AppError(
          "port_unavailable",
          `Cannot listen on port ${config.port}: ${error.code === "EADDRINUSE" ? "another process is using it" : error.message}`,
          503,
          { cause: error },
        ),
      );
    server.once("error", failed);
    server.listen({ port: config.port, backlog: listenBacklog }, () => {
      server.off("error", failed);
      resolve();
    });
  });
  server.on("error", (error) => logger.error({ err: error }, "server error"));
  // A burst's garbage goes once the worker is quiet again (src/serve/idle-collector.ts).
  new IdleCollector(server);
  // The check loads the encoder, whose modules block the event loop as they load: started at
  // listening, it held the first /healthz for 85 ms. A second later, health checks and the page's
  // first requests have been answered; a question that comes sooner starts the same check itself.
  setTimeout(() => void assistant.checkSuggestions(), suggestionsCheckDelayMs);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info({ signal }, "Shutting down");
      server.close(async () => {
        await insights?.close(); // the queued turns are written before the process goes
        await limits.close(); // Redis gets QUIT, after the last request has counted
        process.exit(0);
      });
      // Keep-alive connections turn idle as their last response ends; close each as it does.
      setInterval(() => server.closeIdleConnections(), 50).unref();
      setTimeout(() => process.exit(0), 10_000).unref();
    });
  }
  // Announced last: whoever starts the server may stop it as soon as it reads this line, and a
  // SIGTERM that came before the handlers above would kill the process outright (exit code null).
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info(
    { port, chunks: assistant.opened.index.manifest.chunkCount, mode: assistant.answerer.mode },
    `Listening on http://localhost:${port}`,
  );
}
