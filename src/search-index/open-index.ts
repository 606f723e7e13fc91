import type { Logger } from "pino";
import type { Embedder } from "../embed/embedder.js";
import { constants } from "node:fs";
import { access, lstat } from "node:fs/promises";
import path from "node:path";
import { AppError, IndexUnusableError } from "../errors.js";
import { loadCorpus, type SourceFile } from "../ingest/load-corpus.js";
import { parseInterview, type ParsedInterview } from "../ingest/parse-interview.js";
import { buildIndex, describeSources } from "./build-index.js";
import { pruneBuilds, readIndex, saveIndex } from "./index-store.js";
import type { SearchIndex } from "./search-index.js";
import type { VectorIndexKind } from "./vector-index.js";

/** The index must be rebuilt but its folder cannot be written: start-up stops before building. */
export class IndexNotWritableError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("index_not_writable", message, 503, options);
  }
}

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
  /** The vector index's adapter; hnswlib when absent. */
  vectorIndex?: VectorIndexKind;
}

/**
 * Loads the saved index, or builds and saves a new one when it is missing, stale or corrupt,
 * logging why. Every entry point that answers questions goes through here.
 *
 * A stale or broken index in a folder this process cannot write is not served: a stale index's
 * quotes and offsets refer to a transcript that has since changed, so serving it would cite text
 * that is no longer there. Start-up fails at once, before minutes of embedding, naming the folder.
 * @throws CorpusError when the data folder cannot be read.
 * @throws IndexNotWritableError when the index must be rebuilt and its folder is read-only.
 */
export async function openIndex(options: OpenIndexOptions): Promise<OpenedIndex> {
  const sources = await loadCorpus(options.dataDir, { logger: options.logger });
  const interviews = sources.map(parseInterview);
  // Leftovers of crashed or failed builds go first (best effort: a read-only folder keeps them).
  await pruneBuilds(options.indexDir).catch(() => {});
  let rebuilt: OpenedIndex["rebuilt"] = { reason: "forced", message: "a rebuild was requested" };
  if (!options.force) {
    try {
      const index = await readIndex(
        options.indexDir,
        {
          embedderId: options.embedder.id,
          sources: describeSources(sources),
        },
        options.vectorIndex,
      );
      return { index, sources, interviews, rebuilt: null };
    } catch (error) {
      if (!(error instanceof IndexUnusableError)) throw error;
      rebuilt = { reason: error.reason, message: error.message };
      const log = error.reason === "corrupt" ? options.logger?.warn : options.logger?.info;
      log?.call(options.logger, { reason: error.reason }, `Rebuilding the index: ${error.message}`);
    }
  }
  await ensureWritable(options.indexDir, rebuilt.message);
  const started = Date.now();
  const index = await buildIndex(interviews, options.embedder, { vectorIndex: options.vectorIndex });
  const folder = await saveIndex(index, options.indexDir);
  options.logger?.info(
    { chunks: index.manifest.chunkCount, sentences: index.manifest.sentenceCount, ms: Date.now() - started, folder },
    "Index built",
  );
  return { index, sources, interviews, rebuilt };
}

/**
 * Checks, without writing anything, that a build can be written and published: the index folder
 * (or, not made yet, the nearest folder above it) and builds/ when it exists.
 */
async function ensureWritable(indexDir: string, why: string): Promise<void> {
  let folder = indexDir;
  while ((await lstat(folder).catch(() => null)) === null && path.dirname(folder) !== folder)
    folder = path.dirname(folder);
  const builds = path.join(indexDir, "builds");
  for (const target of folder === indexDir && (await lstat(builds).catch(() => null)) ? [indexDir, builds] : [folder]) {
    try {
      await access(target, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      throw new IndexNotWritableError(
        `The index must be rebuilt (${why}) but ${target} is not writable (${code}): give this process write access to it, or run npm run ingest as a user who has it`,
        { cause: error },
      );
    }
  }
}
