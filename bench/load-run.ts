/*
 * `npm run load` (issue 13, "done when"): a bounded load run against the real server as a site
 * would run it: 2 workers (WEB_CONCURRENCY=2), API_KEYS set, widget session tokens in use, the
 * rate limiter on. 16 connections for 60 s, JSON and SSE mixed, from five client addresses on the
 * loopback (so the per-IP limit is counted per class of client):
 *
 *   key A      127.0.0.2  3 connections  Authorization: Bearer <key A>
 *   key B      127.0.0.3  3 connections  Authorization: Bearer <key B>
 *   tokens 1   127.0.0.4  4 connections  a session token from POST /api/session (allowed Origin), renewed when its quota is spent
 *   tokens 2   127.0.0.5  3 connections  the same
 *   forged     127.0.0.6  3 connections  no key, a wrong key, a forged Origin and Host, a forged token, a token
 *                                        from another page, a token asked for by a page not allowed
 *
 * It checks, and prints as a table: no 5xx (status or SSE error event); every forged request
 * refused; each limit exact to ±1 across both workers (every request that passed an IP's limit in
 * one window, counted on the client, against RATE_LIMIT_PER_MINUTE; every spent token's answered
 * questions against SESSION_QUOTA); and no key, wrong key, token or secret in any log line.
 * Exit code 1 when a check fails. Flags: --seconds (60), --rate-limit (120), --session-quota (10),
 * --out FILE (the measurements as JSON).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { isServerError, request, startLoadServer, type Reply } from "./load-server.js";
import { DistinctQuestions, projectRoot } from "./questions.js";
import { percentile } from "./stats.js";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    "rate-limit": { type: "string", default: "120" },
    "session-quota": { type: "string", default: "10" },
    out: { type: "string" },
  },
});
const seconds = Number(flags.seconds);
const ipLimit = Number(flags["rate-limit"]);
const sessionQuota = Number(flags["session-quota"]);
const log = (line: string) => process.stderr.write(`${line}\n`);

// Made up for this run; each is searched for in every log line afterwards. None is shaped like an
// OpenAI key (`sk-…`), so the logger's pattern scrubbing cannot hide one that leaked: only the
// configured-secret scrubbing or never logging it at all can pass.
const keyA = `lk_${randomBytes(18).toString("hex")}`;
const keyB = `lk_${randomBytes(18).toString("hex")}`;
const wrongKey = `lk_${randomBytes(18).toString("hex")}`;
const adminKey = `ak_${randomBytes(18).toString("hex")}`;
const sessionSecret = randomBytes(32).toString("hex");
const allowedOrigin = "https://allowed.example";

const root = await mkdtemp(path.join(tmpdir(), "interview-chat-load-"));
log(`starting the server (2 workers; the primary builds the index into ${root}/index first)…`);
const server = await startLoadServer(
  {
    DATA_DIR: path.join(projectRoot, "data"),
    INDEX_DIR: path.join(root, "index"),
    INSIGHTS_DB: path.join(root, "insights.sqlite"),
    LLM_PROVIDER: "extractive",
    API_KEYS: `${keyA},${keyB}`,
    ADMIN_KEYS: adminKey,
    ALLOWED_ORIGINS: allowedOrigin,
    RATE_LIMIT_PER_MINUTE: String(ipLimit),
    SESSION_QUOTA: String(sessionQuota),
    SESSION_SECRET: sessionSecret,
    // Debug, so more of what the server does is logged, and searched for secrets.
    LOG_LEVEL: "debug",
  },
  { workers: 2 },
);

const questions = await DistinctQuestions.fromQuestionSets();
const smallTalk = ["Hello!", "Thanks, that was helpful", "What can you do?"];
let asked = 0;
/** A question (mostly distinct, so no cache answers them), a small-talk line now and then, JSON or SSE in turn. */
function nextChat(): { body: Record<string, unknown>; sse: boolean } {
  const i = asked++;
  const message = i % 7 === 3 ? smallTalk[i % smallTalk.length]! : questions.next();
  const sse = i % 2 === 1;
  return { body: { message, ...(sse ? { stream: true } : {}) }, sse };
}
const sseHeaders = (sse: boolean): Record<string, string> => (sse ? { accept: "text/event-stream" } : {});

type Outcome = "answered" | "token" | "ip_limited" | "quota_spent" | "refused" | "unexpected";
interface Record_ {
  client: string;
  ip: string;
  kind: "chat" | "session" | "forged";
  sse: boolean;
  reply: Reply;
  outcome: Outcome;
  /** The token a question was asked with, for the per-token count. */
  tokenIndex?: number;
  note?: string;
}
const records: Record_[] = [];
const tokens: string[] = [];
const endAt = Date.now() + seconds * 1000;

