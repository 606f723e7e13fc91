import { existsSync } from "node:fs";
import { Command } from "commander";
import { createOpenAiClient } from "../openai-client.js";
import { loadConfig, type Config } from "../config.js";
import { createAssistant } from "../create-assistant.js";
import { BadRequestError } from "../errors.js";
import { compareReports, loadEarlierReport } from "../evaluate/compare-reports.js";
import {
  describeTarget,
  formatComparison,
  formatSummary,
  formatTable,
  formatThresholdCheck,
} from "../evaluate/format-console.js";
import { askOverHttp } from "../evaluate/http-client.js";
import { createJudge, type JudgeAnswer } from "../evaluate/judge.js";
import { supportThreshold } from "../evaluate/metrics.js";
import { createProgress } from "../evaluate/progress.js";
import { loadQuestionSet } from "../evaluate/question-set.js";
import { reportSchemaVersion, type EvalTarget, type Report } from "../evaluate/report.js";
import { askAnswerer, type AskQuestion } from "../evaluate/ask-question.js";
import { runEval, sourceLookup } from "../evaluate/run-eval.js";
import { isError } from "../evaluate/score-response.js";
import { summarize } from "../evaluate/summarize.js";
import { checkThresholds, loadThresholds, parseBoundOption, type Thresholds } from "../evaluate/thresholds.js";
import { writeReports } from "../evaluate/write-reports.js";
import { loadCorpus } from "../ingest/load-corpus.js";
import { createLogger } from "../logger.js";
import { runCli } from "./run-cli.js";

const defaultThresholds = "eval/thresholds.json";

const program = new Command()
  .name("eval")
  .description(
    "Runs a question set through the assistant (in process, or a running server with --url) and reports retrieval, " +
      "citation, fact, abstention and latency metrics. Exit code 0: all thresholds met; 2: a threshold missed; 1: an error.",
  )
  .option("--questions <file>", "JSONL question set", "eval/questions.jsonl")
  .option("--url <url>", "ask the server at this address (POST /api/chat) instead of the in-process pipeline")
  .option("--out <dir>", "folder for report.json, report.md and report.html", "eval/out")
  .option("--k <n>", "rank cut-off for hit@k", "3")
  .option("--compare <report.json>", "print the change of every metric since this earlier report")
  .option("--thresholds <file>", "floors and ceilings to check", defaultThresholds)
  .option("--fail-under <metric=value...>", "add or override a floor (higher-is-better metrics)")
  .option(
    "--fail-over <metric=value...>",
    "add or override a ceiling (lower-is-better metrics: falseAbstentionRate, latency*)",
  )
  .option("--timeout <ms>", "per-request timeout with --url", "60000")
  .option(
    "--judge",
    "also have an LLM judge each answer's faithfulness to its quotes and its relevance (needs OPENAI_API_KEY or OPENAI_BASE_URL)",
  )
  .option("--judge-model <model>", "the judge's chat model (default: OPENAI_CHAT_MODEL)")
  .option(
    "--user-turns-only",
    "drop the assistant's replies from every history: does a follow-up pass as well without them?",
  )
  .option("--json", "print report.json to stdout instead of the table (and the comparison)")
  .showHelpAfterError();

interface Options {
  questions: string;
  url?: string;
  out: string;
  k: string;
  compare?: string;
  thresholds: string;
  failUnder?: string[];
  failOver?: string[];
  timeout: string;
  json?: boolean;
  userTurnsOnly?: boolean;
  judge?: boolean;
  judgeModel?: string;
}

