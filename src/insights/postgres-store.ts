import { randomBytes } from "node:crypto";
import pg from "pg";
import type { AnswerKind } from "../answer/types.js";
import {
  normalizeQuestion,
  type EvalCandidate,
  type InsightsReport,
  type InsightsStore,
  type TurnRecord,
  type Vote,
} from "./store.js";

/**
 * Versioned migrations, applied in order by whichever replica starts first (under an advisory
 * lock, so two replicas starting together never both run one). Append only: never edit one that
 * has shipped. The tables are prefixed, so the store can share a database with other software.
 */
const migrations: string[] = [
  `CREATE TABLE insights_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE insights_turns (
     id TEXT PRIMARY KEY,
     time BIGINT NOT NULL,
     question TEXT NOT NULL,
     normalized TEXT NOT NULL,
     standalone TEXT,
     kind TEXT NOT NULL,
     grounded BOOLEAN NOT NULL,
     mode TEXT NOT NULL,
     degraded BOOLEAN NOT NULL,
     chunk_ids JSONB NOT NULL,
     sections JSONB NOT NULL,
     latency_ms DOUBLE PRECISION NOT NULL,
     client TEXT NOT NULL,
     answer TEXT
   );
   CREATE INDEX insights_turns_time ON insights_turns (time);
   CREATE TABLE insights_votes (
     id TEXT NOT NULL,
     client TEXT NOT NULL,
     rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
     comment TEXT,
     time BIGINT NOT NULL,
     PRIMARY KEY (id, client)
   );
   CREATE INDEX insights_votes_time ON insights_votes (time);`,
];

/** The advisory lock of the migrations: "intervie" in ASCII as a 64-bit number, unlikely to be another program's. */
const migrationLock = "7597137600481487205";

/**
 * SQLSTATE classes a later attempt may not meet: connection trouble (08), insufficient resources
 * such as a full disk (53), an operator's shutdown or a statement timeout (57), system errors (58),
 * a rolled-back transaction (40), a lock not available (55P03).
 */
const transientStates = /^(08|53|57|58|40)|^55P03$/;

/** How long a replica waits for a connection, a statement and a whole query before counting a failure. */
export interface PostgresTimeouts {
  connectMs: number;
  statementMs: number;
}

/**
 * The store replicas share: PostgreSQL through a small pool. Every call fails within the timeouts
 * when the database is down or slow, so the queue in front of it (src/insights/insights.ts) keeps
 * its turns and retries, and no reply ever waits for it.
 */
export class PostgresInsightsStore implements InsightsStore {
  readonly kind = "postgres";

  private constructor(
    private readonly pool: pg.Pool,
    private readonly saltValue: string,
  ) {}

