import cluster from "node:cluster";
import { ClusterMemoryStorePrimary, ClusterMemoryStoreWorker } from "@express-rate-limit/cluster-memory-store";
import {
  MemoryStore,
  type ClientRateLimitInfo,
  type IncrementResponse,
  type Options,
  type Store,
} from "express-rate-limit";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { RedisReply, RedisStore } from "rate-limit-redis";

/** Makes the counter store for one limiter, named so two limiters never share counts. Undefined: this process's memory. */
export type LimitStoreFactory = (name: string) => Store | undefined;

/**
 * Where the limits count now, for a readiness check: "ok" in Redis; "down" in this process, as
 * Redis cannot be reached (the limits still hold, per process); "off" without REDIS_URL.
 */
export interface LimitStoresHealth {
  redis: "ok" | "down" | "off";
}

export interface LimitStores {
  storeFor: LimitStoreFactory;
  health(): LimitStoresHealth;
  /** At shutdown: with Redis, QUIT (acknowledged by Redis) before the process goes. */
  close(): Promise<void>;
}

type LimitLogger = Pick<Logger, "info" | "warn">;

// Measured on 127.0.0.1 (2,000 EVALSHA of the increment script): 0.14 ms median, 3.4 ms p99, 8 ms
// at most; a new connection was ready in 2.7 ms. A Redis on the same network answers within a few
// ms, so these bound a Redis that is gone or hung (SIGSTOP: no reply ever, no closed socket), not a
// slow one. Before them, a hung Redis held every request until the client gave up (15 s measured),
// and an unreachable host held them for ioredis's default connectTimeout, 10 s.
/** A command with no reply by then fails, and its request counts in the fallback: a request waits at most this long once. */
const commandTimeoutMs = 500;
/**
 * ioredis's own command timeout, behind `replyWithin`: it fires in the timers phase, before a reply
 * already waiting in the socket is read, so a worker busy embedding for longer than
 * commandTimeoutMs (a loaded machine: 3 of 20 requests counted in the fallback, npm test on 2
 * cores with 3 test files at once) would take Redis for gone.
 */
const backstopTimeoutMs = 10_000;
/** A TCP connection not established by then (a host that drops packets) fails, and ioredis tries again. */
const connectTimeoutMs = 1_000;
/** Reconnect attempts back off to one a second, so Redis is back in use about a second after it is. */
const reconnectCapMs = 1_000;
/** While down on a connection that still looks open (a hung Redis), PING this often to notice it answers again. */
const probeIntervalMs = 1_000;
/** At start, how long to wait for Redis's first answer (a hung one never answers its ready check). */
const startWaitMs = connectTimeoutMs + commandTimeoutMs;

/**
 * Where the rate limits count, so a client's limit is one limit however many processes serve it:
 * in Redis when `redisUrl` is set (every replica of the server shares it), else, in a cluster
 * worker, in the cluster's primary (every worker of this server, and a restarted worker keeps
 * counting), else in this process.
 *
 * With Redis, a Redis that cannot be reached (gone, hung, not yet up at start) does not fail or hold
 * requests: the limits count in this process's memory meanwhile (per process, so a client may get
 * up to one limit per process) and go back to Redis once it answers again. One warning line when
 * they fall back, one info line when they are back.
 */
