import type { Logger } from "pino";
import type { Config } from "../config.js";
import { BatchingQueryEmbeddings } from "./batching-embeddings.js";
import { CachedQueryEmbeddings } from "./cached-embeddings.js";
import type { Embedder } from "./embedder.js";
import { LocalEmbeddings } from "./local-embeddings.js";
import { OpenAiEmbeddings } from "./openai-embeddings.js";

/**
 * The configured embedder: concurrent questions batched, repeated ones answered from the cache
 * (which sits in front, so a repeat never waits for a batch). With a logger, each batch is a
 * debug line `query batch` with its size and time.
 */
export function createEmbedder(config: Config, options: { logger?: Pick<Logger, "debug"> } = {}): Embedder {
  const inner =
    config.embeddingProvider === "openai"
      ? new OpenAiEmbeddings({
          apiKey: config.openai.apiKey,
          baseURL: config.openai.baseURL,
          model: config.openai.embeddingModel,
        })
      : new LocalEmbeddings();
  const { logger } = options;
  const batching = new BatchingQueryEmbeddings(inner, {
    ...config.queryBatching,
    onBatch: logger ? (size, ms) => logger.debug({ size, ms: Math.round(ms * 100) / 100 }, "query batch") : undefined,
  });
  return new CachedQueryEmbeddings(batching, { maxEntries: config.queryCacheSize });
}
