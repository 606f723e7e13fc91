import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import type { DistinctQuestions } from "./questions.js";
import { startServer, type RunningServer } from "./server-process.js";
import { round, summarize } from "./stats.js";
import type { LatencySummary } from "./results-schema.js";

/** `/api/chat` with insights on and off, side by side (issue 16: p50 within 1 ms). */
export interface InsightsOverhead {
  workers: number;
  connections: number;
  /** Alternating runs of this many seconds each, per variant. */
  secondsPerRun: number;
  rounds: number;
  off: LatencySummary;
  on: LatencySummary;
  /** p50 on − p50 off, in ms. */
  p50DifferenceMs: number;
  /** The p50 of each round, off and on, in the order run. */
  roundsP50Ms: Array<{ round: number; offMs: number; onMs: number }>;
  /** Turns the insights-on server reported in GET /api/insights: every answered request, so it was recording. */
  turnsRecorded: number;
  requestsOn: number;
}

export interface InsightsOverheadOptions {
  dataDir: string;
  indexDir: string;
  /** One source a variant, over the same bases: both are asked distinct questions from the same sequence. */
  questions: { off: DistinctQuestions; on: DistinctQuestions };
  secondsPerRun: number;
  rounds: number;
  log: (line: string) => void;
  /** How to start the servers; default as `startServer` starts the bench's servers. */
  command?: [string, ...string[]];
}

/**
 * Two real servers started side by side (1 worker each, so the cluster's hand-off adds no noise),
 * one with INSIGHTS=off and one recording to a temporary INSIGHTS_DB; 1 connection asks distinct
 * questions (so no cache answers), alternating between them in short runs, off first then on first
 * in turn, so other work on the machine lands on both alike. Both ask from the same sequence of
 * distinct questions.
 */
export async function measureInsightsOverhead(options: InsightsOverheadOptions): Promise<InsightsOverhead> {
  const scratch = await mkdtemp(path.join(tmpdir(), "interview-chat-bench-insights-"));
  const adminKey = "bench-admin-key-insights";
  const workers = 1;
  const connections = 1;
  const servers: { off?: RunningServer; on?: RunningServer } = {};
  try {
    const { dataDir, indexDir, command } = options;
    servers.off = await startServer({ command, dataDir, indexDir, workers, env: { INSIGHTS: "off" } });
    servers.on = await startServer({ command, dataDir, indexDir, workers, env: { INSIGHTS_DB: path.join(scratch, "insights.sqlite"), ADMIN_KEYS: adminKey } });
    const latencies = { off: [] as number[], on: [] as number[] };
    const roundsP50Ms: InsightsOverhead["roundsP50Ms"] = [];
    let requestsOn = 0;
    // Loads the model and warms the JIT in both before anything is timed.
    for (const variant of ["off", "on"] as const) {
      const warmUp = await run(servers[variant]!, options.questions[variant], 2, connections);
      if (variant === "on") requestsOn += warmUp.length;
    }
    for (let r = 0; r < options.rounds; r++) {
      const order = r % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const);
      const p50 = { off: 0, on: 0 };
      for (const variant of order) {
        const samples = await run(servers[variant]!, options.questions[variant], options.secondsPerRun, connections);
        latencies[variant].push(...samples);
        if (variant === "on") requestsOn += samples.length;
        p50[variant] = summarize(samples).p50Ms;
      }
      roundsP50Ms.push({ round: r + 1, offMs: p50.off, onMs: p50.on });
      options.log(`  insights round ${r + 1}: p50 off ${p50.off.toFixed(2)} ms, on ${p50.on.toFixed(2)} ms`);
    }
    // Turns are written every 200 ms; the report flushes first.
    const report = (await (await fetch(`${servers.on.url}/api/insights?days=1`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as { total: number };
    const off = summarize(latencies.off);
    const on = summarize(latencies.on);
    return {
      workers,
      connections,
      secondsPerRun: options.secondsPerRun,
      rounds: options.rounds,
      off,
      on,
      p50DifferenceMs: round(on.p50Ms - off.p50Ms),
      roundsP50Ms,
      turnsRecorded: report.total,
      requestsOn,
    };
  } finally {
    await Promise.all([servers.off?.stop(), servers.on?.stop()]);
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `seconds` of POST /api/chat on `connections` connections; the exact time of each 200 reply. */
async function run(server: RunningServer, questions: DistinctQuestions, seconds: number, connections: number): Promise<number[]> {
  const latencies: number[] = [];
  await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${server.url}/api/chat`,
        connections,
        duration: seconds,
        timeout: 30,
        requests: [{ method: "POST", headers: { "content-type": "application/json" }, setupRequest: (request) => ({ ...request, body: JSON.stringify({ message: questions.next() }) }) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    // autocannon's histogram keeps whole milliseconds; the event carries the exact time.
    instance.on("response", (_client, status, _bytes, responseTime) => {
      if (status === 200) latencies.push(responseTime);
    });
  });
  return latencies;
}

export function formatInsightsOverhead(insights: InsightsOverhead): string {
  const rows = [
    ["off (INSIGHTS=off)", insights.off],
    ["on (a temporary INSIGHTS_DB)", insights.on],
  ] as const;
  return [
    `\n/api/chat with insights off and on, side by side (${insights.workers} worker each, ${insights.connections} connection, distinct questions, ${insights.rounds} alternating rounds of ${insights.secondsPerRun} s each)\n`,
    "| insights | replies | p50 ms | p99 ms | mean ms |",
    "|---|---|---|---|---|",
    ...rows.map(([name, summary]) => `| ${name} | ${summary.samples} | ${summary.p50Ms.toFixed(2)} | ${summary.p99Ms.toFixed(2)} | ${summary.meanMs.toFixed(2)} |`),
    "",
    `p50 on − off: ${insights.p50DifferenceMs >= 0 ? "+" : ""}${insights.p50DifferenceMs.toFixed(2)} ms (bar: within 1 ms); per round off/on: ${insights.roundsP50Ms.map((r) => `${r.offMs.toFixed(2)}/${r.onMs.toFixed(2)}`).join(", ")}; turns recorded by the server with insights on: ${insights.turnsRecorded} of ${insights.requestsOn} requests`,
    "",
  ].join("\n");
}
