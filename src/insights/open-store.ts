import type { InsightsStore, StoreTarget } from "./store.js";

/**
 * Opens the store a target names. Each backend is imported only when used: a server on SQLite
 * never loads pg, one on PostgreSQL never opens a SQLite file.
 * @param busyTimeoutMs SQLite only: how long a call may wait for another process's lock.
 * @throws when the store cannot be opened, reached or migrated.
 */
export async function openStore(
  target: StoreTarget,
  { busyTimeoutMs }: { busyTimeoutMs?: number } = {},
): Promise<InsightsStore> {
  if ("databaseUrl" in target) {
    const { PostgresInsightsStore } = await import("./postgres-store.js");
    return PostgresInsightsStore.open(target.databaseUrl);
  }
  const { SqliteInsightsStore } = await import("./sqlite-store.js");
  return new SqliteInsightsStore(target.file, { busyTimeoutMs });
}

/** How a target is named in logs and messages: the file, or the database's host and name (never its password). */
export function describeTarget(target: StoreTarget): string {
  if ("file" in target) return target.file;
  const url = new URL(target.databaseUrl);
  return `postgresql://${url.host}${url.pathname}`;
}
