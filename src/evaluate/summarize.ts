import { percentile } from "./metrics.js";
import { isError, type QuestionResult, type QuestionScore } from "./score-response.js";

/** Whether a bigger value is better (a floor guards it) or worse (a ceiling guards it). */
export type Direction = "higher" | "lower";

export interface MetricDefinition {
  /** How tables and reports name it; `{k}` stands for the hit@k cut-off. */
  label: string;
  better: Direction;
  unit: "share" | "ms";
}

/** Every aggregate metric, in report order. The keys are the names thresholds and `--fail-under` use. */
export const metricDefinitions = {
  hitAt1: { label: "hit@1", better: "higher", unit: "share" },
  hitAtK: { label: "hit@{k}", better: "higher", unit: "share" },
  mrr: { label: "MRR", better: "higher", unit: "share" },
  citationValidity: { label: "citations valid", better: "higher", unit: "share" },
  quoteEvidenceRecall: { label: "quote holds evidence", better: "higher", unit: "share" },
  sentenceCitationCoverage: { label: "sentences cited and supported", better: "higher", unit: "share" },
  claimSupportRate: { label: "claims supported", better: "higher", unit: "share" },
  factAccuracy: { label: "facts stated", better: "higher", unit: "share" },
  abstentionRecall: { label: "abstention recall", better: "higher", unit: "share" },
  falseAbstentionRate: { label: "false abstention", better: "lower", unit: "share" },
  latencyP50Ms: { label: "latency p50", better: "lower", unit: "ms" },
  latencyP95Ms: { label: "latency p95", better: "lower", unit: "ms" },
  latencyMaxMs: { label: "latency max", better: "lower", unit: "ms" },
  smallTalkRate: { label: "small talk replied", better: "higher", unit: "share" },
  overviewRate: { label: "overviews citing 3+ sections", better: "higher", unit: "share" },
  followUpPassRate: { label: "follow-ups passed", better: "higher", unit: "share" },
  scopedAnsweredRight: { label: "answered right, one interview asked", better: "higher", unit: "share" },
  unscopedAnsweredRight: { label: "answered right, the archive asked", better: "higher", unit: "share" },
  aboutRate: { label: "questions about an interview answered", better: "higher", unit: "share" },
  crossRecall: { label: "interviews cited by cross questions", better: "higher", unit: "share" },
  momentAccuracy: { label: "quotes timed within 15 s", better: "higher", unit: "share" },
  judgedFaithfulness: { label: "judged faithfulness", better: "higher", unit: "share" },
  judgedRelevance: { label: "judged relevance", better: "higher", unit: "share" },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof metricDefinitions;

/** How the console, Markdown and HTML reports group the metrics; an `optional` group shows only when measured. */
export const metricGroups: ReadonlyArray<{ title: string; metrics: readonly MetricName[]; optional?: boolean }> = [
  { title: "retrieval", metrics: ["hitAt1", "hitAtK", "mrr"] },
  {
    title: "citations",
    metrics: ["citationValidity", "quoteEvidenceRecall", "sentenceCitationCoverage", "claimSupportRate"],
  },
  { title: "answers", metrics: ["factAccuracy", "abstentionRecall", "falseAbstentionRate"] },
  { title: "latency", metrics: ["latencyP50Ms", "latencyP95Ms", "latencyMaxMs"] },
  { title: "conversation", metrics: ["smallTalkRate", "overviewRate", "followUpPassRate"], optional: true },
  {
    title: "archive",
    metrics: ["scopedAnsweredRight", "unscopedAnsweredRight", "aboutRate", "crossRecall", "momentAccuracy"],
    optional: true,
  },
  { title: "LLM judge", metrics: ["judgedFaithfulness", "judgedRelevance"], optional: true },
];

/** The groups a report shows: every group, but an optional one only when one of its metrics was measured. */
export function shownGroups(metrics: Record<MetricName, number | null>): typeof metricGroups {
  return metricGroups.filter((group) => !group.optional || group.metrics.some((metric) => metrics[metric] !== null));
}

export const metricNames = Object.keys(metricDefinitions) as MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(metricDefinitions, name);
}

export function metricLabel(name: MetricName, k: number): string {
  return metricDefinitions[name].label.replace("{k}", String(k));
}

