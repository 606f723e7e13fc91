import type { Logger } from "pino";
import type { Embedder } from "../embed/embedder.js";
import { IndexUnusableError } from "../errors.js";
import { loadCorpus, type SourceFile } from "../ingest/load-corpus.js";
import { parseInterview, type ParsedInterview } from "../ingest/parse-interview.js";
import { buildIndex, describeSources } from "./build-index.js";
import { readIndex, saveIndex } from "./index-store.js";
import type { SearchIndex } from "./search-index.js";

export interface OpenedIndex {
  index: SearchIndex;
  sources: SourceFile[];
  interviews: ParsedInterview[];
  /** Why the index was rebuilt on open, or null when the saved one was used. */
  rebuilt: null | { reason: IndexUnusableError["reason"] | "forced"; message: string };
}

export interface OpenIndexOptions {
  dataDir: string;
  indexDir: string;
  embedder: Embedder;
  logger?: Pick<Logger, "info" | "warn">;
  /** Rebuild even when the saved index is current (`npm run ingest`). */
  force?: boolean;
}

/**
 * Loads the saved index, or builds and saves a new one when it is missing, stale or corrupt,
 * logging why. Every entry point that answers questions goes through here.
 * @throws CorpusError when the data folder cannot be read.
 */
export async function openIndex(options: OpenIndexOptions): Promise<OpenedIndex> {
  const sources = await loadCorpus(options.dataDir);
  const interviews = sources.map(parseInterview);
  let rebuilt: OpenedIndex["rebuilt"] = { reason: "forced", message: "a rebuild was requested" };
  if (!options.force) {
    try {
      const index = await readIndex(options.indexDir, { embedderId: options.embedder.id, sources: describeSources(sources) });
      return { index, sources, interviews, rebuilt: null };
    } catch (error) {
      if (!(error instanceof IndexUnusableError)) throw error;
      rebuilt = { reason: error.reason, message: error.message };
      const log = error.reason === "corrupt" ? options.logger?.warn : options.logger?.info;
      log?.call(options.logger, { reason: error.reason }, `Rebuilding the index: ${error.message}`);
    }
  }
  const started = Date.now();
  const index = await buildIndex(interviews, options.embedder);
  const folder = await saveIndex(index, options.indexDir);
  options.logger?.info(
    { chunks: index.manifest.chunkCount, sentences: index.manifest.sentenceCount, ms: Date.now() - started, folder },
    "Index built",
  );
  return { index, sources, interviews, rebuilt };
}
