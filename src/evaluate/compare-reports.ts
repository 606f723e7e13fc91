import { z } from "zod";
import { AppError } from "../errors.js";
import { readInputJson } from "./read-input-file.js";
import { reportSchemaVersion, type Report } from "./report.js";
import { metricDefinitions, metricNames, type MetricName } from "./summarize.js";

export class CompareError extends AppError {
  constructor(message: string) {
    super("compare_invalid", message, 400);
  }
}

/** The part of an earlier report.json a comparison reads; other fields may come and go. */
const earlierReport = z.looseObject({
  schemaVersion: z.number(),
  createdAt: z.string(),
  questionSet: z.string(),
  summary: z.looseObject({ k: z.number(), metrics: z.record(z.string(), z.number().nullable()) }),
  questions: z.array(z.looseObject({ id: z.string(), passed: z.boolean() })),
});

export type EarlierReport = z.infer<typeof earlierReport>;

/**
 * Reads an earlier report.json for `--compare`.
 * @throws CompareError when it cannot be read, is not JSON, or is not a report of this schema version.
 */
export async function loadEarlierReport(file: string): Promise<EarlierReport> {
  const value = await readInputJson({
    path: file,
    label: "earlier report",
    fail: (message) => new CompareError(message),
  });
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== reportSchemaVersion) {
    throw new CompareError(
      `${file} is not a report.json of schema version ${reportSchemaVersion} (schemaVersion: ${JSON.stringify(version ?? null)})`,
    );
  }
  const parsed = earlierReport.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CompareError(`${file}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

export interface MetricDelta {
  metric: MetricName;
  before: number | null;
  after: number | null;
  /** after − before; null when either is missing. */
  delta: number | null;
  /** Judged by the metric's direction; "same" within a rounding hair. */
  change: "better" | "worse" | "same" | "n/a";
}

export interface Comparison {
  createdAt: string;
  /** What differs between the runs beyond the system under test (question set, k), in words. */
  caveats: string[];
  metrics: MetricDelta[];
  /** Question ids that passed before and fail now, and the reverse; ids in only one run are left out. */
  nowFailing: string[];
  nowPassing: string[];
}

export function compareReports(before: EarlierReport, after: Report): Comparison {
  const metrics = metricNames.map((metric): MetricDelta => {
    const old = before.summary.metrics[metric] ?? null;
    const now = after.summary.metrics[metric];
    if (old === null || now === null) return { metric, before: old, after: now, delta: null, change: "n/a" };
    const delta = now - old;
    const tolerance = metricDefinitions[metric].unit === "ms" ? 0.5 : 1e-9;
    const improved = metricDefinitions[metric].better === "higher" ? delta > 0 : delta < 0;
    return {
      metric,
      before: old,
      after: now,
      delta,
      change: Math.abs(delta) <= tolerance ? "same" : improved ? "better" : "worse",
    };
  });
  const passedBefore = new Map(before.questions.map((question) => [question.id, question.passed]));
  const flipped = (from: boolean, to: boolean) =>
    after.questions
      .filter((question) => passedBefore.get(question.id) === from && question.passed === to)
      .map((question) => question.id);
  const caveats: string[] = [];
  if (before.questionSet !== after.questionSet)
    caveats.push(`the earlier run asked ${before.questionSet}, this one ${after.questionSet}`);
  if (before.summary.k !== after.summary.k)
    caveats.push(`the earlier run's hit@k had k = ${before.summary.k}, this one's ${after.summary.k}`);
  return {
    createdAt: before.createdAt,
    caveats,
    metrics,
    nowFailing: flipped(true, false),
    nowPassing: flipped(false, true),
  };
}
