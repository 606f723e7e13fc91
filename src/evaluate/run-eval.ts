import { AppError } from "../errors.js";
import type { SourceFile } from "../ingest/load-corpus.js";
import type { AskQuestion } from "./ask-question.js";
import { ServerUnreachableError } from "./http-client.js";
import type { JudgeAnswer } from "./judge.js";
import { validCitations, type SourceLookup } from "./metrics.js";
import type { EvalQuestion } from "./question-set.js";
import { scoreResponse, type QuestionResult } from "./score-response.js";

/**
 * Finds a citation's file by its `source` (the file name within data/), read locally. Works the
 * same for a remote server as long as it serves the same data/.
 */
export function sourceLookup(sources: readonly SourceFile[]): SourceLookup {
  const byName = new Map(sources.map((source) => [source.name, source.text]));
  return (name) => byName.get(name);
}

export interface RunOptions {
  questions: readonly EvalQuestion[];
  ask: AskQuestion;
  sourceOf: SourceLookup;
  /** Rank cut-off for hit@k and for a question to pass. */
  k: number;
  /** Called after each question. */
  onProgress?: (done: number, total: number, id: string) => void;
  /** An LLM judge for every answer that does not abstain (`--judge`); none by default. */
  judge?: JudgeAnswer;
}

/**
 * Asks every question in turn, one at a time so latencies are not inflated by queueing, and scores
 * each. An expected failure (an AppError: an error status, an LLM outage) is recorded against its
 * question and the run goes on; an unreachable server or anything unexpected is thrown.
 */
export async function runEval(options: RunOptions): Promise<QuestionResult[]> {
  const { questions, ask, sourceOf, k, onProgress = () => {}, judge } = options;
  const isQuestionFailure = (error: unknown) => error instanceof AppError && !(error instanceof ServerUnreachableError);
  const results: QuestionResult[] = [];
  for (const question of questions) {
    try {
      const { response, latencyMs } = await ask({
        message: question.question,
        history: question.history ?? [],
        ...(question.sources ? { sources: question.sources } : {}),
      });
      const score = scoreResponse(question, response, { sourceOf, k, latencyMs });
      if (judge && !score.abstained) {
        const quotes = validCitations(response, sourceOf).map((citation) => citation.quote);
        try {
          const verdict = await judge({ question: question.question, answer: response.answer, quotes });
          score.judgedFaithfulness = verdict.faithfulness;
          score.judgedRelevance = verdict.relevance;
        } catch (error) {
          score.judgeError = (error as Error).message;
        }
      }
      results.push(score);
    } catch (error) {
      if (!isQuestionFailure(error)) throw error;
      const message = (error as Error).message;
      results.push({
        id: question.id,
        question: question.question,
        answerable: question.answerable,
        passed: false,
        misses: [`error: ${message}`],
        error: message,
      });
    }
    onProgress(results.length, questions.length, question.id);
  }
  return results;
}
