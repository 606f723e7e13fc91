/*
 * `npm run load:insights` (issue 16, "done when"): questions through a real server with insights on
 * (2 workers, a temporary INSIGHTS_DB, the rate limit off), answers, no-answers and small talk
 * mixed, JSON and SSE in turn, 16 at a time; then the record is checked three ways against what the
 * clients were told: `GET /api/insights` (with an ADMIN_KEYS key), `npm run insights -- --json`
 * after the server stopped, and the database's own rows (every reply id the clients got, each
 * once). Prints the table; exit code 1 when a count differs. Flags: --questions (2000),
 * --connections (16), --workers (2), --index DIR (a built index to copy in, instead of building one).
 * test/insights-load.test.ts runs the same with 200 questions.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { isServerError, request, startLoadServer, type Reply } from "./load-server.js";
import { loadQuestionSets, projectRoot } from "./questions.js";

export interface InsightsLoadOptions {
  questions: number;
  connections?: number;
  workers?: number;
  /** A built index folder to copy (its `current` and `builds/`); else the server builds one. */
  indexDir?: string;
  log?: (line: string) => void;
}

type Kinds = { answer: number; no_answer: number; smalltalk: number };

export interface InsightsLoadResult {
  sent: number;
  /** Replies that were not a 200 with an id and a kind (5xx, errors, SSE error events). */
  failed: number;
  serverErrors: number;
  /** Kinds as the clients were told them. */
  told: Kinds;
  uniqueIds: number;
  api: { total: number; byKind: Kinds };
  cli: { total: number; byKind: Kinds };
  /** Rows in the database, and how many of the clients' reply ids are among them. */
  db: { rows: number; idsFound: number; byKind: Kinds };
  checks: Array<{ check: string; measured: string; pass: boolean }>;
}

const smallTalk = [
  "Hello!",
  "Hi there",
  "Thanks!",
  "Thank you so much",
  "What can you do?",
  "Goodbye",
  "Good morning",
  "Cheers",
];

/** Questions in a fixed mix: of every 10, six from the question sets' answerable ones, two unanswerable, two small talk. */
async function mixedQuestions(count: number): Promise<string[]> {
  const sets = (await loadQuestionSets()).flatMap((set) => set.questions);
  const answerable = [...new Set(sets.filter((q) => q.answerable).map((q) => q.question))];
  const unanswerable = [...new Set(sets.filter((q) => !q.answerable).map((q) => q.question))];
  return Array.from({ length: count }, (_, i) => {
    const slot = i % 10;
    const round = Math.floor(i / 10);
    // A round number after a repeat keeps the text distinct, so the answer cache does not serve it.
    const distinct = (list: string[], n: number) =>
      `${list[n % list.length]!}${n >= list.length ? ` (${Math.floor(n / list.length)})` : ""}`;
    if (slot < 6) return distinct(answerable, round * 6 + slot);
    if (slot < 8) return distinct(unanswerable, round * 2 + slot - 6);
    return smallTalk[(round * 2 + slot - 8) % smallTalk.length]!;
  });
}

const countKinds = (kinds: Array<string | undefined>): Kinds => ({
  answer: kinds.filter((kind) => kind === "answer").length,
  no_answer: kinds.filter((kind) => kind === "no_answer").length,
  smalltalk: kinds.filter((kind) => kind === "smalltalk").length,
});
const sameKinds = (a: Kinds, b: Kinds) =>
  a.answer === b.answer && a.no_answer === b.no_answer && a.smalltalk === b.smalltalk;
const showKinds = (kinds: Kinds) =>
  `answer ${kinds.answer}, no_answer ${kinds.no_answer}, smalltalk ${kinds.smalltalk}`;

