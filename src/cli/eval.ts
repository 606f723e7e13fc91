import { Command } from "commander";
import { loadConfig } from "../config.js";
import { createAssistant } from "../create-assistant.js";
import { loadQuestionSet, QuestionSetError } from "../evaluate/question-set.js";
import { scoreResponse, summarize, type QuestionScore } from "../evaluate/score-response.js";
import { createLogger } from "../logger.js";
import { runCli } from "./run-cli.js";

const program = new Command()
  .name("eval")
  .description("Runs the assistant over a question set and reports retrieval, citation, fact and abstention metrics.")
  .option("--questions <file>", "JSONL question set", "eval/questions.jsonl")
  .option("--k <n>", "rank cut-off for hit@k", "3")
  .option("--json", "print the per-question scores and the summary as JSON")
  .showHelpAfterError();

runCli(async () => {
  program.parse();
  const options = program.opts<{ questions: string; k: string; json?: boolean }>();
  const k = Number(options.k);
  if (!Number.isInteger(k) || k < 1) throw new QuestionSetError(`--k must be a positive integer, got ${options.k}`);
  const config = loadConfig();
  const { answerer, opened } = await createAssistant(config, { logger: createLogger("warn", 2) });
  const questions = await loadQuestionSet(options.questions, opened.sources.map((source) => source.text));
  const sourceById = new Map(opened.sources.map((source) => [source.id, source.text]));
  const docOf = new Map(opened.index.chunks.map((chunk) => [chunk.id, chunk.docId]));
  const sourceOf = (chunkId: string) => sourceById.get(docOf.get(chunkId) ?? "");

  const scores: QuestionScore[] = [];
  for (const question of questions) {
    const response = await answerer.answer({ message: question.question, history: question.history });
    scores.push(scoreResponse(question, response, sourceOf));
  }
  const summary = summarize(scores, k);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ questions: options.questions, mode: answerer.mode, summary, scores }, null, 2)}\n`);
    return;
  }
  const mark = (ok: boolean) => (ok ? "✓" : "✗");
  console.log(`${"id".padEnd(8)} ${"rank".padEnd(5)} quote facts abstain`);
  for (const score of scores) {
    const rank = score.answerable ? String(score.evidenceRank ?? "-") : "";
    const right = score.answerable ? !score.abstained : score.abstained;
    console.log(
      `${score.id.padEnd(8)} ${rank.padEnd(5)} ${score.answerable ? mark(score.quoteHasEvidence) : " "}     ${score.answerable ? mark(score.factsStated) : " "}     ${mark(right)}`,
    );
  }
  const percent = (value: number) => value.toFixed(2);
  console.log(
    [
      "",
      `${options.questions}: ${summary.answerable} answerable, ${summary.unanswerable} unanswerable (${answerer.mode} answerer)`,
      `hit@1 ${percent(summary.hitAt1)}   hit@${k} ${percent(summary.hitAtK)}   MRR ${percent(summary.mrr)}`,
      `quote holds evidence ${percent(summary.quoteEvidenceRecall)}   facts stated ${percent(summary.factAccuracy)}`,
      `abstention recall ${percent(summary.abstentionRecall)}   false abstention ${percent(summary.falseAbstentionRate)}   quotes verbatim ${percent(summary.quotesVerbatim)}`,
    ].join("\n"),
  );
});