  /**
   * Connects, migrates to the latest schema version and reads the salt.
   * @throws when the database cannot be reached or migrated within the timeouts.
   */
  static async open(
    connectionString: string,
    { connectMs = 2_000, statementMs = 5_000 }: Partial<PostgresTimeouts> = {},
  ): Promise<PostgresInsightsStore> {
    const pool = new pg.Pool({
      connectionString,
      // Writes come in batches from one queue per process, reports are rare: a few connections do.
      max: 4,
      connectionTimeoutMillis: connectMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: statementMs,
      // The client's own deadline, for a server that stops answering altogether.
      query_timeout: statementMs + 1_000,
      application_name: "interview-chat",
    });
    // An idle connection that the server drops emits here; without a listener it would end the
    // process. The next query opens another connection (or fails, and its batch is retried).
    pool.on("error", () => {});
    try {
      return new PostgresInsightsStore(pool, await migrate(pool));
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
  }

  async salt(): Promise<string> {
    return this.saltValue;
  }

  async insertTurns(turns: TurnRecord[]): Promise<void> {
    const rows = turns.map((turn) => ({
      id: turn.id,
      time: turn.time,
      question: text(turn.question),
      normalized: text(normalizeQuestion(turn.question)),
      standalone: turn.standalone === null ? null : text(turn.standalone),
      kind: turn.kind,
      grounded: turn.grounded,
      mode: turn.mode,
      degraded: turn.degraded,
      chunk_ids: turn.chunkIds.map(text),
      sections: turn.sections.map(text),
      latency_ms: turn.latencyMs,
      client: turn.client,
      answer: turn.answer === null ? null : text(turn.answer),
    }));
    // One statement for the whole batch: the rows travel as one JSON parameter.
    await this.pool.query(
      `INSERT INTO insights_turns (id, time, question, normalized, standalone, kind, grounded, mode, degraded, chunk_ids, sections, latency_ms, client, answer)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id TEXT, time BIGINT, question TEXT, normalized TEXT, standalone TEXT,
         kind TEXT, grounded BOOLEAN, mode TEXT, degraded BOOLEAN, chunk_ids JSONB, sections JSONB, latency_ms DOUBLE PRECISION,
         client TEXT, answer TEXT)
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  async hasTurn(id: string): Promise<boolean> {
    return (await this.pool.query("SELECT 1 FROM insights_turns WHERE id = $1", [id])).rowCount === 1;
  }

  async upsertVotes(votes: Vote[]): Promise<void> {
    // One statement may not update a row twice: of several votes by one client on one reply, the last.
    const latest = new Map(votes.map((vote) => [`${vote.id}\u0000${vote.client}`, vote]));
    const rows = [...latest.values()].map((vote) => ({
      ...vote,
      comment: vote.comment === null ? null : text(vote.comment),
    }));
    await this.pool.query(
      `INSERT INTO insights_votes (id, client, rating, comment, time)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(id TEXT, client TEXT, rating TEXT, comment TEXT, time BIGINT)
       ON CONFLICT (id, client) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, time = excluded.time`,
      [JSON.stringify(rows)],
    );
  }

  async deleteBefore(before: number): Promise<number> {
    await this.pool.query("DELETE FROM insights_votes WHERE time < $1", [before]);
    return (await this.pool.query("DELETE FROM insights_turns WHERE time < $1", [before])).rowCount ?? 0;
  }

  async report(days: number, now = Date.now()): Promise<InsightsReport> {
    const since = now - days * 86_400_000;
    const all = async <Row>(sql: string) => (await this.pool.query(sql, [since])).rows as Row[];
    const [kinds, byDay, [latency], topQuestions, unanswered, thumbsDown, votes, topSections] = await Promise.all([
      all<{ kind: AnswerKind; n: number }>(
        "SELECT kind, count(*)::int AS n FROM insights_turns WHERE time >= $1 GROUP BY kind",
      ),
      all<InsightsReport["byDay"][number]>(
        `SELECT to_char(to_timestamp(time / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
                count(*) FILTER (WHERE kind = 'answer')::int AS answer,
                count(*) FILTER (WHERE kind = 'no_answer')::int AS no_answer,
                count(*) FILTER (WHERE kind = 'smalltalk')::int AS smalltalk
         FROM insights_turns WHERE time >= $1 GROUP BY day ORDER BY day`,
      ),
      // percentile_disc is the nearest rank, as the SQLite store computes it.
      all<{ p: number[] | null }>(
        "SELECT percentile_disc(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY latency_ms) AS p FROM insights_turns WHERE time >= $1",
      ),
      all<InsightsReport["topQuestions"][number]>(
        `SELECT normalized AS question, count(*)::int AS count FROM insights_turns WHERE time >= $1 AND kind <> 'smalltalk'
         GROUP BY normalized ORDER BY count DESC, max(time) DESC, normalized COLLATE "C" LIMIT 20`,
      ),
      all<{ question: string; count: number; last: string }>(
        `SELECT normalized AS question, count(*)::int AS count, max(time) AS last FROM insights_turns
         WHERE time >= $1 AND kind = 'no_answer'
         GROUP BY normalized ORDER BY count DESC, last DESC, normalized COLLATE "C" LIMIT 50`,
      ),
      all<{ id: string; time: string; question: string; answer: string | null; comment: string | null }>(
        `SELECT t.id, v.time, t.question, t.answer, v.comment FROM insights_votes v JOIN insights_turns t ON t.id = v.id
         WHERE v.rating = 'down' AND v.time >= $1 ORDER BY v.time DESC, t.id COLLATE "C" LIMIT 100`,
      ),
      all<{ rating: "up" | "down"; n: number }>(
        `SELECT v.rating, count(*)::int AS n FROM insights_votes v JOIN insights_turns t ON t.id = v.id
         WHERE v.time >= $1 GROUP BY v.rating`,
      ),
      // A turn citing a section twice counts it once.
      all<InsightsReport["topSections"][number]>(
        `SELECT section, count(*)::int AS count FROM (
           SELECT DISTINCT t.id, s.section FROM insights_turns t CROSS JOIN LATERAL jsonb_array_elements_text(t.sections) AS s(section)
           WHERE t.time >= $1) cited
         GROUP BY section ORDER BY count DESC, section COLLATE "C" LIMIT 20`,
      ),
    ]);
    const byKind: Record<AnswerKind, number> = { answer: 0, no_answer: 0, smalltalk: 0 };
    for (const { kind, n } of kinds) byKind[kind] = n;
    const feedback = { up: 0, down: 0 };
    for (const { rating, n } of votes) feedback[rating] = n;
    const questions = byKind.answer + byKind.no_answer;
    const [p50 = null, p90 = null, p99 = null] = latency?.p ?? [];
    return {
      days,
      since: new Date(since).toISOString(),
      total: questions + byKind.smalltalk,
      byKind,
      byDay,
      answerRate: questions === 0 ? null : byKind.answer / questions,
      latencyMs: { p50, p90, p99 },
      topQuestions,
      unanswered: unanswered.map((row) => ({ ...row, last: new Date(Number(row.last)).toISOString() })),
      thumbsDown: thumbsDown.map((row) => ({ ...row, time: new Date(Number(row.time)).toISOString() })),
      feedback,
      topSections,
    };
  }

  async evalCandidates(since: number): Promise<EvalCandidate[]> {
    const unanswered = await this.pool.query<{ question: string; count: number }>(
      `SELECT min(question COLLATE "C") AS question, count(*)::int AS count FROM insights_turns
       WHERE time >= $1 AND kind = 'no_answer' GROUP BY normalized ORDER BY count DESC, question`,
      [since],
    );
    const disliked = await this.pool.query<{ question: string; count: number; comment: string | null }>(
      `SELECT min(t.question COLLATE "C") AS question, count(*)::int AS count, max(v.comment) AS comment
       FROM insights_votes v JOIN insights_turns t ON t.id = v.id
       WHERE v.rating = 'down' AND v.time >= $1 GROUP BY t.normalized ORDER BY count DESC, question`,
      [since],
    );
    return [
      ...unanswered.rows.map((row) => ({ ...row, reason: "unanswered" as const, comment: null })),
      ...disliked.rows.map((row) => ({ ...row, reason: "thumbs_down" as const })),
    ];
  }

  /** Version of the schema this database is at. */
  async schemaVersion(): Promise<number> {
    const { rows } = await this.pool.query<{ version: number | null }>(
      "SELECT max(version) AS version FROM insights_migrations",
    );
    return rows[0]?.version ?? 0;
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  isTransient(error: unknown): boolean {
    const code = (error as { code?: unknown } | undefined)?.code;
    // pg's own connection failures ("Connection terminated", "timeout exceeded when trying to
    // connect", a query timeout) carry no SQLSTATE; socket errors carry Node's (ECONNREFUSED…).
    if (code === undefined || (typeof code === "string" && code.startsWith("E"))) return error instanceof Error;
    return typeof code === "string" && transientStates.test(code);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Runs the migrations this database has not had, under the advisory lock; returns the salt. */
async function migrate(pool: pg.Pool): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [migrationLock]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS insights_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    const { rows } = await client.query<{ version: number | null }>(
      "SELECT max(version) AS version FROM insights_migrations",
    );
    for (let version = (rows[0]?.version ?? 0) + 1; version <= migrations.length; version += 1) {
      await client.query(migrations[version - 1]!);
      await client.query("INSERT INTO insights_migrations (version) VALUES ($1)", [version]);
    }
    await client.query("INSERT INTO insights_meta (key, value) VALUES ('salt', $1) ON CONFLICT (key) DO NOTHING", [
      randomBytes(32).toString("hex"),
    ]);
    const salt = await client.query<{ value: string }>("SELECT value FROM insights_meta WHERE key = 'salt'");
    await client.query("COMMIT");
    return salt.rows[0]!.value;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** PostgreSQL's text holds no NUL character; a question carrying one is kept without it. */
function text(value: string): string {
  return value.includes("\u0000") ? value.replaceAll("\u0000", "") : value;
}