/** What a reply means for the limits; anything else is unexpected and fails the run. */
function classify(reply: Reply, expected: "answer" | "token" | "refusal"): Outcome {
  if (reply.status === 429 && reply.code === "rate_limited") return "ip_limited";
  if (reply.status === 429 && reply.code === "session_quota_exceeded") return "quota_spent";
  if (
    expected === "answer" &&
    reply.status === 200 &&
    !reply.failure &&
    (reply.json?.id || reply.done?.id) &&
    !reply.streamErrorStatus
  )
    return "answered";
  if (expected === "token" && reply.status === 200 && typeof reply.json?.token === "string") return "token";
  if (expected === "refusal" && (reply.status === 401 || reply.status === 403)) return "refused";
  return "unexpected";
}

async function keyClient(client: string, ip: string, key: string): Promise<void> {
  while (Date.now() < endAt) {
    const { body, sse } = nextChat();
    const reply = await request(server.url, {
      path: "/api/chat",
      localAddress: ip,
      body,
      headers: { authorization: `Bearer ${key}`, ...sseHeaders(sse) },
    });
    records.push({ client, ip, kind: "chat", sse, reply, outcome: classify(reply, "answer") });
  }
}

async function tokenClient(client: string, ip: string): Promise<void> {
  let token: number | undefined;
  while (Date.now() < endAt) {
    if (token === undefined) {
      const reply = await request(server.url, {
        path: "/api/session",
        localAddress: ip,
        body: {},
        headers: { origin: allowedOrigin },
      });
      const outcome = classify(reply, "token");
      records.push({ client, ip, kind: "session", sse: false, reply, outcome });
      if (outcome === "token") token = tokens.push(reply.json!.token as string) - 1;
      continue;
    }
    const { body, sse } = nextChat();
    const reply = await request(server.url, {
      path: "/api/chat",
      localAddress: ip,
      body,
      headers: { origin: allowedOrigin, "x-session-token": tokens[token]!, ...sseHeaders(sse) },
    });
    const outcome = classify(reply, "answer");
    records.push({ client, ip, kind: "chat", sse, reply, outcome, tokenIndex: token });
    if (outcome === "quota_spent") token = undefined; // as the widget does: a new token
  }
}

/** Requests that must never be answered, whatever they claim. */
async function forgedClient(client: string, ip: string): Promise<void> {
  // A real token for the allowed page, to be replayed from another page.
  let lifted: string | undefined;
  const attempts: Array<{ note: string; path?: string; headers: Record<string, string> }> = [
    { note: "no key", headers: {} },
    { note: "wrong key", headers: { authorization: `Bearer ${wrongKey}` } },
    { note: "forged Origin and Host, no key", headers: { origin: "http://x.invalid", host: "x.invalid" } },
    { note: "allowed Origin, no key or token", headers: { origin: allowedOrigin } },
    {
      note: "forged token",
      headers: {
        origin: allowedOrigin,
        "x-session-token": `s1.${randomBytes(40).toString("base64url")}.${randomBytes(32).toString("base64url")}`,
      },
    },
    { note: "token from another page", headers: { origin: "https://evil.example" } },
    { note: "token for a page not allowed", path: "/api/session", headers: { origin: "https://evil.example" } },
  ];
  for (let i = 0; Date.now() < endAt; i++) {
    const attempt = attempts[i % attempts.length]!;
    if (attempt.note === "token from another page") {
      if (!lifted) {
        const reply = await request(server.url, {
          path: "/api/session",
          localAddress: ip,
          body: {},
          headers: { origin: allowedOrigin },
        });
        const outcome = classify(reply, "token");
        records.push({ client, ip, kind: "session", sse: false, reply, outcome });
        if (outcome === "token") lifted = tokens[tokens.push(reply.json!.token as string) - 1];
        continue;
      }
      attempt.headers["x-session-token"] = lifted;
    }
    const { body, sse } = nextChat();
    const reply = await request(server.url, {
      path: attempt.path ?? "/api/chat",
      localAddress: ip,
      body: attempt.path ? {} : body,
      headers: { ...attempt.headers, ...sseHeaders(sse) },
    });
    records.push({ client, ip, kind: "forged", sse, reply, outcome: classify(reply, "refusal"), note: attempt.note });
  }
}

