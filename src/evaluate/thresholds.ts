import { z } from "zod";
import { AppError } from "../errors.js";
import { readInputJson } from "./read-input-file.js";
import { isMetricName, metricDefinitions, metricNames, type MetricName } from "./summarize.js";

export class ThresholdError extends AppError {
  constructor(message: string) {
    super("thresholds_invalid", message, 400);
  }
}

/**
 * Floors and ceilings a run must meet. `min` holds metrics where higher is better (the run fails
 * below the floor); `max` holds those where lower is better (it fails above the ceiling).
 */
export interface Thresholds {
  min: Partial<Record<MetricName, number>>;
  max: Partial<Record<MetricName, number>>;
}

export type Bound = keyof Thresholds;

export interface ThresholdCheck {
  metric: MetricName;
  bound: Bound;
  limit: number;
  /** Null when the run measured nothing the metric is defined over (no unanswerable question, say). */
  value: number | null;
  /** Null when the value is null: not measured is neither a pass nor a miss. */
  passed: boolean | null;
}

const fileSchema = z.strictObject({
  $comment: z.string().optional(),
  min: z.record(z.string(), z.number()).optional(),
  max: z.record(z.string(), z.number()).optional(),
});

/**
 * Reads a thresholds file: `{"min": {metric: floor}, "max": {metric: ceiling}}`.
 * @throws ThresholdError naming the file and what is wrong (unreadable, not JSON, unknown metric,
 * a metric in the wrong section, a share outside 0–1).
 */
export async function loadThresholds(file: string): Promise<Thresholds> {
  const value = await readInputJson({
    path: file,
    label: "thresholds",
    fail: (message) => new ThresholdError(message),
  });
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ThresholdError(`${file}: ${issue.path.join(".") || "top level"}: ${issue.message}`);
  }
  const thresholds: Thresholds = { min: {}, max: {} };
  for (const bound of ["min", "max"] as const) {
    for (const [name, limit] of Object.entries(parsed.data[bound] ?? {})) {
      try {
        setThreshold(thresholds, bound, name, limit);
      } catch (error) {
        throw new ThresholdError(`${file}: ${(error as Error).message}`);
      }
    }
  }
  return thresholds;
}

/**
 * Sets one floor (`min`) or ceiling (`max`), replacing any already there.
 * @throws ThresholdError for an unknown metric, the wrong bound for its direction, or a bad value.
 */
export function setThreshold(thresholds: Thresholds, bound: Bound, name: string, limit: number): void {
  if (!isMetricName(name))
    throw new ThresholdError(`unknown metric ${JSON.stringify(name)}; known: ${metricNames.join(", ")}`);
  const definition = metricDefinitions[name];
  const wanted: Bound = definition.better === "higher" ? "min" : "max";
  if (bound !== wanted) {
    throw new ThresholdError(
      `${name} is ${definition.better === "higher" ? "higher" : "lower"}-is-better: give it a ${wanted === "min" ? 'floor ("min", --fail-under)' : 'ceiling ("max", --fail-over)'}`,
    );
  }
  if (!Number.isFinite(limit) || limit < 0 || (definition.unit === "share" && limit > 1)) {
    throw new ThresholdError(
      `${limit} is out of range for ${name} (${definition.unit === "share" ? "0 to 1" : "0 or more milliseconds"})`,
    );
  }
  thresholds[bound][name] = limit;
}

/** Parses a `METRIC=VALUE` command-line bound. @throws ThresholdError when it is not one. */
export function parseBoundOption(text: string, bound: Bound, thresholds: Thresholds): void {
  const match = /^([A-Za-z0-9]+)=(.+)$/.exec(text.trim());
  const limit = match ? Number(match[2]) : Number.NaN;
  const flag = bound === "min" ? "--fail-under" : "--fail-over";
  if (!match || Number.isNaN(limit))
    throw new ThresholdError(`${flag} takes METRIC=VALUE (e.g. factAccuracy=0.8), got ${JSON.stringify(text)}`);
  try {
    setThreshold(thresholds, bound, match[1]!, limit);
  } catch (error) {
    throw new ThresholdError(`${flag} ${text}: ${(error as Error).message}`);
  }
}

// Shares are ratios of small counts; the slack only keeps 0.8 from failing a floor of 0.8 through rounding.
const slack = 1e-9;

/** Checks every threshold against the run's metrics, floors first, in metric order. */
export function checkThresholds(metrics: Record<MetricName, number | null>, thresholds: Thresholds): ThresholdCheck[] {
  const checks: ThresholdCheck[] = [];
  for (const bound of ["min", "max"] as const) {
    for (const metric of metricNames) {
      const limit = thresholds[bound][metric];
      if (limit === undefined) continue;
      const value = metrics[metric];
      const passed = value === null ? null : bound === "min" ? value >= limit - slack : value <= limit + slack;
      checks.push({ metric, bound, limit, value, passed });
    }
  }
  return checks;
}
