import { createHmac } from "node:crypto";
import type { Logger } from "pino";
import type { AnswerKind, AnswerMode, Citation } from "../answer/types.js";
import { InsightsUnavailableError } from "../errors.js";
import { SqliteInsightsStore, type InsightsReport, type InsightsStore, type TurnRecord } from "./store.js";

export interface InsightsOptions {
  logger: Logger;
  /** Keep answers' text too (INSIGHTS_STORE_ANSWERS=on); off, only the questions and verdicts. */
  storeAnswers?: boolean;
  /** Turns older than this many days are deleted at start and once a day. */
  retentionDays?: number;
  /** Turns waiting to be written; past it new ones are dropped (and counted) rather than held. */
  maxQueue?: number;
  /** How long a turn may wait for its batch. */
  flushMs?: number;
  now?: () => number;
  /** How long to wait for another process's lock before giving up. Default 5 s. */
  busyTimeoutMs?: number;
}

/** The settings an `InsightsOptions` leaves out. */
function withDefaults(options: InsightsOptions): Required<InsightsOptions> {
  return {
    storeAnswers: false,
    retentionDays: 30,
    maxQueue: 10_000,
    flushMs: 200,
    now: Date.now,
    busyTimeoutMs: 5000,
    ...options,
  };
}

/** What a finished turn tells the store; the route fills it in. */
export interface FinishedTurn {
  id: string;
  question: string;
  standalone?: string | null;
  kind: AnswerKind;
  grounded: boolean;
  mode: AnswerMode;
  degraded?: boolean;
  citations: Citation[];
  answer: string;
  latencyMs: number;
  /** The client's address: hashed here with the store's salt, never stored. */
  clientAddress: string;
}

/**
 * The record of what readers ask, kept so that it never slows or fails a reply: turns wait in a
 * bounded queue and are written in batches off the request path (a failed batch is logged and
 * dropped), and a store that cannot be opened (corrupt, locked, unwritable) is reported once and
 * leaves the server answering, with feedback and the report answering 503.
 */
export class Insights {
  private queue: TurnRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private retention: NodeJS.Timeout | undefined;
  private readonly salt: string;
  /** Turns dropped because the queue was full or their batch failed. */
  dropped = 0;

  private constructor(
    private readonly store: InsightsStore | undefined,
    private readonly options: Required<InsightsOptions>,
  ) {
    this.salt = store?.salt() ?? "";
  }

  /** Opens the SQLite store at `file`; on failure logs why and returns insights that record nothing. */
  static open(file: string, options: InsightsOptions): Insights {
    const settings = withDefaults(options);
    let store: InsightsStore | undefined;
    try {
      store = new SqliteInsightsStore(file, { busyTimeoutMs: settings.busyTimeoutMs });
    } catch (error) {
      options.logger.error(
        { err: error, file },
        "Insights store unavailable (corrupt, locked or unwritable); answering without recording turns",
      );
    }
    const insights = new Insights(store, settings);
    insights.startRetention();
    return insights;
  }

  /** Insights over a store of the caller's (tests, another backend). */
  static over(store: InsightsStore, options: InsightsOptions): Insights {
    return new Insights(store, withDefaults(options));
  }

  get available(): boolean {
    return this.store !== undefined;
  }

  /** A salted HMAC of the client's address: the same client gets the same hash, and the address cannot be read back. */
  hashClient(address: string): string {
    return createHmac("sha256", this.salt).update(address).digest("hex").slice(0, 32);
  }

  /** Queues a finished turn; returns at once. */
  record(turn: FinishedTurn): void {
    if (!this.store) return;
    if (this.queue.length >= this.options.maxQueue) {
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0)
        this.options.logger.warn({ dropped: this.dropped }, "Insights queue full; turns dropped");
      return;
    }
    const chunkIds: string[] = [];
    const sections: string[] = [];
    for (const citation of turn.citations) {
      if (!chunkIds.includes(citation.chunkId)) chunkIds.push(citation.chunkId);
      if (!sections.includes(citation.section)) sections.push(citation.section);
    }
    this.queue.push({
      id: turn.id,
      time: this.options.now(),
      question: turn.question,
      standalone: turn.standalone ?? null,
      kind: turn.kind,
      grounded: turn.grounded,
      mode: turn.mode,
      degraded: Boolean(turn.degraded),
      chunkIds,
      sections,
      latencyMs: Math.round(turn.latencyMs * 100) / 100,
      client: this.hashClient(turn.clientAddress),
      answer: this.options.storeAnswers ? turn.answer : null,
    });
    this.timer ??= setTimeout(() => this.flush(), this.options.flushMs);
    this.timer.unref();
  }

  /** Writes every queued turn now, in one transaction; a failure is logged and the batch dropped. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.store || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    try {
      this.store.insertTurns(batch);
    } catch (error) {
      this.dropped += batch.length;
      this.options.logger.error({ err: error, turns: batch.length }, "Insights write failed; turns dropped");
    }
  }

  /** Whether a response id was recorded (queued turns count: they are written first). */
  hasTurn(id: string): boolean {
    const store = this.require();
    this.flush();
    return store.hasTurn(id);
  }

  vote(vote: { id: string; clientAddress: string; rating: "up" | "down"; comment?: string }): void {
    this.require().upsertVote({
      id: vote.id,
      client: this.hashClient(vote.clientAddress),
      rating: vote.rating,
      comment: vote.comment ?? null,
      time: this.options.now(),
    });
  }

  report(days: number): InsightsReport {
    const store = this.require();
    this.flush();
    return store.report(days, this.options.now());
  }

  /** Deletes turns past the retention period; returns how many. */
  prune(): number {
    if (!this.store) return 0;
    try {
      const deleted = this.store.deleteBefore(this.options.now() - this.options.retentionDays * 86_400_000);
      if (deleted > 0)
        this.options.logger.info({ deleted, retentionDays: this.options.retentionDays }, "Insights: old turns deleted");
      return deleted;
    } catch (error) {
      this.options.logger.error({ err: error }, "Insights retention failed");
      return 0;
    }
  }

  close(): void {
    if (this.retention) clearInterval(this.retention);
    this.flush();
    this.store?.close();
  }

  private startRetention(): void {
    if (!this.store) return;
    this.prune();
    this.retention = setInterval(() => this.prune(), 86_400_000);
    this.retention.unref();
  }

  private require(): InsightsStore {
    if (!this.store) throw new InsightsUnavailableError();
    return this.store;
  }
}
