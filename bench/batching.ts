/*
 * `npx tsx bench/batching.ts [--seconds 5] [--rounds 1] [--quick]`: micro-batching of query
 * embeddings (issue 17), side by side in one run. The encoder's cost per text at each batch size
 * (the single call is the floor), then the real server (`tsx src/main.ts`, 2 workers, 127.0.0.1)
 * under distinct questions at 1, 16 and 64 connections with batching off (EMBED_MAX_BATCH=1), on
 * with the next event-loop turn as the gathering window (EMBED_MAX_WAIT_MS=0) and on with a 2 ms
 * wait; throughput, latency p50/p99 and the batch sizes actually formed. Last, an overload run
 * (1 worker, MAX_QUEUED_QUESTIONS=4, 64 connections): every reply a 200 or a 503, no timeouts.
 * `npm run bench` runs the same as one of its steps.
 */
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { measureEncoderBatches, type EncoderBatchResults } from "./encoder-batches.js";
import { machineBusySeconds } from "./machine-load.js";
import { DistinctQuestions, projectRoot } from "./questions.js";
import { sleep, startServer, type RunningServer } from "./server-process.js";
import { round, summarize } from "./stats.js";
import type { LatencySummary } from "./results-schema.js";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import { ClaimSupport } from "../src/answer/verify/claim-support.js";
import { IndexClaimEmbeddings } from "../src/answer/verify/index-claim-embeddings.js";
import { BatchingQueryEmbeddings } from "../src/embed/batching-embeddings.js";
import { CachedQueryEmbeddings } from "../src/embed/cached-embeddings.js";
import type { Embedder } from "../src/embed/embedder.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import type { OpenedIndex } from "../src/search-index/open-index.js";

const round2 = (value: number) => round(value, 2);

export interface BatchingVariant {
  name: string;
  env: Record<string, string>;
}

export const batchingVariants: BatchingVariant[] = [
  { name: "off", env: { EMBED_MAX_BATCH: "1" } },
  { name: "next turn", env: { EMBED_MAX_BATCH: "16", EMBED_MAX_WAIT_MS: "0" } },
  { name: "wait 2 ms", env: { EMBED_MAX_BATCH: "16", EMBED_MAX_WAIT_MS: "2" } },
];

export interface BatchingRun {
  variant: string;
  round: number;
  workers: number;
  connections: number;
  throughputRps: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Batches formed during the run, by size. */
  batchSizes: Record<string, number>;
  meanBatchSize: number;
  otherCpuPercent: number;
}

export interface BatchingResults {
  encoder: EncoderBatchResults;
  /** The one-call-per-request ideal: cores × 1000 / the single-call encoder time. */
  idealRps: number;
  runs: BatchingRun[];
  overload: BatchingRun;
  /** Absent when only the HTTP runs were asked for. */
  inProcess?: InProcessBatchingRun[];
}

export async function measureBatching(options: {
  dataDir: string;
  indexDir: string;
  questions: DistinctQuestions;
  seconds: number;
  rounds: number;
  cores: number;
  log: (line: string) => void;
}): Promise<BatchingResults> {
  options.log("  encoder cost per batch size");
  const encoder = await measureEncoderBatches({ questions: options.questions, rounds: 20 });
  for (const { batch, msPerCall, msPerText, cpuMsPerText } of encoder.sizes) {
    options.log(
      `    batch ${String(batch).padStart(2)}: ${msPerCall} ms a call, ${msPerText} ms a text, ${cpuMsPerText} CPU ms a text`,
    );
  }
  options.log(
    `    largest |batched - alone|: ${encoder.maxAbsDifference.toExponential(2)} over ${encoder.texts} texts`,
  );
  const single = encoder.sizes.find((size) => size.batch === 1)!.msPerCall;
  const runs: BatchingRun[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const variant of batchingVariants) {
      const server = await startServer({
        dataDir: options.dataDir,
        indexDir: options.indexDir,
        workers: 2,
        env: { ...variant.env, LOG_LEVEL: "debug" },
      });
      try {
        await load(server, options.questions, 4, 2); // loads the model and warms the JIT in both workers
        for (const connections of [1, 16, 64]) {
          const run = {
            variant: variant.name,
            round,
            workers: 2,
            ...(await load(server, options.questions, connections, options.seconds)),
          };
          runs.push(run);
          options.log(describe(run));
        }
      } finally {
        await server.stop();
      }
    }
  }
  const server = await startServer({
    dataDir: options.dataDir,
    indexDir: options.indexDir,
    workers: 1,
    env: { EMBED_MAX_BATCH: "16", MAX_QUEUED_QUESTIONS: "4", LOG_LEVEL: "debug" },
  });
  let overload: BatchingRun;
  try {
    await load(server, options.questions, 2, 2);
    overload = {
      variant: "overload, MAX_QUEUED_QUESTIONS=4",
      round: 1,
      workers: 1,
      ...(await load(server, options.questions, 64, options.seconds)),
    };
    options.log(describe(overload));
  } finally {
    await server.stop();
  }
  return { encoder, idealRps: round(options.cores * (1000 / single), 1), runs, overload };
}

