import { createHmac } from "node:crypto";
import type { Logger } from "pino";
import type { AnswerKind, AnswerMode, Citation } from "../answer/types.js";
import { InsightsUnavailableError } from "../errors.js";
import { openStore } from "./open-store.js";
import { ReplyIds } from "./reply-ids.js";
import type { InsightsReport, InsightsStore, StoreTarget, TurnRecord, Vote } from "./store.js";

export interface InsightsOptions {
  logger: Logger;
  /** Keep answers' text too (INSIGHTS_STORE_ANSWERS=on); off, only the questions and verdicts. */
  storeAnswers?: boolean;
  /** Turns older than this many days are deleted at start and once a day. */
  retentionDays?: number;
  /** Turns and votes waiting to be written; past it new ones are dropped (and counted) rather than held. */
  maxQueue?: number;
  /** How long a turn may wait for its batch. */
  flushMs?: number;
  /** The longest wait between two attempts at a store that is down, locked or full. */
  maxRetryMs?: number;
  now?: () => number;
  /**
   * SQLite only: how long one write may wait for another process's lock. It holds the event loop
   * while it waits, so it is short, and a batch that meets a longer lock is retried later. Default 25 ms.
   */
  busyTimeoutMs?: number;
  /** Signs reply ids (the session secret, shared by every worker and replica); a key of this process's when absent. */
  idSecret?: Buffer;
  /** How long closing may spend writing what is queued. Default 3 s. */
  closeTimeoutMs?: number;
  /** How often an idle server asks its store whether it answers, so `/readyz` is right without traffic. Default 10 s. */
  probeMs?: number;
}

type Settings = Required<Omit<InsightsOptions, "idSecret">> & Pick<InsightsOptions, "idSecret">;

