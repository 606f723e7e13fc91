/*
 * `npx tsx bench/fetch-latency.ts [--workers 2] [--samples 80] [--seconds 5]`: the issue's numbers
 * measured as a browser or a fetch client sees them (fetch sends Accept-Encoding), against the
 * production start over loopback:
 * - the bare encoder call (in this process, distinct texts): the floor of a distinct question;
 * - distinct questions one at a time: p50 and its ratio to the encoder call;
 * - a repeated (cached) question one at a time, with fetch's Accept-Encoding and with identity;
 * - /widget.js with br, gzip and identity;
 * - distinct questions at 16 connections: req/s against the one-call ideal (cores × 1000 / encoder ms).
 * Prints one table; writes JSON with --out.
 */
import { writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { measureIndexBuild } from "./in-process.js";
import { machineBusySeconds } from "./machine-load.js";
import { DistinctQuestions, projectRoot, repeatedQuestion } from "./questions.js";
import { startServer, type RunningServer } from "./server-process.js";
import { round, summarize } from "./stats.js";

const { values: flags } = parseArgs({
  options: {
    workers: { type: "string", default: "2" },
    samples: { type: "string", default: "80" },
    seconds: { type: "string", default: "5" },
    connections: { type: "string", default: "16" },
    out: { type: "string" },
    env: { type: "string", multiple: true },
    // A server bundle to run instead of the production start, e.g. an older build kept for comparison.
    bundle: { type: "string" },
    // Only the run at --connections (for comparing settings such as EMBED_MAX_BATCH).
    "load-only": { type: "boolean", default: false },
  },
});
const workers = Number(flags.workers);
const samples = Number(flags.samples);
const seconds = Number(flags.seconds);
const connections = Number(flags.connections);
const extraEnv = Object.fromEntries((flags.env ?? []).map((pair) => pair.split("=", 2) as [string, string]));
const log = (line: string) => process.stderr.write(`${line}\n`);

const startedAt = new Date();
const loadAtStart = round(loadavg()[0]!, 2);
const built = await measureIndexBuild(path.join(projectRoot, "data"), 1);
const questions = await DistinctQuestions.fromQuestionSets();

// The bare encoder call, distinct texts, back to back, after a warm-up.
const encoderTexts = questions.take(samples + 10);
const encoderSamples: number[] = [];
for (const [i, text] of encoderTexts.entries()) {
  const started = performance.now();
  await built.local.embedQuery(text);
  if (i >= 10) encoderSamples.push(performance.now() - started);
}
const encoder = summarize(encoderSamples);

const server = await startServer({
  dataDir: path.join(projectRoot, "data"),
  indexDir: built.indexDir,
  workers,
  env: extraEnv,
  ...(flags.bundle ? { command: [process.execPath, path.resolve(flags.bundle)] as [string, string] } : {}),
});
const results: Record<string, unknown> = {};
try {
  const chat = (message: string, headers: Record<string, string> = {}) =>
    timed(`${server.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ message }),
    });
  // Warm every worker: the model, the JIT.
  await Promise.all(
    Array.from({ length: 4 * workers }, async () => {
      for (let i = 0; i < 10; i++) await chat(questions.next());
    }),
  );

  if (!flags["load-only"]) await oneAtATime(server, chat);
  results.load = await loadRun(server, chat, connections, seconds);
} finally {
  await server.stop();
  await built.cleanUp();
}

/** Distinct and repeated questions and the widget's file, one request at a time. */
async function oneAtATime(
  server: RunningServer,
  chat: (message: string, headers?: Record<string, string>) => Promise<Timed>,
) {
  const distinct: number[] = [];
  const cpu = server.cpuSeconds();
  for (let i = 0; i < samples; i++) distinct.push((await chat(questions.next())).ms);
  results.distinct1 = { ...summarize(distinct), serverCpuMs: round(((server.cpuSeconds() - cpu) * 1000) / samples, 3) };

  for (const [name, headers] of [
    ["repeatedFetch", {}],
    ["repeatedIdentity", { "accept-encoding": "identity" }],
    ["repeatedGzip", { "accept-encoding": "gzip" }],
  ] as Array<[string, Record<string, string>]>) {
    for (let i = 0; i < 20; i++) await chat(repeatedQuestion, headers);
    const times: number[] = [];
    let last: Timed | undefined;
    const cpu = server.cpuSeconds();
    for (let i = 0; i < samples * 8; i++) times.push((last = await chat(repeatedQuestion, headers)).ms);
    const serverCpuMs = round(((server.cpuSeconds() - cpu) * 1000) / (samples * 8), 3);
    results[name] = { ...summarize(times), serverCpuMs, bytes: last!.bytes, encoding: last!.encoding };
  }

  for (const [name, encoding] of [
    ["widgetBr", "br"],
    ["widgetGzip", "gzip"],
    ["widgetIdentity", "identity"],
  ] as const) {
    const times: number[] = [];
    let last: Timed | undefined;
    const cpu = server.cpuSeconds();
    for (let i = 0; i < 200; i++)
      times.push((last = await timed(`${server.url}/widget.js`, { headers: { "accept-encoding": encoding } })).ms);
    const serverCpuMs = round(((server.cpuSeconds() - cpu) * 1000) / 200, 3);
    results[name] = { ...summarize(times.slice(10)), serverCpuMs, bytes: last!.bytes, encoding: last!.encoding };
  }
}

const ideal = (cpus().length * 1000) / encoder.p50Ms;
const report = {
  startedAt: startedAt.toISOString(),
  loadAverage: { atStart: loadAtStart, atEnd: round(loadavg()[0]!, 2) },
  workers,
  env: extraEnv,
  encoder,
  ...results,
  ratios: {
    distinct1OverEncoder: round(
      ((results.distinct1 as { p50Ms: number } | undefined)?.p50Ms ?? NaN) / encoder.p50Ms,
      3,
    ),
    repeatedFetchOverEncoder: round(
      ((results.repeatedFetch as { p50Ms: number } | undefined)?.p50Ms ?? NaN) / encoder.p50Ms,
      3,
    ),
    loadOverIdeal: round((results.load as { rps: number }).rps / ideal, 3),
    idealRps: round(ideal, 1),
  },
};
const row = (
  label: string,
  value: { p50Ms: number; p99Ms: number; serverCpuMs?: number; bytes?: number; encoding?: string },
) =>
  log(
    `${label.padEnd(26)} p50 ${value.p50Ms.toFixed(2).padStart(7)} ms  p99 ${value.p99Ms.toFixed(2).padStart(7)} ms${value.serverCpuMs !== undefined ? `  server CPU ${value.serverCpuMs.toFixed(3)} ms/req` : ""}${value.bytes !== undefined ? `  ${value.bytes} B ${value.encoding}` : ""}`,
  );
log(
  `\n${startedAt.toISOString()}, load ${loadAtStart} → ${report.loadAverage.atEnd}, ${workers} worker(s) ${JSON.stringify(extraEnv)}`,
);
row("encoder call, in process", encoder);
if (results.distinct1) row("distinct, 1 conn", results.distinct1 as never);
for (const name of ["repeatedFetch", "repeatedIdentity", "repeatedGzip", "widgetBr", "widgetGzip", "widgetIdentity"])
  if (results[name]) row(name, results[name] as never);
const load = results.load as {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  otherCpuPercent: number;
  serverCpuMsPerRequest: number;
};
log(
  `distinct, ${connections} conn: ${load.rps} req/s (ideal ${report.ratios.idealRps}: ${report.ratios.loadOverIdeal}×), p50 ${load.p50Ms} p99 ${load.p99Ms} ms, server CPU ${load.serverCpuMsPerRequest} ms a request, other CPU ${load.otherCpuPercent} %`,
);
log(
  `ratios: distinct/encoder ${report.ratios.distinct1OverEncoder}×, repeated/encoder ${report.ratios.repeatedFetchOverEncoder}×`,
);
if (flags.out) await writeFile(path.resolve(flags.out), `${JSON.stringify(report, null, 2)}\n`);

interface Timed {
  ms: number;
  status: number;
  bytes: number;
  encoding: string;
}

/** One request with fetch, timed to the last byte of the decoded body; `bytes` is the body as sent. */
async function timed(url: string, init: RequestInit): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(url, init);
  const body = await response.arrayBuffer();
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  const length = response.headers.get("content-length");
  return {
    ms,
    status: response.status,
    bytes: length ? Number(length) : body.byteLength,
    encoding: response.headers.get("content-encoding") ?? "identity",
  };
}

async function loadRun(
  _server: RunningServer,
  chat: (message: string) => Promise<Timed>,
  connectionCount: number,
  durationSeconds: number,
) {
  const times: number[] = [];
  const machineBefore = machineBusySeconds();
  const cpuBefore = _server.cpuSeconds();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const until = started + durationSeconds * 1000;
  await Promise.all(
    Array.from({ length: connectionCount }, async () => {
      while (performance.now() < until) times.push((await chat(questions.next())).ms);
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const client = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(clientBefore));
  const serverCpu = _server.cpuSeconds() - cpuBefore;
  const other = machineBusySeconds() - machineBefore - serverCpu - client;
  return {
    ...summarize(times),
    rps: round(times.length / elapsed, 1),
    serverCpuMsPerRequest: round((serverCpu * 1000) / times.length, 3),
    serverCpuPercent: Math.round((serverCpu / elapsed) * 100),
    clientCpuPercent: Math.round((client / elapsed) * 100),
    otherCpuPercent: Math.max(0, Math.round((other / elapsed) * 100)),
  };
}
