/*
 * `npm run bench`: index build, cold start, in-process step latencies, HTTP load with autocannon,
 * query-embedding batching on and off, LLM-mode overhead, insights on and off, a scale curve and a baseline comparison, in one run. Writes
 * bench/results.json (schema: bench/results-schema.ts) and prints the tables; progress goes to
 * stderr. `--quick` runs a shorter version (and writes to a temporary file unless --out is given);
 * `--only insights` or `--only llm` runs that step alone.
 * See README.md, "Benchmarks".
 */
import { writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { answerAboutInterview } from "../src/answer/answer-about-interview.js";
import { measureBaseline } from "./baseline.js";
import { measureBatching, measureInProcessBatching } from "./batching.js";
import { ensureBuild, measureColdStart } from "./cold-start.js";
import { measureHttpLoad } from "./http-load.js";
import { measureInProcess, measureIndexBuild } from "./in-process.js";
import { measureLlmOverhead } from "./llm-overhead.js";
import { waitForQuiet } from "./machine-load.js";
import { DistinctQuestions, projectRoot } from "./questions.js";
import { formatReport, insightsBarItem, judgeBar } from "./report.js";
import { formatInsightsOverhead, measureInsightsOverhead } from "./insights-overhead.js";
import type { BenchResults } from "./results-schema.js";
import { measureScaleCurve } from "./scale-curve.js";

const { values: flags } = parseArgs({
  options: { quick: { type: "boolean", default: false }, out: { type: "string" }, only: { type: "string" } },
});
const quick = flags.quick ?? false;
const settings = quick
  ? {
      buildRuns: 2,
      coldRuns: 2,
      coldSlowVariantRuns: 1,
      samples: 60,
      httpSeconds: 3,
      connections: [1, 16, 64],
      llmSamples: 10,
      scaleSizes: [1, 10, 100],
      scaleQuestions: 40,
      insightsSeconds: 2,
      insightsRounds: 4,
    }
  : {
      buildRuns: 3,
      coldRuns: 5,
      coldSlowVariantRuns: 3,
      samples: 200,
      httpSeconds: 10,
      connections: [1, 16, 64],
      llmSamples: 40,
      scaleSizes: [1, 10, 100, 1000],
      scaleQuestions: 100,
      insightsSeconds: 5,
      insightsRounds: 6,
    };
// `--only insights` runs that step alone (on one index build), prints its table and the bar's row,
// and writes its JSON only with --out: bench/results.json is the whole run's.
if (flags.only !== undefined && flags.only !== "insights" && flags.only !== "llm")
  throw new Error(`--only takes "insights" or "llm", not "${flags.only}"`);
const out = flags.out
  ? path.resolve(flags.out)
  : quick
    ? path.join(tmpdir(), "interview-chat-bench-quick.json")
    : path.join(projectRoot, "bench/results.json");
const dataDir = path.join(projectRoot, "data");

const startedAt = new Date();
const started = performance.now();
const log = (line: string) => process.stderr.write(`${line}\n`);
let waitedSeconds = 0;
/** Starts a step once the machine is quiet (other work skews timings), waiting a minute at most. */
const step = async (name: string) => {
  const waited = await waitForQuiet({ maxSeconds: 60 });
  waitedSeconds += waited;
  log(
    `[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${name}${waited > 3 ? ` (after waiting ${waited} s for a quiet machine)` : ""}`,
  );
};

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model.trim() ?? "unknown",
  totalMemoryMb: Math.round(totalmem() / 2 ** 20),
  node: process.versions.node,
  platform: `${process.platform} ${process.arch}`,
  loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
  loadAverageAtEnd: 0,
};

// Every server below runs as `npm start` runs it, compiled: make build/ current first.
log("building (npm run build) if build/ is missing or older than src/");
await ensureBuild();

/** Insights on and off side by side, each server asked its own run of the distinct questions. */
const insightsOverhead = async (indexDir: string, retrievalOnly: (question: string) => boolean) =>
  measureInsightsOverhead({
    dataDir,
    indexDir,
    questions: {
      off: await DistinctQuestions.fromQuestionSets(retrievalOnly),
      on: await DistinctQuestions.fromQuestionSets(retrievalOnly),
    },
    secondsPerRun: settings.insightsSeconds,
    rounds: settings.insightsRounds,
    log,
  });

/**
 * `--only <step>`: the index built once, that step run on it, its result printed (and written as
 * JSON with --out: bench/results.json is the whole run's), then the process ends.
 */