function describe(run: BatchingRun): string {
  return `    ${run.variant.padEnd(10)} r${run.round} ${String(run.connections).padStart(2)} conn: ${run.throughputRps} req/s, p50 ${run.latency.p50Ms.toFixed(1)} ms, p99 ${run.latency.p99Ms.toFixed(1)} ms, statuses ${JSON.stringify(run.statuses)}, timeouts ${run.timeouts}, mean batch ${run.meanBatchSize}, batches ${JSON.stringify(run.batchSizes)}, other CPU ${run.otherCpuPercent} %`;
}

async function load(server: RunningServer, questions: DistinctQuestions, connections: number, seconds: number) {
  await sleep(200);
  const batchesBefore = server.batchSizes().length;
  const machineCpu = machineBusySeconds();
  const serverCpu = server.cpuSeconds();
  const clientCpu = process.cpuUsage();
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${server.url}/api/chat`,
        connections,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            setupRequest: (request) => ({ ...request, body: JSON.stringify({ message: questions.next() }) }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on("response", (_client, status, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
  const clientCpuSeconds = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(clientCpu));
  const serverCpuSeconds = server.cpuSeconds() - serverCpu;
  const otherCpuSeconds = machineBusySeconds() - machineCpu - serverCpuSeconds - clientCpuSeconds;
  await sleep(200); // the last batch lines reach us a moment after the responses
  const sizes = server.batchSizes().slice(batchesBefore);
  const batchSizes: Record<string, number> = {};
  for (const size of sizes) batchSizes[size] = (batchSizes[size] ?? 0) + 1;
  return {
    connections,
    throughputRps: round(latencies.length / result.duration, 1),
    latency: summarize(latencies),
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    batchSizes,
    meanBatchSize: sizes.length ? round(sizes.reduce((sum, size) => sum + size, 0) / sizes.length, 2) : 0,
    otherCpuPercent: Math.max(0, Math.round((otherCpuSeconds / result.duration) * 100)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "5" },
      rounds: { type: "string", default: "1" },
      out: { type: "string" },
      "in-process-only": { type: "boolean", default: false },
    },
  });
  const path = await import("node:path");
  const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
  const { tmpdir, cpus } = await import("node:os");
  const { openIndex } = await import("../src/search-index/open-index.js");
  const { LocalEmbeddings } = await import("../src/embed/local-embeddings.js");
  const { answerAboutInterview } = await import("../src/answer/answer-about-interview.js");
  const dataDir = path.join(projectRoot, "data");
  const indexDir = await mkdtemp(path.join(tmpdir(), "bench-batching-"));
  try {
    const opened = await openIndex({ dataDir, indexDir, embedder: new LocalEmbeddings() });
    const questions = await DistinctQuestions.fromQuestionSets(
      (question) => answerAboutInterview(question, opened.interviews, opened.index.chunks) === null,
    );
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const inProcess = await measureInProcessBatching({
      opened,
      local: new LocalEmbeddings(),
      questions,
      askers: [1, 16],
      perAsker: 12,
      rounds: Number(values.rounds),
      log,
    });
    if (values["in-process-only"]) {
      if (values.out) await writeFile(values.out, `${JSON.stringify(inProcess, null, 2)}\n`);
    } else {
      const results = await measureBatching({
        dataDir,
        indexDir,
        questions,
        seconds: Number(values.seconds),
        rounds: Number(values.rounds),
        cores: cpus().length,
        log,
      });
      results.inProcess = inProcess;
      if (values.out) await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`);
      log(`ideal at one call a request: ${results.idealRps} req/s`);
    }
  } finally {
    await rm(indexDir, { recursive: true, force: true });
  }
}