/** The settings an `InsightsOptions` leaves out. */
function withDefaults(options: InsightsOptions): Settings {
  return {
    storeAnswers: false,
    retentionDays: 30,
    maxQueue: 10_000,
    flushMs: 200,
    maxRetryMs: 5_000,
    now: Date.now,
    busyTimeoutMs: 25,
    closeTimeoutMs: 3_000,
    probeMs: 10_000,
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
  /** The client's address: hashed with the store's salt when written, never stored. */
  clientAddress: string;
}

/** For `/readyz`: the store, whether it takes writes, and what waits for it. */
export interface InsightsHealth {
  store: InsightsStore["kind"];
  status: "ok" | "connecting" | "down";
  queued: number;
  dropped: number;
}

/** A turn or a vote in the queue: the client's address is hashed when the store's salt is known. */
type Pending<T extends { client: string }> = Omit<T, "client"> & { clientAddress: string };

/** Turns written in one statement at most: a long queue after an outage goes out in several. */
const batchSize = 500;

/**
 * The record of what readers ask, kept so that it never slows or fails a reply. Turns and votes
 * wait in one bounded queue and are written in batches off the request path. A store that is
 * down, locked or full keeps its batch, and the queue retries with a growing wait; a batch the
 * store refuses for good (not a passing condition) is logged and counted as dropped, as is
 * anything past a full queue. A store that cannot be opened is retried the same way, and until
 * it opens, feedback and the report answer 503 while questions are answered as ever.
 */
export class Insights {
  private store: InsightsStore | undefined;
  private salt = "";
  private status: InsightsHealth["status"] = "connecting";
  private turns: Array<Pending<TurnRecord>> = [];
  private votes: Array<Pending<Vote>> = [];
  private timer: NodeJS.Timeout | undefined;
  private retention: NodeJS.Timeout | undefined;
  private probe: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failures = 0;
  private closed = false;
  private readonly ids: ReplyIds;
  /** Turns and votes dropped: the queue was full, the store refused them, or closing ran out of time. */
  dropped = 0;

  private constructor(
    private readonly kind: InsightsStore["kind"],
    private readonly openStore: () => Promise<InsightsStore>,
    private readonly options: Settings,
  ) {
    this.ids = new ReplyIds(options.idSecret);
    this.schedule(0);
  }

  /** Starts connecting to the store at once and returns without waiting for it. */
  static open(target: StoreTarget, options: InsightsOptions): Insights {
    const settings = withDefaults(options);
    const kind = "databaseUrl" in target ? "postgres" : "sqlite";
    return new Insights(kind, () => openStore(target, { busyTimeoutMs: settings.busyTimeoutMs }), settings);
  }

  /** Insights over a store of the caller's (tests, another backend). */
  static over(store: InsightsStore, options: InsightsOptions): Insights {
    return new Insights(store.kind, async () => store, withDefaults(options));
  }

  /** Whether the store is open and taking writes. */
  get available(): boolean {
    return this.status === "ok";
  }

  health(): InsightsHealth {
    return {
      store: this.kind,
      status: this.status,
      queued: this.turns.length + this.votes.length,
      dropped: this.dropped,
    };
  }

  /** A new reply id, signed so that any worker or replica sharing the key knows it for one of theirs. */
  newId(prefix = ""): string {
    return this.ids.issue(prefix);
  }

  /** Whether `id` is a reply id this server (or a peer with the same key) gave. */
  gave(id: string): boolean {
    return this.ids.verify(id);
  }

  /** Queues a finished turn; returns at once. */
  record(turn: FinishedTurn): void {
    if (this.closed || !this.admit()) return;
    const chunkIds: string[] = [];
    const sections: string[] = [];
    for (const citation of turn.citations) {
      if (!chunkIds.includes(citation.chunkId)) chunkIds.push(citation.chunkId);
      if (!sections.includes(citation.section)) sections.push(citation.section);
    }
    this.turns.push({
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
      clientAddress: turn.clientAddress,
      answer: this.options.storeAnswers ? turn.answer : null,
    });
    this.schedule(this.options.flushMs);
  }

  /**
   * Queues a vote on a reply; it is written after the turns queued before it.
   * @throws InsightsUnavailableError while the store is down (the reader is told, not silently ignored).
   */
  vote(vote: { id: string; clientAddress: string; rating: "up" | "down"; comment?: string }): void {
    // While the store is still opening, the vote waits in the queue like a turn; only a store that failed refuses it.
    if (this.status === "down" || this.closed) throw new InsightsUnavailableError();
    if (!this.admit()) throw new InsightsUnavailableError();
    this.votes.push({
      id: vote.id,
      clientAddress: vote.clientAddress,
      rating: vote.rating,
      comment: vote.comment ?? null,
      time: this.options.now(),
    });
    this.schedule(this.options.flushMs);
  }

  /** A salted HMAC of the client's address: the same client gets the same hash, and the address cannot be read back. */
  hashClient(address: string): string {
    return createHmac("sha256", this.salt).update(address).digest("hex").slice(0, 32);
  }

  /** Writes what is queued now (after any write under way); never throws. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.writeQueued());
    return this.writing;
  }

  /** Whether a reply id is in the store (what this process queued is written first). */
  async hasTurn(id: string): Promise<boolean> {
    return this.read((store) => store.hasTurn(id));
  }

  /** The report of the last `days` days, over everything written (this process's queue first). */
  async report(days: number): Promise<InsightsReport> {
    return this.read((store) => store.report(days, this.options.now()));
  }

  /** Deletes turns past the retention period; returns how many. */
  async prune(): Promise<number> {
    if (!this.store) return 0;
    try {
      const deleted = await this.store.deleteBefore(this.options.now() - this.options.retentionDays * 86_400_000);
      if (deleted > 0)
        this.options.logger.info({ deleted, retentionDays: this.options.retentionDays }, "Insights: old turns deleted");
      return deleted;
    } catch (error) {
      this.options.logger.error({ err: error }, "Insights retention failed");
      return 0;
    }
  }

  /** Writes what is queued (for at most `closeTimeoutMs`), then closes the store. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retention) clearInterval(this.retention);
    if (this.probe) clearInterval(this.probe);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.closeTimeoutMs)));
    await Promise.race([this.flush(), late]);
    clearTimeout(timer);
    if (this.timer) clearTimeout(this.timer);
    const left = this.turns.length + this.votes.length;
    if (left > 0) {
      this.dropped += left;
      this.options.logger.error(
        { turns: this.turns.length, votes: this.votes.length },
        "Insights: closing with writes the store did not take; dropped",
      );
      this.turns = [];
      this.votes = [];
    }
    await this.store?.close().catch(() => {});
    this.store = undefined;
  }

  /** Room in the queue for one more; counts (and now and then logs) what does not fit. */
  private admit(): boolean {
    if (this.turns.length + this.votes.length < this.options.maxQueue) return true;
    this.dropped += 1;
    if (this.dropped === 1 || this.dropped % 1000 === 0)
      this.options.logger.warn({ dropped: this.dropped }, "Insights queue full; turns dropped");
    return false;
  }

  private async read<T>(query: (store: InsightsStore) => Promise<T>): Promise<T> {
    await this.flush();
    if (!this.store || this.status !== "ok") throw new InsightsUnavailableError();
    try {
      return await query(this.store);
    } catch (error) {
      this.options.logger.error({ err: error }, "Insights read failed");
      throw new InsightsUnavailableError();
    }
  }

  /** A write (or a connection attempt) `delayMs` from now, unless one is due sooner. */
  private schedule(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => void this.flush(), delayMs);
    this.timer.unref();
  }

  private async writeQueued(): Promise<void> {
    const store = this.store ?? (await this.connect());
    if (!store) return;
    while (this.turns.length > 0 || this.votes.length > 0) {
      // Turns first: a vote queued after its turn is never written before it.
      const written =
        this.turns.length > 0
          ? await this.writeBatch(store, this.turns, (batch) => store.insertTurns(batch), "turns")
          : await this.writeBatch(store, this.votes, (batch) => store.upsertVotes(batch), "votes");
      if (!written) return;
    }
  }

  /** Writes the head of `queue`; false when the store is down (the batch stays and a retry is set). */
  private async writeBatch<T extends { client: string }>(
    store: InsightsStore,
    queue: Array<Pending<T>>,
    write: (batch: T[]) => Promise<void>,
    what: "turns" | "votes",
  ): Promise<boolean> {
    const batch = queue.slice(0, batchSize);
    try {
      await write(
        batch.map(
          ({ clientAddress, ...rest }) => ({ ...rest, client: this.hashClient(clientAddress) }) as unknown as T,
        ),
      );
    } catch (error) {
      if (store.isTransient(error)) {
        this.wentDown(
          error,
          "Insights store not taking writes (locked, full or unreachable); keeping the queue and retrying",
        );
        return false;
      }
      this.dropped += batch.length;
      this.options.logger.error({ err: error, [what]: batch.length }, `Insights write refused; ${what} dropped`);
    }
    queue.splice(0, batch.length);
    this.cameBack();
    return true;
  }

  private async connect(): Promise<InsightsStore | undefined> {
    try {
      const store = await this.openStore();
      this.salt = await store.salt();
      this.store = store;
      this.cameBack();
      this.startUpkeep();
      return store;
    } catch (error) {
      this.wentDown(
        error,
        "Insights store unavailable (corrupt, locked, unwritable or unreachable); answering without it and retrying",
      );
      return undefined;
    }
  }

  /** Logged once a streak; the next attempt waits twice as long as the last, up to `maxRetryMs`. */
  private wentDown(error: unknown, message: string): void {
    if (this.status !== "down") this.options.logger.error({ err: error, store: this.kind }, message);
    this.status = "down";
    this.failures += 1;
    this.schedule(Math.min(this.options.maxRetryMs, this.options.flushMs * 2 ** this.failures));
  }

  private cameBack(): void {
    if (this.status === "down") this.options.logger.info({ store: this.kind }, "Insights store available again");
    this.status = "ok";
    this.failures = 0;
  }

  /** Retention at once and daily; a probe of the store while idle. */
  private startUpkeep(): void {
    void this.prune();
    this.retention = setInterval(() => void this.prune(), 86_400_000);
    this.retention.unref();
    // Only while nothing waits: a queue that is being written (or retried) already says how the store is.
    this.probe = setInterval(() => {
      if (this.turns.length + this.votes.length === 0) this.writing = this.writing.then(() => this.ping());
    }, this.options.probeMs);
    this.probe.unref();
  }

  private async ping(): Promise<void> {
    const store = this.store;
    if (!store || this.closed) return;
    try {
      await store.ping();
      this.cameBack();
    } catch (error) {
      if (store.isTransient(error)) this.wentDown(error, "Insights store not answering; retrying");
    }
  }
}
