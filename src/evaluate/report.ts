import type { AnswerMode } from "../answer/types.js";
import type { QuestionResult } from "./score-response.js";
import type { Summary } from "./summarize.js";
import type { ThresholdCheck } from "./thresholds.js";

/** Bumped whenever a field of report.json is renamed, removed or changes meaning (adding one does not). */
export const reportSchemaVersion = 1;

export type EvalTarget = { kind: "in-process"; answerer: AnswerMode } | { kind: "http"; url: string };

/** What report.json holds; README.md "Measure" describes the fields. */
export interface Report {
  schemaVersion: typeof reportSchemaVersion;
  /** ISO 8601 time the run finished. */
  createdAt: string;
  /** The question-set file as given on the command line. */
  questionSet: string;
  target: EvalTarget;
  /** Share of a sentence's content words its cited quotes must hold (see `supportThreshold`). */
  supportThreshold: number;
  summary: Summary;
  thresholds: ThresholdCheck[];
  /** In question-set order; an entry with `error` holds no scores. */
  questions: QuestionResult[];
}
