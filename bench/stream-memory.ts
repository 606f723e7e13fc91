/*
 * `npx tsx bench/stream-memory.ts [--streams 1000] [--llm]`: a worker's memory before a burst of
 * concurrent streamed answers, at its peak, as the last stream ends, and 3 s and 10 s later.
 * Memory kept per finished stream would show as a worker that does not come back down.
 * Prints one JSON object; docs/benchmarks.md records the runs. BENCH_NODE_OPTIONS is passed to the
 * server as NODE_OPTIONS (a --require that logs process.memoryUsage(), say).
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { FakeOpenAiServer } from "../test/support/fake-openai-server.js";
import { ensureBuild } from "./cold-start.js";
import { DistinctQuestions, projectRoot } from "./questions.js";
import { descendants, startServer } from "./server-process.js";

const { values: flags } = parseArgs({
  options: { streams: { type: "string", default: "1000" }, llm: { type: "boolean", default: false } },
});
const streams = Number(flags.streams);
if (!Number.isInteger(streams) || streams < 1) throw new Error(`--streams takes a whole number, not ${flags.streams}`);

/** VmRSS of a process, in MiB. */
function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Math.round(Number(match[1]) / 1024) : 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await ensureBuild();
const indexDir = await mkdtemp(path.join(tmpdir(), "stream-memory-"));
const upstream = flags.llm ? await new FakeOpenAiServer().start() : null;
if (upstream)
  upstream.chat = { reply: "The ambassador answers this in the first passage [1]. He adds a figure [1].", delayMs: 50 };
const server = await startServer({
  dataDir: path.join(projectRoot, "data"),
  indexDir,
  workers: 1,
  env: {
    ...(upstream ? { OPENAI_BASE_URL: upstream.baseURL, LLM_MAX_RETRIES: "0" } : {}),
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
  },
});
try {
  // The one worker: the deepest process of the server's tree (the primary forks it).
  const tree = descendants(server.child.pid!);
  const worker = tree.length > 0 ? tree[tree.length - 1]!.pid : server.child.pid!;
  const questions = await DistinctQuestions.fromQuestionSets();
  let burstStarted = 0;
  const ask = async (question: string): Promise<number | string> => {
    try {
      const response = await fetch(`${server.url}/api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: question, stream: true }),
      });
      await response.arrayBuffer();
      return response.status;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      return `${cause?.code ?? "network error"} (${Math.floor((performance.now() - burstStarted) / 1000)} s in)`;
    }
  };
  // Warm up as a server in use is: JIT, caches, the model's first runs.
  for (let i = 0; i < 100; i++) await ask(questions.next());
  await sleep(3_000);
  const before = rssMb(worker);
  let peak = before;
  const watch = setInterval(() => (peak = Math.max(peak, rssMb(worker))), 50);
  burstStarted = performance.now();
  const statuses = await Promise.all(Array.from({ length: streams }, () => ask(questions.next())));
  clearInterval(watch);
  const atEnd = rssMb(worker);
  await sleep(3_000);
  const after3s = rssMb(worker);
  await sleep(7_000);
  const after10s = rssMb(worker);
  const counts: Record<string, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  console.log(
    JSON.stringify({
      mode: upstream ? "llm" : "extractive",
      streams,
      statuses: counts,
      rssMb: { before, peak, atEnd, after3s, after10s },
      after10sVsBefore: Math.round((after10s / before) * 100) / 100,
    }),
  );
} finally {
  await server.stop();
  await upstream?.stop();
  await rm(indexDir, { recursive: true, force: true });
}
