import type { Logger } from "pino";
import type { Config } from "./config.js";
import { CachedAnswerer } from "./answer/cached-answerer.js";
import { ExtractiveAnswerer } from "./answer/extractive-answerer.js";
import { speakerNames } from "./answer/speaker-names.js";
import { TimedAnswerer } from "./answer/timed-answerer.js";
import type { Answerer } from "./answer/types.js";
import { ClaimSupport } from "./answer/verify/claim-support.js";
import { IndexClaimEmbeddings } from "./answer/verify/index-claim-embeddings.js";
import { createEmbedder } from "./embed/create-embedder.js";
import type { Embedder } from "./embed/embedder.js";
import { HybridRetriever } from "./retrieve/hybrid-retriever.js";
import { openIndex, type OpenedIndex } from "./search-index/open-index.js";

export interface Assistant {
  answerer: Answerer;
  retriever: HybridRetriever;
  opened: OpenedIndex;
  /**
   * Checks the suggestions (answers each, keeps the grounded ones), once; never rejects. The server
   * starts it a second after it listens, so the check (which loads the encoder) never delays the
   * start; a reply that needs suggestions before then starts the same check and waits for it.
   */
  checkSuggestions(): Promise<void>;
}

/**
 * Builds the real pipeline from configuration: embedder, index (loaded or rebuilt), retriever and
 * answerer. Entry points (server, CLI, eval) call this; everything below receives its parts.
 */
export async function createAssistant(
  config: Config,
  options: { logger?: Pick<Logger, "info" | "warn">; embedder?: Embedder } = {},
): Promise<Assistant> {
  // The LLM answerer's modules (openai, LangChain's prompts: 240 ms of imports) load only in LLM mode.
  const llm =
    config.answerer === "openai"
      ? await Promise.all([
          import("./answer/llm/llm-answerer.js"),
          import("./answer/llm/load-prompts.js"),
          import("./openai-client.js"),
          import("./answer/model/openai-chat-model.js"),
        ])
      : null;
  // Prompts first: a broken template should fail start-up before minutes of indexing.
  const prompts = llm ? await llm[1].loadPrompts(config.promptsDir) : null;
  const embedder = options.embedder ?? createEmbedder(config);
  const opened = await openIndex({
    dataDir: config.dataDir,
    indexDir: config.indexDir,
    embedder,
    logger: options.logger,
  });
  const retriever = new HybridRetriever(opened.index, embedder);
  // Who speaks in each file: the claim check and the extractive answerer read the same names.
  const speakers = speakerNames(opened.interviews, retriever.terms);
  const support = new ClaimSupport(retriever.terms, new IndexClaimEmbeddings(embedder, opened.index), speakers);
  const extractive = new ExtractiveAnswerer({
    retriever,
    interviews: opened.interviews,
    chunks: opened.index.chunks,
    topK: config.topK,
    support,
    embedder,
    speakers,
  });
  // Checking the suggestions loads the encoder and answers every candidate: 1.7 of the 2.25 s a compiled
  // start took to /healthz on an idle 2-core machine when it ran before listening. A failure is logged,
  // and the replies that would carry suggestions go without.
  let checked: Promise<void> | undefined;
  const checkSuggestions = () =>
    (checked ??= extractive.suggestions().then(
      () => undefined,
      (error: unknown) => options.logger?.warn({ err: error }, "suggestions could not be checked"),
    ));
  const answering =
    llm && prompts
      ? new llm[0].LlmAnswerer({
          model: new llm[3].OpenAiChatModel(llm[2].createOpenAiClient(config.openai), config.openai.chatModel),
          timeoutMs: config.openai.timeoutMs,
          idleTimeoutMs: config.openai.idleTimeoutMs,
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
  // Citations from timestamped sources carry their moment in the recording.
  const times = new Map(
    opened.sources.flatMap((source) => (source.times?.length ? [[source.name, source.times]] : [])),
  );
  const answerer = times.size > 0 ? new TimedAnswerer(answering, times) : answering;
  return { answerer, retriever, opened, checkSuggestions };
}
