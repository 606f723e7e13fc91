import { loadConfig } from "./config.js";
import { createAssistant } from "./create-assistant.js";
import { createLogger } from "./logger.js";
import { createApp } from "./serve/create-app.js";
import { ConfigError } from "./config.js";

let config;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
const logger = createLogger(config.logLevel);
const { answerer, opened } = await createAssistant(config, { logger });
const app = createApp({ answerer, logger });
const server = app.listen(config.port, () => {
  logger.info({ port: config.port, chunks: opened.index.manifest.chunkCount, mode: answerer.mode }, `Listening on http://localhost:${config.port}`);
});

// Finish in-flight requests, then exit.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    logger.info({ signal }, "Shutting down");
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
