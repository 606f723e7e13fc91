import { LRUCache } from "lru-cache";
import { Embedder } from "./embedder.js";

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

  override embedQuery(text: string): Promise<number[]> {
    if (!this.cache) return this.inner.embedQuery(text);
    const cached = this.cache.get(text);
    if (cached) return cached;
    const pending = this.inner.embedQuery(text);
    this.cache.set(text, pending);
    pending.catch(() => this.cache?.delete(text));
    return pending;
  }
}
