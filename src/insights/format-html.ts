import type { InsightsReport } from "./store.js";

const escapeHtml = (value: unknown) =>
  String(value).replace(
    /[&<>"']/g,
    (character) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[character]!,
  );

const colors = { answer: "#2f5bea", no_answer: "#d9822b", smalltalk: "#9aa5b1" } as const;

/**
 * The report as one self-contained page: inline CSS and an inline SVG chart of questions per day,
 * stacked by kind; no scripts, fonts or images from anywhere, so it opens offline and can be mailed.
 */
export function formatInsightsHtml(report: InsightsReport): string {
  const rate = report.answerRate === null ? "–" : `${(report.answerRate * 100).toFixed(1)} %`;
  const ms = (value: number | null) => (value === null ? "–" : `${value.toFixed(1)} ms`);
  const table = (header: string[], rows: unknown[][]) =>
    rows.length === 0
      ? `<p class="none">None.</p>`
      : `<table><thead><tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join("")}</tr></thead><tbody>${rows
          .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell ?? "")}</td>`).join("")}</tr>`)
          .join("")}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Insights: last ${report.days} days</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;color:#1b1f24;max-width:960px;margin:24px auto;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
.stats{display:flex;flex-wrap:wrap;gap:12px}.stat{background:#f1f3f6;border-radius:8px;padding:10px 14px}.stat b{display:block;font-size:20px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #d8dde3;vertical-align:top}th{font-weight:600}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px;border-radius:2px}.none{color:#5b6470}
</style></head><body>
<h1>Insights: last ${report.days} days</h1>
<p>Since ${escapeHtml(report.since)}.</p>
<div class="stats">
<div class="stat"><b>${report.total}</b>turns</div><div class="stat"><b>${report.byKind.answer}</b>answered</div>
<div class="stat"><b>${report.byKind.no_answer}</b>unanswered</div><div class="stat"><b>${report.byKind.smalltalk}</b>small talk</div>
<div class="stat"><b>${rate}</b>answer rate</div><div class="stat"><b>${ms(report.latencyMs.p50)}</b>p50 (p90 ${ms(report.latencyMs.p90)}, p99 ${ms(report.latencyMs.p99)})</div>
<div class="stat"><b>${report.feedback.up} / ${report.feedback.down}</b>thumbs up / down</div>
</div>
<h2>Questions per day</h2>
${chart(report.byDay)}
<p class="legend">${(Object.keys(colors) as Array<keyof typeof colors>).map((kind) => `<span style="background:${colors[kind]}"></span>${kind.replace("_", " ")}`).join("")}</p>
<h2>Top questions</h2>${table(
    ["count", "question"],
    report.topQuestions.map((row) => [row.count, row.question]),
  )}
<h2>Unanswered</h2>${table(
    ["count", "last asked", "question"],
    report.unanswered.map((row) => [row.count, row.last, row.question]),
  )}
<h2>Thumbs down</h2>${table(
    ["time", "question", "answer", "comment"],
    report.thumbsDown.map((row) => [row.time, row.question, row.answer ?? "(answers not kept)", row.comment ?? ""]),
  )}
<h2>Most cited sections</h2>${table(
    ["count", "section"],
    report.topSections.map((row) => [row.count, row.section]),
  )}
</body></html>
`;
}

function chart(days: InsightsReport["byDay"]): string {
  if (days.length === 0) return `<p class="none">No questions yet.</p>`;
  const width = 900;
  const height = 220;
  const top = Math.max(...days.map((day) => day.answer + day.no_answer + day.smalltalk), 1);
  const slot = width / days.length;
  const bar = Math.max(2, Math.min(48, slot * 0.7));
  const bars = days
    .map((day, index) => {
      let y = height - 20;
      const x = index * slot + (slot - bar) / 2;
      const parts = (Object.keys(colors) as Array<keyof typeof colors>).map((kind) => {
        const h = (day[kind] / top) * (height - 40);
        y -= h;
        return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[kind]}"><title>${escapeHtml(day.day)}: ${day[kind]} ${kind}</title></rect>`;
      });
      const label =
        days.length <= 14 || index % Math.ceil(days.length / 14) === 0
          ? `<text x="${(x + bar / 2).toFixed(1)}" y="${height - 5}" text-anchor="middle" font-size="11" fill="#5b6470">${escapeHtml(day.day.slice(5))}</text>`
          : "";
      return parts.join("") + label;
    })
    .join("");
  return `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Questions per day, stacked by kind"><text x="0" y="12" font-size="11" fill="#5b6470">${top}</text>${bars}</svg>`;
}
