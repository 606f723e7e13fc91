import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { Command, InvalidArgumentError } from "commander";
import { loadConfig } from "../config.js";
import { AppError } from "../errors.js";
import { evalDraft } from "../insights/export-eval.js";
import { formatInsightsHtml } from "../insights/format-html.js";
import { describeTarget, openStore } from "../insights/open-store.js";
import type { InsightsReport } from "../insights/store.js";
import { runCli } from "./run-cli.js";

const program = new Command()
  .name("insights")
  .description(
    "What readers asked: totals by kind and day, answer rate, latency, top and unanswered questions, thumbs down, most cited sections.",
  )
  .option(
    "--days <n>",
    "the last n days",
    (value: string) => {
      const days = Number(value);
      if (!Number.isInteger(days) || days < 1)
        throw new InvalidArgumentError("must be a whole number of days, at least 1");
      return days;
    },
    7,
  )
  .option("--json", "print the report as GET /api/insights returns it")
  .option("--html <file>", "write the report as one self-contained page (a chart of questions per day and the tables)")
  .option(
    "--export-eval <file>",
    "write the unanswered and thumbs-down questions as a question-set draft (JSONL) to fill in for npm run eval",
  )
  .showHelpAfterError();

runCli(async () => {
  program.parse();
  const options = program.opts<{ days: number; json?: boolean; html?: string; exportEval?: string }>();
  const config = loadConfig();
  if (!config.insights) throw new AppError("insights_off", "Insights are off (INSIGHTS=off)", 400);
  const target = config.insights.store;
  // Opening creates a file that is not there; a report on nothing should say so instead.
  if ("file" in target && !existsSync(target.file))
    throw new AppError(
      "insights_missing",
      `No insights yet: ${target.file} does not exist (the server creates it on start)`,
      404,
    );
  const store = await openStore(target).catch((error: unknown) => {
    throw new AppError(
      "insights_unavailable",
      `Cannot read the insights at ${describeTarget(target)}: ${(error as Error).message}`,
      503,
      { cause: error },
    );
  });
  try {
    if (options.exportEval) {
      const draft = evalDraft(await store.evalCandidates(Date.now() - options.days * 86_400_000));
      await writeFile(options.exportEval, draft);
      process.stderr.write(
        `Wrote ${draft.split("\n").length - 1} draft questions to ${options.exportEval}; fill in answerable, evidence and facts, then remove "draft" and "note".\n`,
      );
      return;
    }
    const report = await store.report(options.days);
    if (options.html) {
      await writeFile(options.html, formatInsightsHtml(report));
      process.stderr.write(`Wrote ${options.html}\n`);
      return;
    }
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  } finally {
    await store.close();
  }
});

/** The report as plain-text tables. */
export function formatReport(report: InsightsReport): string {
  const lines: string[] = [];
  const rate = report.answerRate === null ? "–" : `${(report.answerRate * 100).toFixed(1)} %`;
  const ms = (value: number | null) => (value === null ? "–" : `${value.toFixed(1)} ms`);
  lines.push(`Insights, last ${report.days} days (since ${report.since})`);
  lines.push(
    `${report.total} turns: ${report.byKind.answer} answered, ${report.byKind.no_answer} unanswered, ${report.byKind.smalltalk} small talk; answer rate ${rate}`,
  );
  lines.push(
    `latency p50 ${ms(report.latencyMs.p50)}, p90 ${ms(report.latencyMs.p90)}, p99 ${ms(report.latencyMs.p99)}; feedback ${report.feedback.up} up, ${report.feedback.down} down`,
  );
  lines.push(
    "",
    table(
      ["day", "answer", "no_answer", "smalltalk"],
      report.byDay.map((day) => [day.day, day.answer, day.no_answer, day.smalltalk]),
    ),
  );
  lines.push(
    "",
    "Top questions",
    table(
      ["count", "question"],
      report.topQuestions.map((row) => [row.count, row.question]),
    ),
  );
  lines.push(
    "",
    "Unanswered",
    table(
      ["count", "last asked", "question"],
      report.unanswered.map((row) => [row.count, row.last, row.question]),
    ),
  );
  lines.push(
    "",
    "Thumbs down",
    table(
      ["time", "question", "comment"],
      report.thumbsDown.map((row) => [row.time, row.question, row.comment ?? ""]),
    ),
  );
  lines.push(
    "",
    "Most cited sections",
    table(
      ["count", "section"],
      report.topSections.map((row) => [row.count, row.section]),
    ),
  );
  return `${lines.join("\n")}\n`;
}

function table(header: string[], rows: Array<Array<string | number>>): string {
  if (rows.length === 0) return "  (none)";
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  return cells
    .map(
      (row) =>
        `  ${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ")}`,
    )
    .join("\n");
}
