import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { AnswerKind } from "../answer/types.js";
import {
  normalizeQuestion,
  percentile,
  type EvalCandidate,
  type InsightsReport,
  type InsightsStore,
  type TurnRecord,
  type Vote,
} from "./store.js";

/**
 * Versioned migrations: `user_version` says how many have run; each runs once, in a transaction.
 * Append only: never edit one that has shipped.
 */
const migrations: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE turns (
     id TEXT PRIMARY KEY,
     time INTEGER NOT NULL,
     question TEXT NOT NULL,
     normalized TEXT NOT NULL,
     standalone TEXT,
     kind TEXT NOT NULL,
     grounded INTEGER NOT NULL,
     mode TEXT NOT NULL,
     degraded INTEGER NOT NULL,
     chunk_ids TEXT NOT NULL,
     sections TEXT NOT NULL,
     latency_ms REAL NOT NULL,
     client TEXT NOT NULL,
     answer TEXT
   );
   CREATE INDEX turns_time ON turns (time);
   CREATE TABLE votes (
     id TEXT NOT NULL REFERENCES turns (id) ON DELETE CASCADE,
     client TEXT NOT NULL,
     rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
     comment TEXT,
     time INTEGER NOT NULL,
     PRIMARY KEY (id, client)
   );`,
  // 2: a vote no longer needs its turn written first. A reader may vote on a reply whose turn is
  // still in another worker's (or replica's) queue; the reports join votes to turns.
  `CREATE TABLE votes_2 (
     id TEXT NOT NULL,
     client TEXT NOT NULL,
     rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
     comment TEXT,
     time INTEGER NOT NULL,
     PRIMARY KEY (id, client)
   );
   INSERT INTO votes_2 SELECT id, client, rating, comment, time FROM votes;
   DROP TABLE votes;
   ALTER TABLE votes_2 RENAME TO votes;
   CREATE INDEX votes_time ON votes (time);`,
];

/** SQLite's result codes that a later attempt may not meet: another process's lock, a full or failing disk. */
const transientCodes = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|PROTOCOL)/;

/**
 * The embedded store: one SQLite file that the cluster's workers (and servers on one machine)
 * share in WAL mode. better-sqlite3 is synchronous, so the busy timeout is how long a call may
 * hold the event loop while another process holds the lock; the server keeps it short and
 * retries later (src/insights/insights.ts), the CLI waits longer.
 */
export class SqliteInsightsStore implements InsightsStore {
  readonly kind = "sqlite";
  private readonly db: Database.Database;
  private readonly insertMany: (turns: TurnRecord[]) => void;
  private readonly voteMany: (votes: Vote[]) => void;

  /** @throws when the file cannot be opened, is not a database, or is locked past the busy timeout. */
  constructor(file: string, { busyTimeoutMs = 5000 }: { busyTimeoutMs?: number } = {}) {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    try {
      // WAL: readers never block the writer, and several processes (the cluster's workers, or two
      // servers on one machine) can write one file safely; busy_timeout waits out the others' commits.
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      this.db.pragma("foreign_keys = ON");
      this.migrate();
      const insert = this.db.prepare(
        `INSERT OR IGNORE INTO turns (id, time, question, normalized, standalone, kind, grounded, mode, degraded, chunk_ids, sections, latency_ms, client, answer)
         VALUES (@id, @time, @question, @normalized, @standalone, @kind, @grounded, @mode, @degraded, @chunkIds, @sections, @latencyMs, @client, @answer)`,
      );
      this.insertMany = this.db.transaction((turns: TurnRecord[]) => {
        for (const turn of turns) {
          insert.run({
            ...turn,
            normalized: normalizeQuestion(turn.question),
            grounded: turn.grounded ? 1 : 0,
            degraded: turn.degraded ? 1 : 0,
            chunkIds: JSON.stringify(turn.chunkIds),
            sections: JSON.stringify(turn.sections),
          });
        }
      });
      const vote = this.db.prepare(
        `INSERT INTO votes (id, client, rating, comment, time) VALUES (@id, @client, @rating, @comment, @time)
         ON CONFLICT (id, client) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, time = excluded.time`,
      );
      this.voteMany = this.db.transaction((votes: Vote[]) => {
        for (const each of votes) vote.run(each);
      });
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  private migrate(): void {
    // BEGIN IMMEDIATE: two processes starting on a new file must not both run migration 1.
    this.db
      .transaction(() => {
        const version = this.db.pragma("user_version", { simple: true }) as number;
        for (let index = version; index < migrations.length; index += 1) this.db.exec(migrations[index]!);
        if (version < migrations.length) this.db.pragma(`user_version = ${migrations.length}`);
        this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', lower(hex(randomblob(32))))").run();
      })
      .immediate();
  }

  get schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  async salt(): Promise<string> {
    return (this.db.prepare("SELECT value FROM meta WHERE key = 'salt'").get() as { value: string }).value;
  }

  async insertTurns(turns: TurnRecord[]): Promise<void> {
    this.insertMany(turns);
  }

  async hasTurn(id: string): Promise<boolean> {
    return this.db.prepare("SELECT 1 FROM turns WHERE id = ?").get(id) !== undefined;
  }

  async upsertVotes(votes: Vote[]): Promise<void> {
    this.voteMany(votes);
  }

  async deleteBefore(before: number): Promise<number> {
    return this.db.transaction(() => {
      this.db.prepare("DELETE FROM votes WHERE time < ?").run(before);
      return this.db.prepare("DELETE FROM turns WHERE time < ?").run(before).changes;
    })();
  }

  async report(days: number, now = Date.now()): Promise<InsightsReport> {
    const since = now - days * 86_400_000;
    const db = this.db;
    const kinds = db
      .prepare("SELECT kind, count(*) AS n FROM turns WHERE time >= ? GROUP BY kind")
      .all(since) as Array<{ kind: AnswerKind; n: number }>;
    const byKind: Record<AnswerKind, number> = { answer: 0, no_answer: 0, smalltalk: 0 };
    for (const { kind, n } of kinds) byKind[kind] = n;
    const total = byKind.answer + byKind.no_answer + byKind.smalltalk;
    const byDay = db
      .prepare(
        `SELECT date(time / 1000, 'unixepoch') AS day,
                sum(kind = 'answer') AS answer, sum(kind = 'no_answer') AS no_answer, sum(kind = 'smalltalk') AS smalltalk
         FROM turns WHERE time >= ? GROUP BY day ORDER BY day`,
      )
      .all(since) as InsightsReport["byDay"];
    const latencies = (
      db.prepare("SELECT latency_ms AS ms FROM turns WHERE time >= ? ORDER BY latency_ms").all(since) as Array<{
        ms: number;
      }>
    ).map((row) => row.ms);
    const questions = byKind.answer + byKind.no_answer;
    const topQuestions = db
      .prepare(
        `SELECT normalized AS question, count(*) AS count FROM turns WHERE time >= ? AND kind != 'smalltalk'
         GROUP BY normalized ORDER BY count DESC, max(time) DESC, normalized LIMIT 20`,
      )
      .all(since) as InsightsReport["topQuestions"];
    const unanswered = (
      db
        .prepare(
          `SELECT normalized AS question, count(*) AS count, max(time) AS last FROM turns WHERE time >= ? AND kind = 'no_answer'
           GROUP BY normalized ORDER BY count DESC, last DESC, normalized LIMIT 50`,
        )
        .all(since) as Array<{ question: string; count: number; last: number }>
    ).map((row) => ({ ...row, last: new Date(row.last).toISOString() }));
    const thumbsDown = (
      db
        .prepare(
          `SELECT t.id, v.time, t.question, t.answer, v.comment FROM votes v JOIN turns t ON t.id = v.id
           WHERE v.rating = 'down' AND v.time >= ? ORDER BY v.time DESC, t.id LIMIT 100`,
        )
        .all(since) as Array<{
        id: string;
        time: number;
        question: string;
        answer: string | null;
        comment: string | null;
      }>
    ).map((row) => ({ ...row, time: new Date(row.time).toISOString() }));
    const votes = db
      .prepare(
        "SELECT v.rating, count(*) AS n FROM votes v JOIN turns t ON t.id = v.id WHERE v.time >= ? GROUP BY v.rating",
      )
      .all(since) as Array<{ rating: "up" | "down"; n: number }>;
    const feedback = { up: 0, down: 0 };
    for (const { rating, n } of votes) feedback[rating] = n;
    // A turn citing a section twice counts it once.
    const topSections = db
      .prepare(
        `SELECT section, count(*) AS count FROM (SELECT DISTINCT turns.id, s.value AS section FROM turns, json_each(turns.sections) AS s WHERE time >= ?)
         GROUP BY section ORDER BY count DESC, section LIMIT 20`,
      )
      .all(since) as InsightsReport["topSections"];
    return {
      days,
      since: new Date(since).toISOString(),
      total,
      byKind,
      byDay,
      answerRate: questions === 0 ? null : byKind.answer / questions,
      latencyMs: { p50: percentile(latencies, 0.5), p90: percentile(latencies, 0.9), p99: percentile(latencies, 0.99) },
      topQuestions,
      unanswered,
      thumbsDown,
      feedback,
      topSections,
    };
  }

  async evalCandidates(since: number): Promise<EvalCandidate[]> {
    const unanswered = this.db
      .prepare(
        `SELECT min(question) AS question, count(*) AS count FROM turns WHERE time >= ? AND kind = 'no_answer'
         GROUP BY normalized ORDER BY count DESC, question`,
      )
      .all(since) as Array<{ question: string; count: number }>;
    const disliked = this.db
      .prepare(
        `SELECT min(t.question) AS question, count(*) AS count, max(v.comment) AS comment FROM votes v JOIN turns t ON t.id = v.id
         WHERE v.rating = 'down' AND v.time >= ? GROUP BY t.normalized ORDER BY count DESC, question`,
      )
      .all(since) as Array<{ question: string; count: number; comment: string | null }>;
    return [
      ...unanswered.map((row) => ({ ...row, reason: "unanswered" as const, comment: null })),
      ...disliked.map((row) => ({ ...row, reason: "thumbs_down" as const })),
    ];
  }

  async ping(): Promise<void> {
    this.db.prepare("SELECT count(*) FROM meta").get();
  }

  isTransient(error: unknown): boolean {
    const code = (error as { code?: unknown } | undefined)?.code;
    return typeof code === "string" && transientCodes.test(code);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
