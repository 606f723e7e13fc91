import { LRUCache } from "lru-cache";
import { QueryAbandonedError } from "../errors.js";
import { Embedder, type EmbedQueryOptions } from "./embedder.js";

/**
 * Wraps an embedder with a bounded LRU cache of query embeddings: a repeated question costs
 * a map lookup instead of a model run. Concurrent requests for the same text share one call.
 */
export class CachedQueryEmbeddings extends Embedder {
  readonly id: string;
  private readonly cache: LRUCache<string, Promise<number[]>> | undefined;

  constructor(
    private readonly inner: Embedder,
    options: { maxEntries: number },
  ) {
    super({});
    this.id = inner.id;
    this.cache = options.maxEntries > 0 ? new LRUCache({ max: options.maxEntries }) : undefined;
  }

  override embedDocuments(texts: string[]): Promise<number[][]> {
    return this.inner.embedDocuments(texts);
  }

  override embedQuery(text: string, options: EmbedQueryOptions = {}): Promise<number[]> {
    if (!this.cache) return this.inner.embedQuery(text, options);
    const cached = this.cache.get(text);
    if (cached) {
      // The call shared here belongs to whoever asked first; if that asker left, this one asks anew.
      return cached.catch((error: unknown) => {
        if (error instanceof QueryAbandonedError && !options.signal?.aborted) return this.embedQuery(text, options);
        throw error;
      });
    }
    const pending = this.inner.embedQuery(text, options);
    this.cache.set(text, pending);
    pending.catch(() => {
      if (this.cache?.peek(text) === pending) this.cache.delete(text);
    });
    return pending;
  }
}
