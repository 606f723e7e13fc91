import { Embeddings } from "@langchain/core/embeddings";

/**
 * A LangChain `Embeddings` that names its model, so a saved index can tell whether it was
 * built by the embedder now configured.
 */
export abstract class Embedder extends Embeddings {
  /** Identifies model and settings, e.g. "local:use-lite" or "openai:text-embedding-3-small". */
  abstract readonly id: string;
}
