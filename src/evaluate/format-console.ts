import type { Comparison } from "./compare-reports.js";
import type { EvalTarget, Report } from "./report.js";
import { isError, type QuestionResult } from "./score-response.js";
import { formatMetric, metricDefinitions, metricLabel, shownGroups } from "./summarize.js";
import type { ThresholdCheck } from "./thresholds.js";

/** "extractive answerer, in process" or "server http://127.0.0.1:3000". */
export function describeTarget(target: EvalTarget): string {
  return target.kind === "http" ? `server ${target.url}` : `${target.answerer} answerer, in process`;
}

/** One row a question: id, pass/FAIL/ERROR, evidence rank, latency, and what missed. */
export function formatTable(results: readonly QuestionResult[]): string {
  const rows = results.map((result) => {
    if (isError(result)) return [result.id, "ERROR", "", "", result.error];
    const rank = result.answerable ? String(result.evidenceRank ?? "-") : "";
    return [
      result.id,
      result.passed ? "pass" : "FAIL",
      rank,
      String(Math.round(result.latencyMs)),
      result.misses.join("; "),
    ];
  });
  const header = ["id", "result", "rank", "ms", "missed"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1
          ? cell
          : column === 3
            ? cell.padStart(widths[column]!)
            : cell.padEnd(widths[column]!),
      )
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** The aggregates, a group of metrics a line, under a line saying what ran on what. */
export function formatSummary(report: Report): string {
  const { summary } = report;
  const lines = [
    `${report.questionSet}: ${summary.questions} questions (${summary.answerable} answerable, ${summary.unanswerable} unanswerable), ` +
      `${describeTarget(report.target)}: ${summary.passed} passed` +
      (summary.errors ? `, ${summary.errors} errors` : "") +
      (summary.degraded ? `, ${summary.degraded} degraded` : ""),
  ];
  for (const group of shownGroups(summary.metrics)) {
    const cells = group.metrics.map(
      (metric) => `${metricLabel(metric, summary.k)} ${formatMetric(metric, summary.metrics[metric])}`,
    );
    lines.push(cells.join("   "));
  }
  return lines.join("\n");
}

/** One line a threshold: the metric, its value and its floor or ceiling. */
export function formatThresholdCheck(check: ThresholdCheck): string {
  const value = formatMetric(check.metric, check.value);
  const limit = formatMetric(check.metric, check.limit);
  if (check.passed === null)
    return `${check.metric} not measured (${check.bound === "min" ? "floor" : "ceiling"} ${limit})`;
  if (check.bound === "min") return `${check.metric} ${value} ${check.passed ? "≥" : "is below the"} floor ${limit}`;
  return `${check.metric} ${value} ${check.passed ? "≤" : "is above the"} ceiling ${limit}`;
}

/** Per-metric before, after and delta, then the questions whose result flipped. */
export function formatComparison(comparison: Comparison, k: number, file: string): string {
  const rows = comparison.metrics.map((item) => {
    const unit = metricDefinitions[item.metric].unit;
    const sign = item.change === "same" ? "±" : item.delta !== null && item.delta < 0 ? "−" : "+";
    const amount =
      item.delta === null
        ? ""
        : item.change === "same"
          ? "0"
          : unit === "ms"
            ? String(Math.abs(Math.round(item.delta)))
            : Math.abs(item.delta).toFixed(2);
    const delta = item.delta === null ? "" : `${sign}${amount}${unit === "ms" ? " ms" : ""}`;
    return [
      metricLabel(item.metric, k),
      formatMetric(item.metric, item.before),
      formatMetric(item.metric, item.after),
      delta,
      item.change === "same" ? "" : item.change,
    ];
  });
  const header = ["metric", "before", "after", "delta", ""];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  const lines = [
    `compared with ${file} (${comparison.createdAt})`,
    ...comparison.caveats.map((caveat) => `note: ${caveat}`),
    line(header),
    ...rows.map(line),
  ];
  if (comparison.nowFailing.length) lines.push(`now failing: ${comparison.nowFailing.join(", ")}`);
  if (comparison.nowPassing.length) lines.push(`now passing: ${comparison.nowPassing.join(", ")}`);
  return lines.join("\n");
}
