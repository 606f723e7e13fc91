import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compareReports, loadEarlierReport } from "../src/evaluate/compare-reports.js";
import { formatComparison, formatSummary, formatTable, formatThresholdCheck } from "../src/evaluate/format-console.js";
import { formatHtml } from "../src/evaluate/format-html.js";
import { formatMarkdown } from "../src/evaluate/format-markdown.js";
import { createProgress } from "../src/evaluate/progress.js";
import { reportSchemaVersion, type Report } from "../src/evaluate/report.js";
import type { QuestionResult, QuestionScore } from "../src/evaluate/score-response.js";
import { metricGroups, metricNames, summarize, type MetricName } from "../src/evaluate/summarize.js";
import {
  checkThresholds,
  loadThresholds,
  parseBoundOption,
  ThresholdError,
  type Thresholds,
} from "../src/evaluate/thresholds.js";
import { writeReports } from "../src/evaluate/write-reports.js";
import { projectRoot } from "./support/corpus.js";

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "eval-reports-"));
});

function scored(id: string, overrides: Partial<QuestionScore> = {}): QuestionScore {
  return {
    id,
    question: `Question ${id}?`,
    answerable: true,
    abstained: false,
    evidenceRank: 1,
    quoteHoldsEvidence: true,
    factsStated: true,
    missingFacts: [],
    citations: 1,
    invalidCitations: 0,
    sentences: 1,
    supportedSentences: 1,
    claims: 1,
    supportedClaims: 1,
    latencyMs: 10,
    mode: "extractive",
    degraded: false,
    answer: "An answer [1].",
    judgedFaithfulness: null,
    judgedRelevance: null,
    passed: true,
    misses: [],
    ...overrides,
  };
}

function reportOf(questions: QuestionResult[], thresholds: Thresholds = { min: {}, max: {} }): Report {
  const summary = summarize(questions, 3);
  return {
    schemaVersion: reportSchemaVersion,
    createdAt: "2024-06-01T00:00:00.000Z",
    questionSet: "eval/questions.jsonl",
    target: { kind: "in-process", answerer: "extractive" },
    supportThreshold: 0.5,
    summary,
    thresholds: checkThresholds(summary.metrics, thresholds),
    questions,
  };
}

const allMetrics = (value: number | null) =>
  Object.fromEntries(metricNames.map((name) => [name, value])) as Record<MetricName, number | null>;

describe("thresholds", () => {
  it("reads the project's thresholds file: floors for higher-is-better metrics, a ceiling for false abstention", async () => {
    const thresholds = await loadThresholds(path.join(projectRoot, "eval/thresholds.json"));
    expect(thresholds.min.citationValidity).toBe(1);
    expect(thresholds.max.falseAbstentionRate).toBeGreaterThan(0);
    expect(thresholds.min.falseAbstentionRate).toBeUndefined();
  });

  it("misses a floor below it and a ceiling above it, and passes on the limit itself", () => {
    const thresholds: Thresholds = { min: { factAccuracy: 0.8, hitAt1: 0.5 }, max: { falseAbstentionRate: 0.2 } };
    const checks = checkThresholds({ ...allMetrics(0.5), factAccuracy: 0.79, falseAbstentionRate: 0.21 }, thresholds);
    expect(checks.map(({ metric, bound, passed }) => [metric, bound, passed])).toEqual([
      ["hitAt1", "min", true],
      ["factAccuracy", "min", false],
      ["falseAbstentionRate", "max", false],
    ]);
    expect(
      checkThresholds({ ...allMetrics(0.5), factAccuracy: 0.8, falseAbstentionRate: 0.2 }, thresholds).every(
        (check) => check.passed,
      ),
    ).toBe(true);
    expect(formatThresholdCheck(checks[1]!)).toBe("factAccuracy 0.79 is below the floor 0.80");
    expect(formatThresholdCheck(checks[2]!)).toBe("falseAbstentionRate 0.21 is above the ceiling 0.20");
  });

  it("neither passes nor misses a threshold on a metric the run could not measure", () => {
    const [check] = checkThresholds(allMetrics(null), { min: { abstentionRecall: 0.8 }, max: {} });
    expect(check).toMatchObject({ value: null, passed: null });
  });

  it("adds or overrides bounds from METRIC=VALUE options and rejects what makes no sense", () => {
    const thresholds: Thresholds = { min: { factAccuracy: 0.5 }, max: {} };
    parseBoundOption("factAccuracy=0.9", "min", thresholds);
    parseBoundOption("latencyP95Ms=250", "max", thresholds);
    expect(thresholds).toEqual({ min: { factAccuracy: 0.9 }, max: { latencyP95Ms: 250 } });
    expect(() => parseBoundOption("factAccuracy", "min", thresholds)).toThrow(/--fail-under takes METRIC=VALUE/);
    expect(() => parseBoundOption("nonsense=0.5", "min", thresholds)).toThrow(
      /unknown metric "nonsense"; known: hitAt1, /,
    );
    expect(() => parseBoundOption("falseAbstentionRate=0.1", "min", thresholds)).toThrow(
      /lower-is-better: give it a ceiling/,
    );
    expect(() => parseBoundOption("hitAt1=0.5", "max", thresholds)).toThrow(/higher-is-better: give it a floor/);
    expect(() => parseBoundOption("hitAt1=1.5", "min", thresholds)).toThrow(
      /1.5 is out of range for hitAt1 \(0 to 1\)/,
    );
  });

  it("names the file and the problem in a bad thresholds file", async () => {
    const file = path.join(folder, "thresholds.json");
    await writeFile(file, JSON.stringify({ min: { hitAt1: 0.8, recall: 0.5 } }));
    await expect(loadThresholds(file)).rejects.toThrow(`${file}: unknown metric "recall"`);
    await writeFile(file, JSON.stringify({ floors: {} }));
    await expect(loadThresholds(file)).rejects.toThrow(ThresholdError);
    await writeFile(file, "{");
    await expect(loadThresholds(file)).rejects.toThrow(`${file}: not valid JSON`);
  });
});

