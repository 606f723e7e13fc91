import autocannon from "autocannon";
import { machineBusySeconds, waitForQuiet } from "./machine-load.js";
import type { DistinctQuestions } from "./questions.js";
import { repeatedQuestion } from "./questions.js";
import type { HttpResults, HttpRun } from "./results-schema.js";
import { sleep, startServer, type RunningServer } from "./server-process.js";
import { round, summarize } from "./stats.js";

export interface HttpLoadOptions {
  dataDir: string;
  indexDir: string;
  workerCounts: number[];
  connections: number[];
  durationSeconds: number;
  questions: DistinctQuestions;
  log: (line: string) => void;
}

/**
 * POST /api/chat under load with autocannon, against the real server process (`tsx src/main.ts`)
 * for each WEB_CONCURRENCY: distinct questions (none ever asked before, so neither cache hits)
 * and one repeated question, at each connection count. Peak RSS is read before each server stops.
 */
export async function measureHttpLoad(options: HttpLoadOptions): Promise<HttpResults> {
  const runs: HttpRun[] = [];
  const peakRss: HttpResults["peakRss"] = [];
  for (const workers of options.workerCounts) {
    const server = await startServer({ dataDir: options.dataDir, indexDir: options.indexDir, workers });
    try {
      // Loads the model and warms the JIT in every worker before anything is timed.
      await load(server, { connections: 2 * workers, durationSeconds: 2, body: () => distinctBody(options.questions) });
      for (const questions of ["distinct", "repeated"] as const) {
        const body = questions === "distinct" ? () => distinctBody(options.questions) : () => repeatedBody;
        if (questions === "repeated") await load(server, { connections: 2 * workers, durationSeconds: 1, body });
        for (const connections of options.connections) {
          // A run during which other work took the cores is repeated once the machine is quiet.
          let run = await load(server, { connections, durationSeconds: options.durationSeconds, body });
          let attempts = 1;
          while (run.otherCpuPercent > maxOtherCpuPercent && attempts < 3) {
            options.log(
              `  (other work took ${run.otherCpuPercent} % CPU during the run: waiting for a quiet machine, then again)`,
            );
            await waitForQuiet({ maxSeconds: 60 });
            const again = await load(server, { connections, durationSeconds: options.durationSeconds, body });
            attempts++;
            if (again.otherCpuPercent < run.otherCpuPercent) run = again;
          }
          runs.push({ workers, questions, connections, ...run, attempts });
          options.log(
            `  workers ${workers} ${questions.padEnd(8)} ${String(connections).padStart(2)} conn: ${run.throughputRps} req/s, p50 ${run.latency.p50Ms.toFixed(2)} ms, p99 ${run.latency.p99Ms.toFixed(2)} ms, errors ${run.errors}, non-2xx ${run.non2xx}, CPU server ${run.serverCpuPercent} % client ${run.clientCpuPercent} % other ${run.otherCpuPercent} %, requests per server process ${run.requestsPerProcess.join("/")}`,
          );
        }
      }
      const processes = server.peakRss();
      peakRss.push({
        workers,
        processes,
        totalMb: round(
          processes.filter((entry) => entry.role !== "tsx cli").reduce((sum, entry) => sum + entry.peakRssMb, 0),
          1,
        ),
      });
    } finally {
      await server.stop();
    }
  }
  return { durationSeconds: options.durationSeconds, runs, peakRss };
}

const repeatedBody = JSON.stringify({ message: repeatedQuestion });
const maxOtherCpuPercent = 15;

function distinctBody(questions: DistinctQuestions): string {
  return JSON.stringify({ message: questions.next() });
}

async function load(
  server: RunningServer,
  options: { connections: number; durationSeconds: number; body: () => string },
): Promise<Omit<HttpRun, "workers" | "questions" | "connections" | "attempts">> {
  const latencies: number[] = [];
  // The request log lines of a run reach us a moment after its responses: counts are taken after a pause.
  await sleep(200);
  const serverCpu = server.cpuSeconds();
  const served = server.requestsByProcess();
  const machineCpu = machineBusySeconds();
  const clientCpu = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${server.url}/api/chat`,
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: 30,
        requests: [
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            setupRequest: (request) => ({ ...request, body: options.body() }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    // autocannon's histogram keeps whole milliseconds; the event carries the exact time.
    instance.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  const clientCpuSeconds = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(clientCpu));
  const serverCpuSeconds = server.cpuSeconds() - serverCpu;
  const otherCpuSeconds = machineBusySeconds() - machineCpu - serverCpuSeconds - clientCpuSeconds;
  await sleep(200);
  const servedNow = server.requestsByProcess();
  return {
    durationSeconds: round(result.duration, 2),
    requests: latencies.length,
    throughputRps: round(latencies.length / result.duration, 1),
    latency: summarize(latencies),
    autocannonP50Ms: result.latency.p50,
    autocannonP99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    serverCpuPercent: Math.round((serverCpuSeconds / result.duration) * 100),
    clientCpuPercent: Math.round((clientCpuSeconds / result.duration) * 100),
    otherCpuPercent: Math.max(0, Math.round((otherCpuSeconds / result.duration) * 100)),
    requestsPerProcess: [...servedNow].map(([pid, count]) => count - (served.get(pid) ?? 0)).sort((a, b) => b - a),
  };
}
