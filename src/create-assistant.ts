import type { Logger } from "pino";
import type { Config } from "./config.js";
import { CachedAnswerer } from "./answer/cached-answerer.js";
import { ExtractiveAnswerer } from "./answer/extractive-answerer.js";
import { LlmAnswerer } from "./answer/llm/llm-answerer.js";
import { loadPrompts } from "./answer/llm/load-prompts.js";
import type { Answerer } from "./answer/types.js";
import { ClaimSupport } from "./answer/verify/claim-support.js";
import { IndexClaimEmbeddings } from "./answer/verify/index-claim-embeddings.js";
import { createEmbedder } from "./embed/create-embedder.js";
import type { Embedder } from "./embed/embedder.js";
import { HybridRetriever } from "./retrieve/hybrid-retriever.js";
import { openIndex, type OpenedIndex } from "./search-index/open-index.js";
import { createOpenAiClient } from "./openai-client.js";

export interface Assistant {
  answerer: Answerer;
  retriever: HybridRetriever;
  opened: OpenedIndex;
}

/**
 * Builds the real pipeline from configuration: embedder, index (loaded or rebuilt), retriever and
 * answerer. Entry points (server, CLI, eval) call this; everything below receives its parts.
 */
export async function createAssistant(
  config: Config,
  options: { logger?: Pick<Logger, "info" | "warn">; embedder?: Embedder } = {},
): Promise<Assistant> {
  // Prompts first: a broken template should fail start-up before minutes of indexing.
  const prompts = config.answerer === "openai" ? await loadPrompts(config.promptsDir) : null;
  const embedder = options.embedder ?? createEmbedder(config);
  const opened = await openIndex({ dataDir: config.dataDir, indexDir: config.indexDir, embedder, logger: options.logger });
  const retriever = new HybridRetriever(opened.index, embedder);
  const support = new ClaimSupport(retriever.terms, new IndexClaimEmbeddings(embedder, opened.index));
  const extractive = new ExtractiveAnswerer({ retriever, interviews: opened.interviews, chunks: opened.index.chunks, topK: config.topK, support });
  // Suggestions are checked (each answered, grounded) before the first reader needs them.
  await extractive.suggestions();
  const answerer = prompts
    ? new LlmAnswerer({
        client: createOpenAiClient(config.openai),
        timeoutMs: config.openai.timeoutMs,
        idleTimeoutMs: config.openai.idleTimeoutMs,
        model: config.openai.chatModel,
        prompts,
        retriever,
        fallback: extractive,
        onFailure: config.onLlmFailure,
        support,
        unsupported: config.llmUnsupported,
        maxTokens: config.openai.maxTokens,
        topK: config.topK,
        logger: options.logger,
      })
    : config.answerCacheSize > 0
      ? new CachedAnswerer(extractive, { maxEntries: config.answerCacheSize })
      : extractive;
  return { answerer, retriever, opened };
}
