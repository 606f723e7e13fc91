import { describeTarget } from "./format-console.js";
import type { Report } from "./report.js";
import { isError } from "./score-response.js";
import { formatMetric, metricLabel, shownGroups, type MetricName } from "./summarize.js";
import type { ThresholdCheck } from "./thresholds.js";

/** report.md: what ran, the metrics with their thresholds, and one table row a question. */
export function formatMarkdown(report: Report): string {
  const { summary } = report;
  const checkOf = new Map(report.thresholds.map((check) => [check.metric, check]));
  const lines = [
    "# Evaluation report",
    "",
    `- question set: ${escape(report.questionSet)} (${summary.questions} questions: ${summary.answerable} answerable, ${summary.unanswerable} unanswerable)`,
    `- target: ${escape(describeTarget(report.target))}`,
    `- finished: ${escape(report.createdAt)}`,
    `- passed: ${summary.passed} of ${summary.questions}${summary.errors ? `; errors: ${summary.errors}` : ""}${summary.degraded ? `; degraded: ${summary.degraded}` : ""}`,
    "",
    "## Metrics",
    "",
    "| group | metric | value | threshold |",
    "|---|---|---:|---|",
  ];
  for (const group of shownGroups(summary.metrics)) {
    for (const metric of group.metrics) {
      lines.push(
        `| ${group.title} | ${escape(metricLabel(metric, summary.k))} | ${formatMetric(metric, summary.metrics[metric])} | ${threshold(metric, checkOf.get(metric))} |`,
      );
    }
  }
  lines.push("", "## Questions", "", "| id | result | rank | ms | question | missed |", "|---|---|---:|---:|---|---|");
  for (const result of report.questions) {
    if (isError(result)) {
      lines.push(`| ${escape(result.id)} | ERROR | | | ${escape(result.question)} | ${escape(result.error)} |`);
      continue;
    }
    const rank = result.answerable ? String(result.evidenceRank ?? "-") : "";
    lines.push(
      `| ${escape(result.id)} | ${result.passed ? "pass" : "**FAIL**"} | ${rank} | ${Math.round(result.latencyMs)} | ${escape(result.question)} | ${escape(result.misses.join("; "))} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function threshold(metric: MetricName, check: ThresholdCheck | undefined): string {
  if (!check) return "";
  const sign = check.bound === "min" ? "≥" : "≤";
  const verdict = check.passed === null ? "not measured" : check.passed ? "ok" : "**missed**";
  return `${sign} ${formatMetric(metric, check.limit)} ${verdict}`;
}

/** Table-cell safe: one line, and Markdown/HTML punctuation backslash-escaped so text stays text. */
export function escape(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").replace(/[\\`*_[\]{}()<>#|!~&]/g, "\\$&");
}