describe("comparing with an earlier report", () => {
  it("gives each metric's delta, judged by its direction, and the questions that flipped", async () => {
    const before = reportOf([
      scored("q1"),
      scored("q2", { passed: false, factsStated: false, misses: ["facts missing: 98"] }),
      scored("q3", { latencyMs: 30 }),
    ]);
    const after = reportOf([
      scored("q1", { abstained: true, passed: false, misses: ["abstained"] }),
      scored("q2"),
      scored("q3", { latencyMs: 30 }),
    ]);
    const file = path.join(folder, "before.json");
    await writeFile(file, JSON.stringify(before));
    const comparison = compareReports(await loadEarlierReport(file), after);
    const delta = (metric: MetricName) => comparison.metrics.find((item) => item.metric === metric)!;
    expect(delta("factAccuracy")).toMatchObject({ before: 2 / 3, after: 1, change: "better" });
    expect(delta("falseAbstentionRate")).toMatchObject({ before: 0, after: 1 / 3, change: "worse" });
    expect(delta("hitAt1")).toMatchObject({ delta: 0, change: "same" });
    expect(comparison).toMatchObject({ nowFailing: ["q1"], nowPassing: ["q2"], caveats: [] });
    const text = formatComparison(comparison, 3, file);
    expect(text).toMatch(/^false abstention\s+0\.00\s+0\.33\s+\+0\.33\s+worse$/m);
    expect(text).toMatch(/^facts stated\s+0\.67\s+1\.00\s+\+0\.33\s+better$/m);
    expect(text).toContain("now failing: q1");
  });

  it("warns when the runs asked different question sets", async () => {
    const file = path.join(folder, "other-set.json");
    await writeFile(file, JSON.stringify({ ...reportOf([scored("q1")]), questionSet: "other.jsonl" }));
    expect(compareReports(await loadEarlierReport(file), reportOf([scored("q1")])).caveats).toEqual([
      "the earlier run asked other.jsonl, this one eval/questions.jsonl",
    ]);
  });

  it("refuses a file that is not a report of this schema version", async () => {
    const file = path.join(folder, "not-a-report.json");
    await writeFile(file, JSON.stringify({ schemaVersion: 99 }));
    await expect(loadEarlierReport(file)).rejects.toThrow(
      `${file} is not a report.json of schema version 1 (schemaVersion: 99)`,
    );
  });
});