async function runOnly(
  name: string,
  measure: (
    built: Awaited<ReturnType<typeof measureIndexBuild>>,
    retrievalOnly: (question: string) => boolean,
  ) => Promise<{ result: object; printed: string }>,
): Promise<never> {
  await step("index build (once)");
  const built = await measureIndexBuild(dataDir, 1);
  try {
    const retrievalOnly = (question: string) =>
      answerAboutInterview(question, built.opened.interviews, built.opened.index.chunks) === null;
    const { result, printed } = await measure(built, retrievalOnly);
    if (flags.out)
      await writeFile(
        path.resolve(flags.out),
        `${JSON.stringify({ startedAt: startedAt.toISOString(), quick, machine, [name]: result }, null, 2)}\n`,
      );
    process.stdout.write(printed);
  } finally {
    await built.cleanUp();
  }
  process.exit(0);
}

if (flags.only === "insights")
  await runOnly("insights", async (built, retrievalOnly) => {
    await step("insights on and off");
    const insights = await insightsOverhead(built.indexDir, retrievalOnly);
    const bar = insightsBarItem(insights);
    return {
      result: insights,
      printed: `${formatInsightsOverhead(insights)}\n${bar.pass ? "PASS" : "FAIL"} ${bar.criterion}: ${bar.value} ms (${bar.threshold})\n`,
    };
  });

if (flags.only === "llm")
  await runOnly("llm", async (built, retrievalOnly) => {
    await step("LLM mode overhead");
    const llm = await measureLlmOverhead({
      dataDir,
      indexDir: built.indexDir,
      samples: settings.llmSamples,
      questions: await DistinctQuestions.fromQuestionSets(retrievalOnly),
    });
    return { result: llm, printed: `${JSON.stringify(llm, null, 2)}\n` };
  });

await step("index build");
const built = await measureIndexBuild(dataDir, settings.buildRuns);
try {
  const { opened, local } = built;
  // Questions about the interview itself are answered from its structure without retrieval: they
  // would flatter every "distinct question" number, so the bases leave them out.
  const retrievalOnly = (question: string) =>
    answerAboutInterview(question, opened.interviews, opened.index.chunks) === null;
  const questions = await DistinctQuestions.fromQuestionSets(retrievalOnly);

  await step("in-process latency");
  const inProcess = await measureInProcess(opened, local, questions, settings.samples);

  await step("baseline comparison");
  const baseline = await measureBaseline(opened.index, local);

  await step("cold start");
  const coldStart = await measureColdStart({
    dataDir,
    builtIndexDir: built.indexDir,
    runs: settings.coldRuns,
    slowVariantRuns: settings.coldSlowVariantRuns,
  });

  await step("HTTP load (autocannon)");
  const http = await measureHttpLoad({
    dataDir,
    indexDir: built.indexDir,
    workerCounts: [1, 2],
    connections: settings.connections,
    durationSeconds: settings.httpSeconds,
    questions,
    log,
  });

  await step("query batching on and off");
  const batching = await measureBatching({
    dataDir,
    indexDir: built.indexDir,
    questions,
    seconds: settings.httpSeconds,
    rounds: 1,
    cores: machine.cpus,
    log,
  });
  batching.inProcess = await measureInProcessBatching({
    opened,
    local,
    questions,
    askers: [1, 16],
    perAsker: quick ? 6 : 12,
    rounds: 2,
    log,
  });

  await step("LLM mode overhead");
  const llm = await measureLlmOverhead({ dataDir, indexDir: built.indexDir, samples: settings.llmSamples, questions });

  await step("insights on and off");
  const insights = await insightsOverhead(built.indexDir, retrievalOnly);

  await step("scale curve");
  const scaleQuestions = (await DistinctQuestions.fromQuestionSets(retrievalOnly)).take(settings.scaleQuestions + 10);
  const scale = await measureScaleCurve({
    sizes: settings.scaleSizes,
    local,
    questions: scaleQuestions,
    warmUp: 10,
    log,
  });

  machine.loadAverageAtEnd = Math.round(loadavg()[0]! * 100) / 100;
  const partial: Omit<BenchResults, "bar"> = {
    schemaVersion: 3,
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    waitedForQuietSeconds: waitedSeconds,
    quick,
    machine,
    index: built.result,
    coldStart,
    inProcess,
    http,
    llm,
    scale,
    baseline,
    batching,
    insights,
  };
  const results: BenchResults = { ...partial, bar: judgeBar(partial) };
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), out) || out}`);
  process.stdout.write(formatReport(results));
} finally {
  await built.cleanUp();
}
