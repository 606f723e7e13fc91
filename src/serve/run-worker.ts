import type { Config } from "../config.js";
import { createAssistant } from "../create-assistant.js";
import { createEmbedder } from "../embed/create-embedder.js";
import type { Logger } from "pino";
import { createApp } from "./create-app.js";
import { widgetRoutes } from "./widget-routes.js";
import { createLimitStores } from "./limit-stores.js";
import { loadSessionSecret } from "./session-secret.js";
import { SessionTokens } from "./session-token.js";
import { Insights } from "../insights/insights.js";

/**
 * Loads the index (once for this process), serves HTTP on `config.port`, and on SIGTERM/SIGINT
 * finishes in-flight requests before exiting. In a cluster, every worker runs this.
 */
export async function runWorker(config: Config, logger: Logger): Promise<void> {
  const assistant = await createAssistant(config, { logger, embedder: createEmbedder(config, { logger }) });
  const secret = await loadSessionSecret({ secret: config.session.secret, file: config.session.secretFile });
  const limits = createLimitStores({ redisUrl: config.redisUrl });
  // Each worker opens the file itself: WAL lets the workers write it side by side.
  const insights = config.insights && Insights.open(config.insights.file, { logger, storeAnswers: config.insights.storeAnswers, retentionDays: config.insights.retentionDays });
  const app = createApp({
    answerer: assistant.answerer,
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
  });
  const server = app.listen(config.port, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    logger.info({ port, chunks: assistant.opened.index.manifest.chunkCount, mode: assistant.answerer.mode }, `Listening on http://localhost:${port}`);
  });
  server.on("error", (error) => {
    logger.fatal({ err: error }, `Cannot listen on port ${config.port}: ${error.message}`);
    process.exit(1);
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info({ signal }, "Shutting down");
      server.close(() => {
        insights?.close(); // the queued turns are written before the process goes
        process.exit(0);
      });
      // Keep-alive connections turn idle as their last response ends; close each as it does.
      setInterval(() => server.closeIdleConnections(), 50).unref();
      setTimeout(() => process.exit(0), 10_000).unref();
    });
  }
}