describe("reports", () => {
  const hostile = "<script>alert('x')</script> | & \"quoted\"";
  const questions: QuestionResult[] = [
    scored("q1"),
    scored("q2", {
      question: hostile,
      answer: hostile,
      factsStated: false,
      passed: false,
      misses: [`facts missing: ${hostile}`],
    }),
    {
      id: "q3",
      question: "Down?",
      answerable: false,
      passed: false,
      misses: ["error: 502"],
      error: "server answered 502 <b>",
    },
  ];
  const report = reportOf(questions, { min: { factAccuracy: 0.9 }, max: { falseAbstentionRate: 0.2 } });

  it("writes report.json with a schema version, report.md and report.html into the folder", async () => {
    const out = path.join(folder, "out", "nested");
    const written = await writeReports(report, out);
    expect(written.map((file) => path.basename(file))).toEqual(["report.json", "report.md", "report.html"]);
    const json = JSON.parse(await readFile(path.join(out, "report.json"), "utf8"));
    expect(json).toMatchObject({
      schemaVersion: 1,
      summary: { questions: 3, errors: 1 },
      questions: [{ id: "q1" }, { id: "q2" }, { id: "q3", error: "server answered 502 <b>" }],
    });
    expect(Object.keys(json.summary.metrics)).toEqual(metricNames);
  });

  it("escapes every text in the HTML report and loads nothing from elsewhere", () => {
    const html = formatHtml(report);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>");
    expect(html).toContain("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;");
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/\s(?:src|href)=/);
    // A bar a metric (the optional groups', the LLM judge's and the conversation's, only when measured), the missed floor marked as missed.
    const optional = metricGroups.filter((group) => group.optional).flatMap((group) => group.metrics).length;
    expect(html.match(/class="track"/g)).toHaveLength(metricNames.length - optional);
    expect(html).not.toContain("judged faithfulness");
    expect(html).toMatch(/facts stated<\/div><div class="track"><div class="fill missed"/);
  });

  it("keeps each question on one Markdown table row with the right number of cells", () => {
    const markdown = formatMarkdown(report);
    const row = markdown.split("\n").find((line) => line.startsWith("| q2 "))!;
    expect(row.replace(/\\\|/g, "").split("|").length - 2).toBe(6);
    expect(row).toContain("\\<script\\>");
    expect(markdown).toMatch(/\| answers \| facts stated \| 0\.50 \| ≥ 0\.90 \*\*missed\*\* \|/);
  });

  it("prints one console row a question with pass, FAIL or ERROR and what missed, then the aggregates", () => {
    const table = formatTable(questions).split("\n");
    expect(table[0]).toMatch(/^id\s+result\s+rank\s+ms\s+missed$/);
    expect(table[1]).toMatch(/^q1\s+pass\s+1\s+10$/);
    expect(table[2]).toMatch(/^q2\s+FAIL\s+1\s+10\s+facts missing: /);
    expect(table[3]).toMatch(/^q3\s+ERROR\s+server answered 502/);
    const summary = formatSummary(report);
    expect(summary).toMatch(
      /^eval\/questions\.jsonl: 3 questions \(2 answerable, 1 unanswerable\), extractive answerer, in process: 1 passed, 1 errors$/m,
    );
    expect(summary).toMatch(/^hit@1 1\.00 {3}hit@3 1\.00 {3}MRR 1\.00$/m);
    expect(summary).toMatch(/^facts stated 0\.50 {3}abstention recall n\/a {3}false abstention 0\.00$/m);
    expect(summary).toMatch(/^latency p50 10 ms/m);
  });
});

describe("progress", () => {
  it("draws a bar in place on a terminal and clears it", () => {
    const written: string[] = [];
    const progress = createProgress({ isTTY: true, columns: 60, write: (text: string) => written.push(text) });
    progress.update(1, 4, "q001");
    progress.update(4, 4, "q004");
    progress.clear();
    expect(written[0]).toBe(`\r\u001b[2K[${"#".repeat(8)}${"-".repeat(22)}] 1/4 q001`);
    expect(written[1]).toMatch(/\[#{30}\] 4\/4 q004$/);
    expect(written[2]).toBe("\r\u001b[2K");
  });

  it("writes nothing when the stream is not a terminal", () => {
    const written: string[] = [];
    const progress = createProgress({ isTTY: false, write: (text: string) => written.push(text) });
    progress.update(1, 2, "q1");
    progress.clear();
    expect(written).toEqual([]);
  });
});
