import type { Config } from "../config.js";
import { CachedQueryEmbeddings } from "./cached-embeddings.js";
import type { Embedder } from "./embedder.js";
import { LocalEmbeddings } from "./local-embeddings.js";
import { OpenAiEmbeddings } from "./openai-embeddings.js";

/** The configured embedder, with its query cache. */
export function createEmbedder(config: Config): Embedder {
  const inner =
    config.embeddingProvider === "openai"
      ? new OpenAiEmbeddings({ apiKey: config.openai.apiKey, baseURL: config.openai.baseURL, model: config.openai.embeddingModel })
      : new LocalEmbeddings();
  return new CachedQueryEmbeddings(inner, { maxEntries: config.queryCacheSize });
}