const clients: Array<Promise<void>> = [];
const classes = [
  {
    client: "key A",
    ip: "127.0.0.2",
    connections: 3,
    run: (client: string, ip: string) => keyClient(client, ip, keyA),
  },
  {
    client: "key B",
    ip: "127.0.0.3",
    connections: 3,
    run: (client: string, ip: string) => keyClient(client, ip, keyB),
  },
  { client: "tokens 1", ip: "127.0.0.4", connections: 4, run: tokenClient },
  { client: "tokens 2", ip: "127.0.0.5", connections: 3, run: tokenClient },
  { client: "forged", ip: "127.0.0.6", connections: 3, run: forgedClient },
];
log(
  `load: ${classes.reduce((sum, c) => sum + c.connections, 0)} connections for ${seconds} s, RATE_LIMIT_PER_MINUTE=${ipLimit}, SESSION_QUOTA=${sessionQuota}`,
);
const started = Date.now();
for (const { client, ip, connections, run } of classes)
  for (let i = 0; i < connections; i++) clients.push(run(client, ip));
await Promise.all(clients);
const elapsed = (Date.now() - started) / 1000;
// The request log lines of the last replies reach us a moment after them.
await new Promise((resolve) => setTimeout(resolve, 500));
const stopped = await server.stop();
const lines = server.lines();

// Per IP: every request that got past the IP's limiter (all but `rate_limited`), in windows as the
// server's store keeps them: a window opens at a client's first request and lasts 60 s; the next
// opens at its first request after that. Counted by when each request was sent.
interface IpRow {
  ip: string;
  client: string;
  windows: Array<{ passed: number; limited: number; saturated: boolean }>;
}
const ipRows: IpRow[] = classes.map(({ client, ip }) => {
  const mine = records.filter((record) => record.ip === ip).sort((a, b) => a.reply.sentAt - b.reply.sentAt);
  const windows: IpRow["windows"] = [];
  let windowStart = -Infinity;
  for (const record of mine) {
    if (record.reply.sentAt >= windowStart + 60_000) {
      windowStart = record.reply.sentAt;
      windows.push({ passed: 0, limited: 0, saturated: false });
    }
    const window = windows.at(-1)!;
    if (record.outcome === "ip_limited") window.limited++;
    else if (record.reply.status > 0) window.passed++;
  }
  for (const window of windows) window.saturated = window.limited > 0;
  return { ip, client, windows };
});

// Per token: questions answered with it; a token whose quota ran out must have answered exactly SESSION_QUOTA.
const perToken = tokens.map((_, index) => {
  const asked = records.filter((record) => record.tokenIndex === index);
  return {
    answered: asked.filter((record) => record.outcome === "answered").length,
    spent: asked.some((record) => record.outcome === "quota_spent"),
  };
});
const spentTokens = perToken.filter((token) => token.spent);

// Secrets in the logs: the keys, the wrong key tried, the admin key, the session secret and every token issued.
const secrets = [
  ["API key A", keyA],
  ["API key B", keyB],
  ["the wrong key tried", wrongKey],
  ["the admin key", adminKey],
  ["SESSION_SECRET", sessionSecret],
  ...tokens.map((token, i) => [`session token ${i + 1}`, token] as const),
] as const;
const hits = secrets.flatMap(([name, secret]) => {
  const count = lines.filter((line) => line.includes(secret)).length;
  return count > 0 ? [{ name, count }] : [];
});
// Which worker served each request, from its request log line.
const byWorker = new Map<string, number>();
for (const line of lines) {
  const worker = /"worker":(\d+)[^\n]*"msg":"request"/.exec(line)?.[1];
  if (worker) byWorker.set(worker, (byWorker.get(worker) ?? 0) + 1);
}

const serverErrors = records.filter((record) => isServerError(record.reply));
const failures = records.filter((record) => record.reply.failure);
const unexpected = records.filter((record) => record.outcome === "unexpected");
const forgedAnswered = records.filter(
  (record) => record.kind === "forged" && record.reply.status >= 200 && record.reply.status < 300,
);
const statuses = new Map<number, number>();
for (const record of records) statuses.set(record.reply.status, (statuses.get(record.reply.status) ?? 0) + 1);
const answered = records.filter((record) => record.outcome === "answered");

