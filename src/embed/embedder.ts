import { Embeddings } from "@langchain/core/embeddings";

export interface EmbedQueryOptions {
  /** The asker went away: a question still waiting for its batch leaves it, unembedded. */
  signal?: AbortSignal;
}

/**
 * A LangChain `Embeddings` that names its model, so a saved index can tell whether it was
 * built by the embedder now configured.
 */
export abstract class Embedder extends Embeddings {
  /** Identifies model and settings, e.g. "local:use-lite" or "openai:text-embedding-3-small". */
  abstract readonly id: string;

  /** LangChain's `embedQuery`, plus an optional signal for questions whose asker may leave. */
  abstract override embedQuery(text: string, options?: EmbedQueryOptions): Promise<number[]>;
}