runCli(async () => {
  program.parse();
  const options = program.opts<Options>();
  const k = positiveInteger("--k", options.k);
  const timeoutMs = positiveInteger("--timeout", options.timeout);
  // Everything that can be wrong with the input fails before minutes of answering.
  const thresholds = await readThresholds(options);
  const earlier = options.compare ? await loadEarlierReport(options.compare) : null;
  const config = loadConfig();
  const judge = options.judge ? createJudgeFrom(config, options.judgeModel) : undefined;
  const sources = await loadCorpus(config.dataDir);
  const loaded = await loadQuestionSet(
    options.questions,
    sources.map((source) => source.text),
  );
  const questions = options.userTurnsOnly
    ? loaded.map((question) => ({ ...question, history: question.history?.filter((turn) => turn.role === "user") }))
    : loaded;

  let ask: AskQuestion;
  let target: EvalTarget;
  if (options.url) {
    ask = askOverHttp(options.url, {
      apiKey: config.evalApiKey,
      timeoutMs,
      onRateLimited: (seconds) => process.stderr.write(`\nrate limited by the server; waiting ${seconds} s\n`),
    });
    target = { kind: "http", url: options.url };
  } else {
    const { answerer } = await createAssistant(config, {
      logger: createLogger(config.logLevel === "info" ? "warn" : config.logLevel, 2, [config.openai.apiKey]),
    });
    ask = askAnswerer(answerer);
    target = { kind: "in-process", answerer: answerer.mode };
  }

  const progress = createProgress(process.stderr);
  const results = await runEval({
    questions,
    ask,
    sourceOf: sourceLookup(sources),
    k,
    judge,
    onProgress: (done, total, id) => progress.update(done, total, id),
  }).finally(() => progress.clear());
  const summary = summarize(results, k);
  const report: Report = {
    schemaVersion: reportSchemaVersion,
    createdAt: new Date().toISOString(),
    questionSet: options.questions,
    target,
    supportThreshold,
    summary,
    thresholds: checkThresholds(summary.metrics, thresholds),
    questions: results,
  };
  const written = await writeReports(report, options.out);

  const missed = report.thresholds.filter((check) => check.passed === false);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = [formatTable(results), "", formatSummary(report)];
    const met = report.thresholds.length - missed.length;
    if (report.thresholds.length) lines.push(`thresholds: ${met} of ${report.thresholds.length} met`);
    for (const check of report.thresholds.filter((item) => item.passed === null))
      lines.push(`  ${formatThresholdCheck(check)}`);
    lines.push(`reports: ${written.join(", ")}`);
    if (earlier && options.compare)
      lines.push("", formatComparison(compareReports(earlier, report), k, options.compare));
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  const unjudged = results.filter((result) => !isError(result) && result.judgeError !== undefined).length;
  if (unjudged > 0)
    process.stderr.write(`warning: the judge gave no verdict on ${unjudged} answers; see judgeError in report.json\n`);
  for (const check of missed) process.stderr.write(`threshold missed: ${formatThresholdCheck(check)}\n`);
  if (summary.errors > 0) {
    process.stderr.write(
      `error: ${summary.errors} of ${summary.questions} questions could not be answered by the ${describeTarget(target)}; see ${written[0]}\n`,
    );
    process.exitCode = 1;
  } else if (missed.length > 0) {
    process.exitCode = 2;
  }
});

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new BadRequestError(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

function createJudgeFrom(config: Config, model: string | undefined): JudgeAnswer {
  if (!config.openai.apiKey && !config.openai.baseURL)
    throw new BadRequestError("--judge needs a model: set OPENAI_API_KEY or OPENAI_BASE_URL");
  const client = createOpenAiClient(config.openai);
  return createJudge({ client, model: model ?? config.openai.chatModel });
}

/** The thresholds file (the default one may be absent), then the command line's bounds on top. */
async function readThresholds(options: Options): Promise<Thresholds> {
  const useFile = options.thresholds !== defaultThresholds || existsSync(defaultThresholds);
  const thresholds = useFile ? await loadThresholds(options.thresholds) : { min: {}, max: {} };
  for (const bound of options.failUnder ?? []) parseBoundOption(bound, "min", thresholds);
  for (const bound of options.failOver ?? []) parseBoundOption(bound, "max", thresholds);
  return thresholds;
}