const checks: Array<{ check: string; measured: string; pass: boolean }> = [];
checks.push({
  check: "5xx replies (status or SSE error event)",
  measured: String(serverErrors.length),
  pass: serverErrors.length === 0,
});
checks.push({
  check: "requests without a reply (connection error, timeout)",
  measured: String(failures.length),
  pass: failures.length === 0,
});
checks.push({
  check: "replies other than expected (200 / 401 / 403 / 429)",
  measured: String(unexpected.length),
  pass: unexpected.length === 0,
});
checks.push({
  check: "forged requests answered",
  measured: `${forgedAnswered.length} of ${records.filter((r) => r.kind === "forged").length}`,
  pass: forgedAnswered.length === 0,
});
for (const row of ipRows) {
  row.windows.forEach((window, i) => {
    const label = `per IP, ${row.client} (${row.ip})${row.windows.length > 1 ? `, window ${i + 1}` : ""}: passed vs RATE_LIMIT_PER_MINUTE`;
    // A window that never hit the limit (the run's last seconds) can only be checked to stay under it.
    const pass = window.saturated ? Math.abs(window.passed - ipLimit) <= 1 : window.passed <= ipLimit + 1;
    checks.push({
      check: label,
      measured: `${window.passed} of ${ipLimit}${window.saturated ? `, then ${window.limited} × 429` : " (limit not reached)"}`,
      pass,
    });
  });
}
for (const client of ["key A", "key B"]) {
  const mine = records.filter((record) => record.client === client);
  checks.push({
    check: `per key, ${client}: answered (no limit of its own: its IP's limit holds it)`,
    measured: `${mine.filter((r) => r.outcome === "answered").length} answered, ${mine.filter((r) => r.outcome === "ip_limited").length} × 429`,
    pass:
      mine.filter((r) => r.outcome === "answered").length <=
      ipLimit * ipRows.find((row) => row.client === client)!.windows.length + 1,
  });
}
const spentCounts = spentTokens.map((token) => token.answered);
checks.push({
  check: "per token: questions answered by each token whose quota ran out vs SESSION_QUOTA",
  measured: spentTokens.length
    ? `${spentTokens.length} tokens spent, each ${Math.min(...spentCounts)}–${Math.max(...spentCounts)} of ${sessionQuota}`
    : "no token ran out",
  pass: spentTokens.length > 0 && spentCounts.every((count) => Math.abs(count - sessionQuota) <= 1),
});
checks.push({
  check: "per token: no token answered more than SESSION_QUOTA",
  measured: `${tokens.length} tokens issued, most answered by one: ${Math.max(0, ...perToken.map((token) => token.answered))}`,
  pass: perToken.every((token) => token.answered <= sessionQuota + 1),
});
checks.push({
  check: "log lines holding a key, token or secret",
  measured: `${hits.reduce((sum, hit) => sum + hit.count, 0)} of ${lines.length} lines${hits.length ? ` (${hits.map((hit) => `${hit.name}: ${hit.count}`).join(", ")})` : ""}`,
  pass: hits.length === 0,
});
checks.push({
  check: "both workers served",
  measured: [...byWorker].map(([worker, count]) => `worker ${worker}: ${count}`).join(", "),
  pass: byWorker.size === 2,
});
checks.push({
  check: "graceful stop (SIGTERM) exit code",
  measured: String(stopped.code ?? stopped.signal),
  pass: stopped.code === 0,
});

const latencies = answered.map((record) => record.reply.ms);
const out = [
  `Load run: ${records.length} requests in ${elapsed.toFixed(1)} s over 16 connections (2 workers, API_KEYS, session tokens, RATE_LIMIT_PER_MINUTE=${ipLimit}, SESSION_QUOTA=${sessionQuota}), ${answered.length} answered (${answered.filter((r) => r.sse).length} SSE, ${answered.filter((r) => !r.sse).length} JSON), p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  `statuses: ${[...statuses]
    .sort((a, b) => a[0] - b[0])
    .map(([status, count]) => `${status} × ${count}`)
    .join(", ")}`,
  "",
  "| check | measured | |",
  "|---|---|---|",
  ...checks.map((check) => `| ${check.check} | ${check.measured} | ${check.pass ? "pass" : "**FAIL**"} |`),
  "",
].join("\n");
process.stdout.write(out);
for (const record of unexpected.slice(0, 10))
  log(
    `unexpected: ${record.client} ${record.kind}${record.note ? ` (${record.note})` : ""} → ${record.reply.status} ${record.reply.code ?? ""} ${record.reply.failure ?? ""}`,
  );
if (flags.out) {
  await writeFile(
    flags.out,
    `${JSON.stringify({ seconds: elapsed, ipLimit, sessionQuota, requests: records.length, statuses: Object.fromEntries(statuses), byWorker: Object.fromEntries(byWorker), perIp: ipRows, tokens: perToken, logLines: lines.length, checks }, null, 2)}\n`,
  );
}
await rm(root, { recursive: true, force: true });
process.exitCode = checks.every((check) => check.pass) ? 0 : 1;
