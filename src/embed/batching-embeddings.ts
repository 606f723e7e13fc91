import { OverloadedError, QueryAbandonedError } from "../errors.js";
import { Embedder, type EmbedQueryOptions } from "./embedder.js";

export interface QueryBatchingOptions {
  /** Most questions embedded in one encoder call; 1 turns batching (and its queue) off. */
  maxBatch: number;
  /**
   * 0: a batch is whatever has gathered by the next turn of the event loop. Above 0: once the
   * last batch held more than one question (so others are asking), a batch waits up to this long
   * to fill. A lone question never waits: the last batch it follows held one question, itself.
   */
  maxWaitMs: number;
  /** Questions waiting for a batch (not yet in the encoder) past which a new one is refused. */
  maxQueued: number;
  /** Seconds a refused client is told to wait (`Retry-After`). Default 1: a batch takes about 0.1 s. */
  retryAfterSeconds?: number;
  /** Told after every encoder call how many questions it held and how long it took. */
  onBatch?: (size: number, ms: number) => void;
}

interface Waiting {
  text: string;
  resolve(vector: number[]): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * Embeds the questions that wait at the same time in one encoder call. The encoder is much
 * cheaper per text in a batch (bench/encoder-batches.ts), so under load each process answers
 * more questions per second, and no question waits behind the others' separate calls.
 * Questions are gathered while the event loop reads the requests that arrived (the synchronous
 * encoder blocks it, so those that arrive during one batch make the next), and embedded together
 * through the inner embedder's `embedDocuments`. Past `maxQueued` waiting, a question is refused
 * with an `OverloadedError` (a 503 with `Retry-After`); a question whose asker left is taken out
 * of the queue before its batch runs.
 */
export class BatchingQueryEmbeddings extends Embedder {
  readonly id: string;
  private readonly queue: Waiting[] = [];
  private scheduled: { cancel(): void; waiting: boolean } | undefined;
  private running = false;
  private lastBatchSize = 0;

  constructor(
    private readonly inner: Embedder,
    private readonly options: QueryBatchingOptions,
  ) {
    super({});
    this.id = inner.id;
  }

  override embedDocuments(texts: string[]): Promise<number[][]> {
    return this.inner.embedDocuments(texts);
  }

  override embedQuery(text: string, options: EmbedQueryOptions = {}): Promise<number[]> {
    if (this.options.maxBatch <= 1) return this.inner.embedQuery(text, options);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new QueryAbandonedError({ cause: signal.reason }));
    if (this.queue.length >= this.options.maxQueued) {
      return Promise.reject(
        new OverloadedError(
          `The server is busy: ${this.queue.length} questions are waiting. Try again shortly.`,
          this.options.retryAfterSeconds ?? 1,
        ),
      );
    }
    return new Promise<number[]>((resolve, reject) => {
      const waiting: Waiting = { text, resolve, reject, signal };
      if (signal) {
        waiting.onAbort = () => {
          const at = this.queue.indexOf(waiting);
          if (at < 0) return; // already in the encoder: its vector is on its way
          this.queue.splice(at, 1);
          reject(new QueryAbandonedError({ cause: signal.reason }));
        };
        signal.addEventListener("abort", waiting.onAbort, { once: true });
      }
      this.queue.push(waiting);
      this.schedule();
    });
  }

  /** Questions waiting for a batch now (for tests and diagnostics). */
  get waiting(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.running) return; // the batch in the encoder schedules the next when it ends
    const full = this.queue.length >= this.options.maxBatch;
    if (this.scheduled) {
      if (!full || !this.scheduled.waiting) return;
      this.scheduled.cancel(); // a waiting batch that filled goes at once
    }
    if (this.options.maxWaitMs > 0 && this.lastBatchSize > 1 && !full) {
      const timer = setTimeout(() => void this.flush(), this.options.maxWaitMs);
      this.scheduled = { cancel: () => clearTimeout(timer), waiting: true };
    } else {
      const immediate = setImmediate(() => void this.flush());
      this.scheduled = { cancel: () => clearImmediate(immediate), waiting: false };
    }
  }

  private async flush(): Promise<void> {
    this.scheduled = undefined;
    const batch = this.queue.splice(0, this.options.maxBatch);
    if (batch.length === 0) return;
    for (const waiting of batch) if (waiting.onAbort) waiting.signal!.removeEventListener("abort", waiting.onAbort);
    this.running = true;
    this.lastBatchSize = batch.length;
    const started = performance.now();
    try {
      const vectors = await this.inner.embedDocuments(batch.map((waiting) => waiting.text));
      batch.forEach((waiting, i) => waiting.resolve(vectors[i]!));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      this.running = false;
      this.options.onBatch?.(batch.length, performance.now() - started);
      if (this.queue.length > 0) this.schedule();
    }
  }
}
