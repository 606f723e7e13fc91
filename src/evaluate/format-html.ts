import { describeTarget } from "./format-console.js";
import type { Report } from "./report.js";
import { isError } from "./score-response.js";
import {
  formatMetric,
  metricDefinitions,
  metricLabel,
  metricNames,
  shownGroups,
  type MetricName,
} from "./summarize.js";
import type { ThresholdCheck } from "./thresholds.js";

/**
 * report.html: one self-contained page (inline CSS, no script, a CSP that forbids loading anything)
 * with a bar a metric, its threshold marked, and the per-question table. Every text is escaped.
 */
export function formatHtml(report: Report): string {
  const { summary } = report;
  const checkOf = new Map(report.thresholds.map((check) => [check.metric, check]));
  const slowest = Math.max(
    1,
    ...metricNames
      .filter((metric) => metricDefinitions[metric].unit === "ms")
      .map((metric) => summary.metrics[metric] ?? 0),
  );
  const groups = shownGroups(summary.metrics)
    .map(
      (group) =>
        `<h3>${escapeHtml(group.title)}</h3>\n<div class="bars">\n${group.metrics
          .map((metric) =>
            bar(metric, summary.metrics[metric], metricLabel(metric, summary.k), checkOf.get(metric), slowest),
          )
          .join("\n")}\n</div>`,
    )
    .join("\n");
  const rows = report.questions
    .map((result) => {
      if (isError(result)) {
        return `<tr class="error"><td>${escapeHtml(result.id)}</td><td>ERROR</td><td></td><td></td><td>${escapeHtml(result.question)}</td><td>${escapeHtml(result.error)}</td></tr>`;
      }
      const rank = result.answerable ? String(result.evidenceRank ?? "–") : "";
      const answer = `<details><summary>answer</summary><p>${escapeHtml(result.answer)}</p></details>`;
      return (
        `<tr class="${result.passed ? "pass" : "fail"}"><td>${escapeHtml(result.id)}</td><td>${result.passed ? "pass" : "FAIL"}</td>` +
        `<td class="number">${rank}</td><td class="number">${Math.round(result.latencyMs)}</td>` +
        `<td>${escapeHtml(result.question)}${answer}</td><td>${escapeHtml(result.misses.join("; "))}</td></tr>`
      );
    })
    .join("\n");
  const thresholdNote = report.thresholds.length
    ? `${report.thresholds.filter((check) => check.passed === false).length} of ${report.thresholds.length} thresholds missed`
    : "no thresholds";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evaluation report: ${escapeHtml(report.questionSet)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1d1d1f; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; text-transform: capitalize; }
.meta { color: #555; }
.bars { display: grid; grid-template-columns: 14rem 1fr 7rem; gap: .35rem .8rem; align-items: center; }
.track { position: relative; height: 1rem; background: #eee; border-radius: 3px; }
.fill { height: 100%; border-radius: 3px; background: #4a78c2; }
.fill.ok { background: #3b9b5b; } .fill.missed { background: #c8433a; }
.limit { position: absolute; top: -3px; bottom: -3px; width: 2px; background: #111; }
.value { font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.fail td:nth-child(2), tr.error td:nth-child(2) { color: #c8433a; font-weight: 600; }
details summary { color: #555; cursor: pointer; font-size: .9em; }
</style>
</head>
<body>
<h1>Evaluation report</h1>
<p class="meta">${escapeHtml(report.questionSet)}: ${summary.questions} questions (${summary.answerable} answerable, ${summary.unanswerable} unanswerable) ·
${escapeHtml(describeTarget(report.target))} · finished ${escapeHtml(report.createdAt)}<br>
${summary.passed} passed${summary.errors ? ` · ${summary.errors} errors` : ""}${summary.degraded ? ` · ${summary.degraded} degraded` : ""} · ${thresholdNote}</p>
<h2>Metrics</h2>
${groups}
<h2>Questions</h2>
<table>
<thead><tr><th>id</th><th>result</th><th>rank</th><th>ms</th><th>question</th><th>missed</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}

function bar(
  metric: MetricName,
  value: number | null,
  label: string,
  check: ThresholdCheck | undefined,
  slowest: number,
): string {
  const scale = metricDefinitions[metric].unit === "ms" ? slowest : 1;
  const percent = (amount: number) => `${Math.min(100, (amount / scale) * 100).toFixed(1)}%`;
  const state = !check || check.passed === null ? "" : check.passed ? " ok" : " missed";
  const limit = check
    ? `<div class="limit" style="left: ${percent(check.limit)}" title="${check.bound === "min" ? "floor" : "ceiling"} ${escapeHtml(formatMetric(metric, check.limit))}"></div>`
    : "";
  const note = check ? ` (${check.bound === "min" ? "≥" : "≤"} ${escapeHtml(formatMetric(metric, check.limit))})` : "";
  return (
    `<div>${escapeHtml(label)}</div>` +
    `<div class="track"><div class="fill${state}" style="width: ${percent(value ?? 0)}"></div>${limit}</div>` +
    `<div class="value">${escapeHtml(formatMetric(metric, value))}${note}</div>`
  );
}

/** Escapes the five characters that could open markup or end an attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
