import type { AnswerKind, AnswerMode } from "../answer/types.js";

/** Where the record is kept: a SQLite file (one machine), or PostgreSQL (replicas sharing one record). */
export type StoreTarget = { file: string } | { databaseUrl: string };

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
 * Where turns and votes are kept: SQLite on one machine (the default), PostgreSQL for replicas that
 * share one record. Every call is async, so a store on the network fits the same routes; callers
 * (src/insights/insights.ts) keep them off the request path.
 */
export interface InsightsStore {
  /** Which backend, for `/readyz` and logs. */
  readonly kind: "sqlite" | "postgres";
  /** Writes turns; an id already there is left as it was (a retried batch writes nothing twice). */
  insertTurns(turns: TurnRecord[]): Promise<void>;
  hasTurn(id: string): Promise<boolean>;
  /** One vote per response id and client: a later vote replaces an earlier one (in the order given). */
  upsertVotes(votes: Vote[]): Promise<void>;
  /** Deletes turns and votes older than `before`; returns how many turns went. */
  deleteBefore(before: number): Promise<number>;
  report(days: number, now?: number): Promise<InsightsReport>;
  /** Questions worth turning into evaluation cases: unanswered ones and thumbs-down ones, as first asked. */
  evalCandidates(since: number): Promise<EvalCandidate[]>;
  /** A per-database random salt, so client hashes agree across workers, replicas and restarts. */
  salt(): Promise<string>;
  /** A cheap round trip, so an idle server still knows whether its store answers. */
  ping(): Promise<void>;
  /** Whether a failed call may succeed later (locked, full, unreachable), so its batch is kept and retried. */
  isTransient(error: unknown): boolean;
  close(): Promise<void>;
}

/** Lower case, punctuation and runs of spaces gone: "What about imports?" and "what about imports" count as one. */
export function normalizeQuestion(question: string): string {
  return question
    .toLowerCase()
    .normalize("NFKC")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
