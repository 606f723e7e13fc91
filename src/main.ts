import { ConfigError, loadConfig, type Config } from "./config.js";
import { createAssistant } from "./create-assistant.js";
import { createLogger } from "./logger.js";
import { createApp } from "./serve/create-app.js";

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
const logger = createLogger(config.logLevel);
process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));

let assistant: Awaited<ReturnType<typeof createAssistant>>;
try {
  assistant = await createAssistant(config, { logger });
} catch (error) {
  logger.fatal({ err: error }, `Cannot start: ${(error as Error).message}`);
  process.exit(1);
}
const app = createApp({
  answerer: assistant.answerer,
  logger,
  protection: { allowedOrigins: config.allowedOrigins, apiKeys: config.apiKeys, rateLimitPerMinute: config.rateLimitPerMinute },
  trustProxy: config.trustProxy,
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

// Finish in-flight requests, then exit; give up after 10 s.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    logger.info({ signal }, "Shutting down");
    server.close(() => process.exit(0));
    // Keep-alive connections turn idle as their last response ends; close each as it does.
    setInterval(() => server.closeIdleConnections(), 50).unref();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