export async function createLimitStores({
  redisUrl,
  logger,
  quitTimeoutMs = 2_000,
}: {
  redisUrl?: string;
  logger?: LimitLogger;
  quitTimeoutMs?: number;
}): Promise<LimitStores> {
  if (redisUrl) {
    // Imported only with Redis configured: ioredis is 70 ms of a server's start otherwise.
    const [{ Redis }, { RedisStore }] = await Promise.all([import("ioredis"), import("rate-limit-redis")]);
    // No offline queue and no retries: a command sent while Redis is not connected, or in flight when
    // its connection closes, fails at once (the request counts in the fallback) instead of waiting
    // for a reconnect. Named after the process, so an operator's CLIENT LIST says which server holds
    // which connection.
    const client = new Redis(redisUrl, {
      connectionName: `interview-chat:${process.pid}`,
      connectTimeout: connectTimeoutMs,
      commandTimeout: backstopTimeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(attempt * 100, reconnectCapMs),
    });
    const redis = new RedisCounting(client, redisAddress(redisUrl), logger);
    await redis.start();
    return {
      storeFor: (name) =>
        new FallingBackStore(
          new RedisStore({
            prefix: `interview-chat:rl:${name}:`,
            sendCommand: (command: string, ...args: string[]) =>
              replyWithin(client.call(command, ...args) as Promise<RedisReply>, commandTimeoutMs),
          }),
          // Not the cluster store: with REDIS_URL the primary does not hold counts (src/main.ts).
          new MemoryStore(),
          redis,
        ),
      health: () => ({ redis: redis.state === "ok" ? "ok" : "down" }),
      close: async () => {
        redis.stop();
        // QUIT, so Redis answers what it was sent and closes its side as for a client that left,
        // rather than finding the socket dropped by an exiting process. A Redis that does not
        // answer in time (down, unreachable) is dropped: shutdown is not held up for it.
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), quitTimeoutMs)));
        const quit = client.quit().then(
          () => "quit" as const,
          () => "failed" as const,
        );
        const outcome = await Promise.race([quit, late]);
        clearTimeout(timer);
        if (outcome === "quit") logger?.info("Redis connection closed (QUIT)");
        else logger?.warn({ outcome }, "Redis did not acknowledge QUIT; connection dropped");
        client.disconnect();
      },
    };
  }
  const off = () => ({ redis: "off" as const });
  if (cluster.isWorker)
    return { storeFor: (name) => new PatientClusterStore({ prefix: name }), health: off, close: async () => {} };
  return { storeFor: () => undefined, health: off, close: async () => {} };
}

/** Redis's host:port, for the logs: never the URL, which may hold a password. */
function redisAddress(redisUrl: string): string {
  try {
    const url = new URL(redisUrl);
    return `${url.hostname}:${url.port || "6379"}`;
  } catch {
    return "REDIS_URL";
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether the limits count in Redis now, and the switching: down as soon as a command fails or the
 * connection closes; back once Redis answers a PING and has loaded every store's scripts again (a
 * restarted Redis has none, and a store that started with Redis down never loaded them).
 */
class RedisCounting {
  state: "starting" | "ok" | "down" = "starting";
  private readonly stores = new Set<FallingBackStore>();
  /** Counts the failures, so a probe that raced one does not declare Redis back. */
  private failures = 0;
  private probing = false;
  private stopped = false;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Redis,
    private readonly address: string,
    private readonly logger: LimitLogger | undefined,
  ) {
    // Failed connection attempts: the state says Redis is down, and reconnects go on in the background.
    client.on("error", () => {});
    client.on("close", () => this.fail(new Error("connection closed")));
    client.on("ready", () => void this.probe());
  }

  /** Waits for Redis's first answer (or its failure), so a start with Redis unreachable says so once. */
  async start(): Promise<void> {
    const outcome = await new Promise<Error | undefined>((resolve) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        this.client.off("ready", onReady);
        this.client.off("error", settle);
        resolve(error);
      };
      const onReady = () => settle();
      const timer = setTimeout(() => settle(new Error(`no answer in ${startWaitMs} ms`)), startWaitMs);
      this.client.once("ready", onReady);
      this.client.once("error", settle);
    });
    if (!outcome) {
      this.state = "ok";
      return;
    }
    this.state = "down";
    this.logger?.warn(
      { redis: this.address, reason: reasonOf(outcome) },
      `Redis at ${this.address} is unreachable at start; rate limits count in this process until it answers`,
    );
    this.probeTimer = setInterval(() => void this.probe(), probeIntervalMs).unref();
  }

  register(store: FallingBackStore): void {
    this.stores.add(store);
  }

  /** A command failed or the connection closed: count in the fallback until Redis answers again. */
  fail(error: unknown): void {
    this.failures++;
    if (this.stopped || this.state !== "ok") return;
    this.state = "down";
    this.logger?.warn(
      { redis: this.address, reason: reasonOf(error) },
      `Redis at ${this.address} cannot be reached; rate limits count in this process until it is back`,
    );
    this.probeTimer = setInterval(() => void this.probe(), probeIntervalMs).unref();
  }

  private async probe(): Promise<void> {
    if (this.state !== "down" || this.probing || this.stopped || this.client.status !== "ready") return;
    this.probing = true;
    const failures = this.failures;
    try {
      await replyWithin(this.client.ping(), commandTimeoutMs);
      await Promise.all([...this.stores].map((store) => store.loadScripts()));
      if (this.stopped || failures !== this.failures) return;
      this.state = "ok";
      clearInterval(this.probeTimer);
      this.logger?.info({ redis: this.address }, `Redis at ${this.address} is back; rate limits count in Redis again`);
    } catch {
      // Still down: the next probe (or 'ready') tries again.
    } finally {
      this.probing = false;
    }
  }

  /** At shutdown: the closing connection is not Redis going down. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.probeTimer);
  }
}

/**
 * express-rate-limit's store for one limiter: Redis's while Redis answers, this process's memory
 * while it does not. A request never fails for Redis: a failed Redis command is counted again in
 * the fallback. The two do not share counts, so a client's count starts again in the fallback
 * (and in Redis after it, from where Redis left it, as long as its window lasts).
 */
