import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { AnswerKind, AnswerMode } from "../answer/types.js";

/** One answered turn, as the insights store keeps it. */
export interface TurnRecord {
  /** The response id the client got (`id` in the reply, the `done` event, `/v1` responses). */
  id: string;
  /** Milliseconds since the epoch. */
  time: number;
  question: string;
  /** The question rewritten to stand alone, when a follow-up was condensed; null otherwise. */
  standalone: string | null;
  kind: AnswerKind;
  grounded: boolean;
  mode: AnswerMode;
  degraded: boolean;
  /** Chunk ids of the citations, in order of first citation. */
  chunkIds: string[];
  /** Sections of those chunks, for "most cited sections" without loading the index. */
  sections: string[];
  latencyMs: number;
  /** Salted hash of the client; never the address itself. */
  client: string;
  /** Only with INSIGHTS_STORE_ANSWERS=on. */
  answer: string | null;
}

export interface Vote {
  id: string;
  client: string;
  rating: "up" | "down";
  comment: string | null;
  time: number;
}

export interface InsightsReport {
  days: number;
  since: string;
  total: number;
  byKind: Record<AnswerKind, number>;
  byDay: Array<{ day: string; answer: number; no_answer: number; smalltalk: number }>;
  /** Answers over questions that were not small talk; null with none. */
  answerRate: number | null;
  latencyMs: { p50: number | null; p90: number | null; p99: number | null };
  topQuestions: Array<{ question: string; count: number }>;
  unanswered: Array<{ question: string; count: number; last: string }>;
  thumbsDown: Array<{ id: string; time: string; question: string; answer: string | null; comment: string | null }>;
  feedback: { up: number; down: number };
  topSections: Array<{ section: string; count: number }>;
}

export interface EvalCandidate {
  question: string;
  reason: "unanswered" | "thumbs_down";
  /** How often it was asked (unanswered), or the reader's comment (thumbs down). */
  count: number;
  comment: string | null;
}

/**
 * Where turns and votes are kept. One small interface, so a Postgres store (several machines
 * sharing one database) can stand in for SQLite later without touching the routes.
 */
export interface InsightsStore {
  insertTurns(turns: TurnRecord[]): void;
  hasTurn(id: string): boolean;
  /** One vote per response id and client: a second vote replaces the first. */
  upsertVote(vote: Vote): void;
  /** Deletes turns (and their votes) older than `before`; returns how many turns went. */
  deleteBefore(before: number): number;
  report(days: number, now?: number): InsightsReport;
  /** Questions worth turning into evaluation cases: unanswered ones and thumbs-down ones, as first asked. */
  evalCandidates(since: number): EvalCandidate[];
  /** A per-database random salt, so client hashes agree across workers and restarts. */
  salt(): string;
  close(): void;
}

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
];

/** Lower case, punctuation and runs of spaces gone: "What about imports?" and "what about imports" count as one. */
export function normalizeQuestion(question: string): string {
  return question
    .toLowerCase()
    .normalize("NFKC")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export class SqliteInsightsStore implements InsightsStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly insertMany: (turns: TurnRecord[]) => void;

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
      this.insert = this.db.prepare(
        `INSERT OR IGNORE INTO turns (id, time, question, normalized, standalone, kind, grounded, mode, degraded, chunk_ids, sections, latency_ms, client, answer)
         VALUES (@id, @time, @question, @normalized, @standalone, @kind, @grounded, @mode, @degraded, @chunkIds, @sections, @latencyMs, @client, @answer)`,
      );
      this.insertMany = this.db.transaction((turns: TurnRecord[]) => {
        for (const turn of turns) {
          this.insert.run({
            ...turn,
            normalized: normalizeQuestion(turn.question),
            grounded: turn.grounded ? 1 : 0,
            degraded: turn.degraded ? 1 : 0,
            chunkIds: JSON.stringify(turn.chunkIds),
            sections: JSON.stringify(turn.sections),
          });
        }
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

  salt(): string {
    return (this.db.prepare("SELECT value FROM meta WHERE key = 'salt'").get() as { value: string }).value;
  }

  insertTurns(turns: TurnRecord[]): void {
    this.insertMany(turns);
  }

  hasTurn(id: string): boolean {
    return this.db.prepare("SELECT 1 FROM turns WHERE id = ?").get(id) !== undefined;
  }

  upsertVote({ id, client, rating, comment, time }: Vote): void {
    this.db
      .prepare(
        `INSERT INTO votes (id, client, rating, comment, time) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id, client) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, time = excluded.time`,
      )
      .run(id, client, rating, comment, time);
  }

  deleteBefore(before: number): number {
    return this.db.prepare("DELETE FROM turns WHERE time < ?").run(before).changes;
  }

  report(days: number, now = Date.now()): InsightsReport {
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
         GROUP BY normalized ORDER BY count DESC, max(time) DESC LIMIT 20`,
      )
      .all(since) as InsightsReport["topQuestions"];
    const unanswered = (
      db
        .prepare(
          `SELECT normalized AS question, count(*) AS count, max(time) AS last FROM turns WHERE time >= ? AND kind = 'no_answer'
           GROUP BY normalized ORDER BY count DESC, last DESC LIMIT 50`,
        )
        .all(since) as Array<{ question: string; count: number; last: number }>
    ).map((row) => ({ ...row, last: new Date(row.last).toISOString() }));
    const thumbsDown = (
      db
        .prepare(
          `SELECT t.id, v.time, t.question, t.answer, v.comment FROM votes v JOIN turns t ON t.id = v.id
           WHERE v.rating = 'down' AND v.time >= ? ORDER BY v.time DESC LIMIT 100`,
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
      .prepare("SELECT rating, count(*) AS n FROM votes WHERE time >= ? GROUP BY rating")
      .all(since) as Array<{ rating: "up" | "down"; n: number }>;
    const feedback = { up: 0, down: 0 };
    for (const { rating, n } of votes) feedback[rating] = n;
    // A turn citing a section twice counts it once.
    const topSections = db
      .prepare(
        `SELECT section, count(*) AS count FROM (SELECT DISTINCT turns.id, s.value AS section FROM turns, json_each(turns.sections) AS s WHERE time >= ?)
         GROUP BY section ORDER BY count DESC LIMIT 20`,
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

  evalCandidates(since: number): EvalCandidate[] {
    const unanswered = this.db
      .prepare(
        `SELECT min(question) AS question, count(*) AS count FROM turns WHERE time >= ? AND kind = 'no_answer'
         GROUP BY normalized ORDER BY count DESC, question`,
      )
      .all(since) as Array<{ question: string; count: number }>;
    const disliked = this.db
      .prepare(
        `SELECT t.question, count(*) AS count, max(v.comment) AS comment FROM votes v JOIN turns t ON t.id = v.id
         WHERE v.rating = 'down' AND v.time >= ? GROUP BY t.normalized ORDER BY count DESC, t.question`,
      )
      .all(since) as Array<{ question: string; count: number; comment: string | null }>;
    return [
      ...unanswered.map((row) => ({ ...row, reason: "unanswered" as const, comment: null })),
      ...disliked.map((row) => ({ ...row, reason: "thumbs_down" as const })),
    ];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