export interface InProcessBatchingRun {
  variant: "off" | "next turn";
  round: number;
  /** Concurrent askers, each asking its next distinct question when its last is answered. */
  askers: number;
  questions: number;
  questionsPerSecond: number;
  /** This process's CPU time (user + system) a question: on a shared machine, less skewed than wall time. */
  cpuMsPerQuestion: number;
  latency: LatencySummary;
  meanBatchSize: number;
}

/**
 * The same comparison without HTTP, in this process: the real extractive answerer (retrieval,
 * claim checks, query cache) over the real index and encoder, with batching off and on, rounds
 * interleaved so that drift in the machine's load falls on both.
 */
export async function measureInProcessBatching(options: {
  opened: OpenedIndex;
  local: Embedder;
  questions: DistinctQuestions;
  askers: number[];
  perAsker: number;
  rounds: number;
  log: (line: string) => void;
}): Promise<InProcessBatchingRun[]> {
  const runs: InProcessBatchingRun[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const askers of options.askers) {
      for (const variant of ["off", "next turn"] as const) {
        const sizes: number[] = [];
        const batching = new BatchingQueryEmbeddings(options.local, {
          maxBatch: variant === "off" ? 1 : 16,
          maxWaitMs: 0,
          maxQueued: 1_000_000,
          onBatch: (size) => sizes.push(size),
        });
        const embedder = new CachedQueryEmbeddings(batching, { maxEntries: 1000 });
        const { index, interviews } = options.opened;
        const retriever = new HybridRetriever(index, embedder);
        const support = new ClaimSupport(retriever.terms, new IndexClaimEmbeddings(embedder, index));
        const answerer = new ExtractiveAnswerer({ retriever, interviews, chunks: index.chunks, support });
        await answerer.suggestions(); // as the server does before its first reader
        for (const message of options.questions.take(4)) await answerer.answer({ message });
        sizes.length = 0;
        const latencies: number[] = [];
        const cpu = process.cpuUsage();
        const started = performance.now();
        await Promise.all(
          Array.from({ length: askers }, async () => {
            for (const message of options.questions.take(options.perAsker)) {
              const start = performance.now();
              await answerer.answer({ message });
              latencies.push(performance.now() - start);
            }
          }),
        );
        const wallMs = performance.now() - started;
        const { user, system } = process.cpuUsage(cpu);
        const run: InProcessBatchingRun = {
          variant,
          round,
          askers,
          questions: latencies.length,
          questionsPerSecond: round2(latencies.length / (wallMs / 1000)),
          cpuMsPerQuestion: round2((user + system) / 1000 / latencies.length),
          latency: summarize(latencies),
          meanBatchSize: sizes.length ? round2(sizes.reduce((sum, size) => sum + size, 0) / sizes.length) : 0,
        };
        runs.push(run);
        options.log(
          `    in process ${variant.padEnd(9)} r${round} ${String(askers).padStart(2)} askers: ${run.questionsPerSecond} q/s, ${run.cpuMsPerQuestion} CPU ms a question, p50 ${run.latency.p50Ms.toFixed(2)} ms, p99 ${run.latency.p99Ms.toFixed(2)} ms, mean batch ${run.meanBatchSize}`,
        );
      }
    }
  }
  return runs;
}