class FallingBackStore implements Store {
  /** Redis's keys are seen by every process: express-rate-limit's double-count check goes by prefix. */
  readonly localKeys = false;
  readonly prefix: string;
  private options: Options | undefined;

  constructor(
    private readonly redisStore: RedisStore,
    private readonly fallback: Store,
    private readonly redis: RedisCounting,
  ) {
    this.prefix = redisStore.prefix;
  }

  async init(options: Options): Promise<void> {
    this.options = options;
    await this.fallback.init?.(options);
    this.redis.register(this);
    // With Redis down, its scripts are loaded once it is back (RedisCounting's probe): rate-limit-redis
    // keeps a failed SCRIPT LOAD as the script's id, so every later command would fail with it.
    if (this.redis.state === "ok") await this.loadScripts().catch((error: unknown) => this.redis.fail(error));
  }

  /** SCRIPT LOAD of the store's scripts (rate-limit-redis's init). */
  loadScripts(): Promise<void> {
    return this.redisStore.init(this.options!);
  }

  get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.either(
      () => this.redisStore.get(key),
      () => this.fallback.get?.(key),
    );
  }

  increment(key: string): Promise<IncrementResponse> {
    return this.either(
      () => this.redisStore.increment(key),
      () => this.fallback.increment(key),
    );
  }

  decrement(key: string): Promise<void> {
    return this.either(
      () => this.redisStore.decrement(key),
      () => this.fallback.decrement(key),
    );
  }

  async resetKey(key: string): Promise<void> {
    await Promise.all([
      this.either(
        () => this.redisStore.resetKey(key),
        () => undefined,
      ),
      this.fallback.resetKey(key),
    ]);
  }

  async shutdown(): Promise<void> {
    await this.fallback.shutdown?.();
  }

  private async either<T>(inRedis: () => Promise<T>, inFallback: () => T | Promise<T>): Promise<T> {
    if (this.redis.state === "ok") {
      try {
        return await inRedis();
      } catch (error) {
        this.redis.fail(error);
      }
    }
    return inFallback();
  }
}

/**
 * `reply`, or a failure once `ms` have passed with no reply. Late by the clock is not late yet: the
 * timer may fire after a long synchronous task with the reply already in the socket, so the loop
 * reads its pending I/O once (setImmediate runs after the poll phase) before the reply counts as missing.
 */
export function replyWithin<T>(reply: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => setImmediate(() => reject(new Error(`no reply in ${ms} ms`))), ms);
    reply.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * The cluster store waits at most 1 s for the primary's count, timed in the worker's own event loop:
 * a worker busy embedding a question for longer (a loaded machine) times out with the answer
 * already waiting in its pipe, and the request fails. 10 s still ends a wait on a primary that is gone.
 */
class PatientClusterStore extends ClusterMemoryStoreWorker {
  override async increment(key: string) {
    const send = (
      this as unknown as {
        send(command: string, args: unknown[], timeoutMs: number): Promise<{ totalHits: number; resetTime: string }>;
      }
    ).send.bind(this);
    const { totalHits, resetTime } = await send("increment", [key], 10_000);
    return { totalHits, resetTime: new Date(resetTime) };
  }
}

/** In the cluster's primary, before forking: holds the counts the workers' stores send it. */
export function shareLimitsWithWorkers(): void {
  new ClusterMemoryStorePrimary().init();
}
