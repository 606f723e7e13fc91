import cluster from "node:cluster";
import { ClusterMemoryStorePrimary, ClusterMemoryStoreWorker } from "@express-rate-limit/cluster-memory-store";
import type { Store } from "express-rate-limit";
import type { Logger } from "pino";
import type { RedisReply } from "rate-limit-redis";

/** Makes the counter store for one limiter, named so two limiters never share counts. Undefined: this process's memory. */
export type LimitStoreFactory = (name: string) => Store | undefined;

export interface LimitStores {
  storeFor: LimitStoreFactory;
  /** At shutdown: with Redis, QUIT (acknowledged by Redis) before the process goes. */
  close(): Promise<void>;
}

/**
 * Where the rate limits count, so a client's limit is one limit however many processes serve it:
 * in Redis when `redisUrl` is set (every replica of the server shares it), else, in a cluster
 * worker, in the cluster's primary (every worker of this server, and a restarted worker keeps
 * counting), else in this process.
 */
export async function createLimitStores({
  redisUrl,
  logger,
  quitTimeoutMs = 2_000,
}: {
  redisUrl?: string;
  logger?: Pick<Logger, "info" | "warn">;
  quitTimeoutMs?: number;
}): Promise<LimitStores> {
  if (redisUrl) {
    // Imported only with Redis configured: ioredis is 70 ms of a server's start otherwise.
    const [{ Redis }, { RedisStore }] = await Promise.all([import("ioredis"), import("rate-limit-redis")]);
    // One retry per command: with Redis down a request fails (503) after one reconnect attempt
    // instead of waiting for Redis indefinitely. The offline queue stays on, so the stores' start-up
    // commands (SCRIPT LOAD) wait for the first connection rather than failing before it. Named
    // after the process, so an operator's CLIENT LIST says which server holds which connection.
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectionName: `interview-chat:${process.pid}` });
    client.on("error", () => {}); // each failed command reaches its request as an error; reconnects go on in the background
    return {
      storeFor: (name) =>
        new RedisStore({
          prefix: `interview-chat:rl:${name}:`,
          sendCommand: (command: string, ...args: string[]) => client.call(command, ...args) as Promise<RedisReply>,
        }),
      close: async () => {
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
  if (cluster.isWorker) return { storeFor: (name) => new PatientClusterStore({ prefix: name }), close: async () => {} };
  return { storeFor: () => undefined, close: async () => {} };
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