export async function runInsightsLoad({
  questions: count,
  connections = 16,
  workers = 2,
  indexDir,
  log = () => {},
}: InsightsLoadOptions): Promise<InsightsLoadResult> {
  const root = await mkdtemp(path.join(tmpdir(), "interview-chat-insights-load-"));
  try {
    if (indexDir) await cp(indexDir, path.join(root, "index"), { recursive: true, verbatimSymlinks: true });
    const adminKey = `ak_${randomBytes(18).toString("hex")}`;
    const insightsDb = path.join(root, "insights.sqlite");
    log(`starting the server (${workers} workers, INSIGHTS_DB=${insightsDb})…`);
    const server = await startLoadServer(
      {
        DATA_DIR: path.join(projectRoot, "data"),
        INDEX_DIR: path.join(root, "index"),
        INSIGHTS_DB: insightsDb,
        ADMIN_KEYS: adminKey,
        LLM_PROVIDER: "extractive",
        RATE_LIMIT_PER_MINUTE: "0",
        // Its own, so the run neither reads nor creates the project's var/session-secret.
        SESSION_SECRET: randomBytes(32).toString("hex"),
      },
      { workers },
    );
    const messages = await mixedQuestions(count);
    const replies: Reply[] = new Array(count);
    let next = 0;
    const started = Date.now();
    log(`asking ${count} questions, ${connections} at a time…`);
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < count) {
          const i = next++;
          const sse = i % 2 === 1;
          replies[i] = await request(server.url, {
            path: "/api/chat",
            body: { message: messages[i], ...(sse ? { stream: true } : {}) },
          });
          if ((i + 1) % 500 === 0) log(`  ${i + 1} asked (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        }
      }),
    );
    const answered = replies.filter(
      (reply) =>
        reply.status === 200 &&
        !reply.streamErrorStatus &&
        !reply.failure &&
        reply.kind &&
        (reply.json?.id ?? reply.done?.id),
    );
    const ids = answered.map((reply) => String(reply.json?.id ?? reply.done?.id));
    const told = countKinds(answered.map((reply) => reply.kind));

    // Each worker writes its queue every 200 ms; the report flushes the queue of the worker that
    // serves it. Asked until it holds every turn, or 10 s.
    let api = { total: 0, byKind: { answer: 0, no_answer: 0, smalltalk: 0 } };
    for (let attempt = 0; attempt < 20; attempt++) {
      const reply = await request(server.url, {
        method: "GET",
        path: "/api/insights?days=1",
        headers: { authorization: `Bearer ${adminKey}` },
      });
      api = reply.json as typeof api;
      if (api.total >= count) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const stopped = await server.stop();

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", path.join(projectRoot, "src/cli/insights.ts"), "--json", "--days", "1"],
      {
        cwd: projectRoot,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", INSIGHTS_DB: insightsDb },
      },
    );
    const cli = JSON.parse(stdout) as typeof api;

    const db = new Database(insightsDb, { readonly: true });
    let rows: Array<{ id: string; kind: string }>;
    try {
      rows = db.prepare("SELECT id, kind FROM turns").all() as typeof rows;
    } finally {
      db.close();
    }
    const stored = new Set(rows.map((row) => row.id));
    const result: Omit<InsightsLoadResult, "checks"> = {
      sent: count,
      failed: count - answered.length,
      serverErrors: replies.filter(isServerError).length,
      told,
      uniqueIds: new Set(ids).size,
      api: { total: api.total, byKind: api.byKind },
      cli: { total: cli.total, byKind: cli.byKind },
      db: {
        rows: rows.length,
        idsFound: ids.filter((id) => stored.has(id)).length,
        byKind: countKinds(rows.map((row) => row.kind)),
      },
    };
    const checks = [
      {
        check: "questions answered (200 with an id and a kind)",
        measured: `${answered.length} of ${count} (${result.serverErrors} 5xx)`,
        pass: answered.length === count,
      },
      { check: "distinct reply ids", measured: String(result.uniqueIds), pass: result.uniqueIds === count },
      {
        check: "kinds the clients were told",
        measured: showKinds(told),
        pass: told.answer > 0 && told.no_answer > 0 && told.smalltalk > 0,
      },
      {
        check: "GET /api/insights: total, by kind",
        measured: `${api.total}: ${showKinds(api.byKind)}`,
        pass: api.total === count && sameKinds(api.byKind, told),
      },
      {
        check: "npm run insights -- --json: total, by kind",
        measured: `${cli.total}: ${showKinds(cli.byKind)}`,
        pass: cli.total === count && sameKinds(cli.byKind, told),
      },
      {
        check: "rows in the database, by kind",
        measured: `${rows.length}: ${showKinds(result.db.byKind)}`,
        pass: rows.length === count && sameKinds(result.db.byKind, told),
      },
      {
        check: "the clients' reply ids found in the database",
        measured: `${result.db.idsFound} of ${ids.length}`,
        pass: result.db.idsFound === count,
      },
      {
        check: "graceful stop (SIGTERM) exit code",
        measured: String(stopped.code ?? stopped.signal),
        pass: stopped.code === 0,
      },
    ];
    log(`asked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { ...result, checks };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export function formatChecks(checks: InsightsLoadResult["checks"]): string {
  return [
    "| check | measured | |",
    "|---|---|---|",
    ...checks.map((check) => `| ${check.check} | ${check.measured} | ${check.pass ? "pass" : "**FAIL**"} |`),
    "",
  ].join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values: flags } = parseArgs({
    options: {
      questions: { type: "string", default: "2000" },
      connections: { type: "string", default: "16" },
      workers: { type: "string", default: "2" },
      index: { type: "string" },
    },
  });
  const result = await runInsightsLoad({
    questions: Number(flags.questions),
    connections: Number(flags.connections),
    workers: Number(flags.workers),
    indexDir: flags.index ? path.resolve(flags.index) : undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(
    `Insights load run: ${result.sent} questions, ${flags.connections} at a time, ${flags.workers} workers\n\n${formatChecks(result.checks)}`,
  );
  process.exitCode = result.checks.every((check) => check.pass) ? 0 : 1;
}