/** "0.88" for a share, "12 ms" (or "3.4 ms") for a latency, "n/a" when not measured. */
export function formatMetric(name: MetricName, value: number | null): string {
  if (value === null) return "n/a";
  if (metricDefinitions[name].unit === "share") return value.toFixed(2);
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** The aggregates of a run. A metric is null when nothing it is defined over was measured. */
export interface Summary {
  questions: number;
  answerable: number;
  unanswerable: number;
  passed: number;
  /** Questions the target failed to answer (HTTP or answerer errors); kept out of every metric. */
  errors: number;
  /** Answers produced by the extractive fallback after an LLM failure. */
  degraded: number;
  k: number;
  metrics: Record<MetricName, number | null>;
}

/** Aggregates per-question results; definitions in README.md, "Measure". */
export function summarize(results: readonly QuestionResult[], k: number): Summary {
  const scores = results.filter((result): result is QuestionScore => !isError(result));
  // Small talk and overviews have their own measures: they would only blur retrieval and abstention.
  const answerable = scores.filter((score) => score.answerable && score.kind !== "overview" && score.kind !== "cross");
  // The archive's measures only where a question names its files (or is about one): a single-interview set has none.
  const archive = scores.some((score) => score.scoped || score.kind === "about" || score.kind === "cross");
  const right = (items: QuestionScore[]) => (archive ? share(items, (score) => score.answeredRight === true) : null);
  const unanswerable = scores.filter((score) => !score.answerable && score.kind !== "smalltalk");
  const ofKind = (kind: QuestionScore["kind"]) => scores.filter((score) => score.kind === kind);
  const answered = scores.filter((score) => !score.abstained);
  const share = (items: QuestionScore[], test: (score: QuestionScore) => boolean) =>
    items.length ? items.filter(test).length / items.length : null;
  const mean = (items: QuestionScore[], value: (score: QuestionScore) => number) =>
    items.length ? items.reduce((sum, score) => sum + value(score), 0) / items.length : null;
  const citations = scores.reduce((sum, score) => sum + score.citations, 0);
  const invalid = scores.reduce((sum, score) => sum + score.invalidCitations, 0);
  const latencies = scores.map((score) => score.latencyMs);
  const claims = scores.reduce((sum, score) => sum + score.claims, 0);
  const judged = (value: (score: QuestionScore) => number | null) => {
    const values = scores.map(value).filter((item): item is number => item !== null);
    return values.length ? values.reduce((sum, item) => sum + item, 0) / values.length : null;
  };
  return {
    questions: results.length,
    answerable: results.filter((result) => result.answerable).length,
    unanswerable: results.filter((result) => !result.answerable).length,
    passed: scores.filter((score) => score.passed).length,
    errors: results.length - scores.length,
    degraded: scores.filter((score) => score.degraded).length,
    k,
    metrics: {
      hitAt1: share(answerable, (score) => score.evidenceRank === 1),
      hitAtK: share(answerable, (score) => score.evidenceRank !== null && score.evidenceRank <= k),
      mrr: mean(answerable, (score) => (score.evidenceRank ? 1 / score.evidenceRank : 0)),
      citationValidity: citations ? (citations - invalid) / citations : null,
      quoteEvidenceRecall: share(answerable, (score) => score.quoteHoldsEvidence === true),
      sentenceCitationCoverage: mean(answered, (score) =>
        score.sentences ? score.supportedSentences / score.sentences : 0,
      ),
      // The server's own verdicts (`claims[].supported`): supported claims over all claims.
      claimSupportRate: claims ? scores.reduce((sum, score) => sum + score.supportedClaims, 0) / claims : null,
      factAccuracy: share(answerable, (score) => score.factsStated === true),
      abstentionRecall: share(unanswerable, (score) => score.abstained),
      falseAbstentionRate: share(answerable, (score) => score.abstained),
      latencyP50Ms: percentile(latencies, 50),
      latencyP95Ms: percentile(latencies, 95),
      latencyMaxMs: percentile(latencies, 100),
      smallTalkRate: share(ofKind("smalltalk"), (score) => score.smallTalk === true),
      overviewRate: share(ofKind("overview"), (score) => (score.overviewSections ?? 0) >= 3),
      followUpPassRate: share(ofKind("followup"), (score) => score.passed),
      scopedAnsweredRight: right(answerable.filter((score) => score.scoped && score.kind !== "about")),
      unscopedAnsweredRight: right(answerable.filter((score) => !score.scoped && score.kind !== "about")),
      aboutRate: right(ofKind("about")),
      crossRecall: mean(ofKind("cross"), (score) => score.crossRecall ?? 0),
      momentAccuracy: share(
        // Of the answers that quote the evidence: the timing, not the answering, is measured here.
        scores.filter((score) => typeof score.momentHit === "boolean" && score.quoteHoldsEvidence === true),
        (score) => score.momentHit === true,
      ),
      judgedFaithfulness: judged((score) => score.judgedFaithfulness),
      judgedRelevance: judged((score) => score.judgedRelevance),
    },
  };
}
