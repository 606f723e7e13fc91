import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import http from "node:http";
import type { DistinctQuestions } from "./questions.js";
import { startServer, type RunningServer } from "./server-process.js";
import { median, round, summarize } from "./stats.js";
import type { LatencySummary } from "./results-schema.js";

/** `/api/chat` with insights on and off, side by side (issue 16: p50 within 1 ms). */
export interface InsightsOverhead {
  workers: number;
  connections: number;
  /** Rounds of this many seconds each of request pairs (one to each server, the order swapped every pair). */
  secondsPerRun: number;
  rounds: number;
  off: LatencySummary;
  on: LatencySummary;
  /** p50 on − p50 off, in ms: the bar's number. */
  p50DifferenceMs: number;
  /** Request pairs timed, and the median of (on − off) within a pair: the same comparison, less exposed to other work. */
  pairs: number;
  pairedDifferenceP50Ms: number;
  /** The p50 of each round, off and on, in the order run. */
  roundsP50Ms: Array<{ round: number; offMs: number; onMs: number }>;
  /** Turns the insights-on server reported in GET /api/insights: every answered request, so it was recording. */
  turnsRecorded: number;
  requestsOn: number;
}

export interface InsightsOverheadOptions {
  dataDir: string;
  indexDir: string;
  /** One source a variant, over the same bases: pair n asks both servers question n. */
  questions: { off: DistinctQuestions; on: DistinctQuestions };
  secondsPerRun: number;
  rounds: number;
  log: (line: string) => void;
  /** How to start the servers; default as `startServer` starts the bench's servers. */
  command?: [string, ...string[]];
}

/**
 * Two real servers started side by side (1 worker each, so the cluster's hand-off adds no noise),
 * one with INSIGHTS=off and one recording to a temporary INSIGHTS_DB. Requests go in pairs, one to
 * each, on a kept-alive connection each, the order swapped every pair: on a shared machine other
 * work swings latency by tens of milliseconds within seconds (runs of a few seconds each, off and
 * on in turn, differed by up to 35 ms from round to round), which a pair's two requests, a few
 * milliseconds apart, share. Both ask distinct questions (no cache answers) from the same sequence:
 * pair n asks both servers question n.
 */
export async function measureInsightsOverhead(options: InsightsOverheadOptions): Promise<InsightsOverhead> {
  const scratch = await mkdtemp(path.join(tmpdir(), "interview-chat-bench-insights-"));
  const adminKey = "bench-admin-key-insights";
  const workers = 1;
  const connections = 1;
  const servers: { off?: RunningServer; on?: RunningServer } = {};
  const agents = {
    off: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    on: new http.Agent({ keepAlive: true, maxSockets: 1 }),
  };
  try {
    const { dataDir, indexDir, command } = options;
    servers.off = await startServer({ command, dataDir, indexDir, workers, env: { INSIGHTS: "off" } });
    servers.on = await startServer({
      command,
      dataDir,
      indexDir,
      workers,
      env: { INSIGHTS_DB: path.join(scratch, "insights.sqlite"), ADMIN_KEYS: adminKey },
    });
    const ask = (variant: "off" | "on", message: string) =>
      timedPost(servers[variant]!.url, agents[variant], { message });
    const latencies = { off: [] as number[], on: [] as number[] };
    const differences: number[] = [];
    const roundsP50Ms: InsightsOverhead["roundsP50Ms"] = [];
    let requestsOn = 0;
    let pair = 0;
    // Loads the model and warms the JIT in both before anything is timed.
    for (let i = 0; i < 30; i++) {
      const message = options.questions.off.next();
      options.questions.on.next();
      await ask("off", message);
      await ask("on", message);
      requestsOn++;
    }
    for (let r = 0; r < options.rounds; r++) {
      const round = { off: [] as number[], on: [] as number[] };
      const until = performance.now() + options.secondsPerRun * 1000;
      while (performance.now() < until) {
        const message = options.questions.off.next();
        if (options.questions.on.next() !== message) throw new Error("The two question sequences differ");
        const order = pair++ % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const);
        const ms = { off: 0, on: 0 };
        for (const variant of order) ms[variant] = await ask(variant, message);
        requestsOn++;
        round.off.push(ms.off);
        round.on.push(ms.on);
        differences.push(ms.on - ms.off);
      }
      latencies.off.push(...round.off);
      latencies.on.push(...round.on);
      roundsP50Ms.push({ round: r + 1, offMs: summarize(round.off).p50Ms, onMs: summarize(round.on).p50Ms });
      options.log(
        `  insights round ${r + 1}: ${round.off.length} pairs, p50 off ${summarize(round.off).p50Ms.toFixed(2)} ms, on ${summarize(round.on).p50Ms.toFixed(2)} ms`,
      );
    }
    // Turns are written every 200 ms; the report flushes first.
    const report = (await (
      await fetch(`${servers.on.url}/api/insights?days=1`, { headers: { authorization: `Bearer ${adminKey}` } })
    ).json()) as { total: number };
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
      pairs: differences.length,
      pairedDifferenceP50Ms: round(median(differences)),
      roundsP50Ms,
      turnsRecorded: report.total,
      requestsOn,
    };
  } finally {
    agents.off.destroy();
    agents.on.destroy();
    await Promise.all([servers.off?.stop(), servers.on?.stop()]);
    await rm(scratch, { recursive: true, force: true });
  }
}

/** POST /api/chat on a kept-alive connection: milliseconds from sending to the reply's last byte; a reply other than 200 fails the run. */
function timedPost(url: string, agent: http.Agent, body: unknown): Promise<number> {
  const payload = JSON.stringify(body);
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        hostname,
        port,
        path: "/api/chat",
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (response) => {
        response.resume();
        response.on("end", () =>
          response.statusCode === 200
            ? resolve(performance.now() - started)
            : reject(new Error(`POST /api/chat answered ${response.statusCode}`)),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

export function formatInsightsOverhead(insights: InsightsOverhead): string {
  const rows = [
    ["off (INSIGHTS=off)", insights.off],
    ["on (a temporary INSIGHTS_DB)", insights.on],
  ] as const;
  return [
    `\n/api/chat with insights off and on, side by side (${insights.workers} worker each, ${insights.connections} connection each, distinct questions; ${insights.pairs} request pairs, one to each server, the order swapped every pair, over ${insights.rounds} rounds of ${insights.secondsPerRun} s)\n`,
    "| insights | replies | p50 ms | p99 ms | mean ms |",
    "|---|---|---|---|---|",
    ...rows.map(
      ([name, summary]) =>
        `| ${name} | ${summary.samples} | ${summary.p50Ms.toFixed(2)} | ${summary.p99Ms.toFixed(2)} | ${summary.meanMs.toFixed(2)} |`,
    ),
    "",
    `p50 on − off: ${insights.p50DifferenceMs >= 0 ? "+" : ""}${insights.p50DifferenceMs.toFixed(2)} ms (bar: within 1 ms); median of on − off within a pair: ${insights.pairedDifferenceP50Ms >= 0 ? "+" : ""}${insights.pairedDifferenceP50Ms.toFixed(2)} ms; p50 per round off/on: ${insights.roundsP50Ms.map((r) => `${r.offMs.toFixed(2)}/${r.onMs.toFixed(2)}`).join(", ")}; turns recorded by the server with insights on: ${insights.turnsRecorded} of ${insights.requestsOn} requests`,
    "",
  ].join("\n");
}
