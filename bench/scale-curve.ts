import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { chunkInterviews, searchText } from "../src/ingest/chunk-interview.js";
import { parseInterview } from "../src/ingest/parse-interview.js";
import { waitForQuiet } from "./machine-load.js";
import { interviewPath, projectRoot } from "./questions.js";
import type { ScaleCurve, ScalePoint } from "./results-schema.js";
import type { ScalePointInput } from "./scale-point.js";
import { round, timeOnce } from "./stats.js";
import { noisePerDimension, sourceFile, type OriginalVectors } from "./synthetic-corpus.js";

const run = promisify(execFile);

export const scaleMethod =
  `Copy 0 is data/interview.txt; copy i has every digit run shifted by i modulo its length and every proper name (a capitalised non-stopword seen mid-sentence) ` +
  `(5+ letters) ending in a 3-letter base-26 tag of i instead of its last 3 letters ("Kazakhstan" -> "Kazakhsaah"; both keep every length), parsed and chunked by the real code (same structure as the original, checked). ` +
  `Vectors: the original's chunks and sentences are embedded once with the local encoder; copy i's vectors are the original's plus seeded Gaussian noise ` +
  `(sigma ${noisePerDimension} a dimension, cosine ~0.975), renormalised. HNSW and BM25 indexes, term statistics, saving and loading run the real code over them; ` +
  `questions are embedded for real. buildMs excludes embedding; estimatedEmbedMs = texts x the measured batched cost per text.`;

/**
 * Build time, size, memory and question latency over synthetic corpora of each size, each size
 * in fresh processes (one builds and saves the index, one loads it and answers).
 */
export async function measureScaleCurve(options: {
  sizes: number[];
  local: LocalEmbeddings;
  questions: string[];
  warmUp: number;
  log: (line: string) => void;
}): Promise<ScaleCurve> {
  const original = await readFile(interviewPath, "utf8");
  const chunks = chunkInterviews([parseInterview(sourceFile("interview", original))]);
  const texts = [
    ...chunks.map(searchText),
    ...chunks.flatMap((chunk) => chunk.sentences.map((sentence) => sentence.text)),
  ];
  const embedded = await timeOnce(() => options.local.embedDocuments(texts));
  const embedMsPerText = embedded.ms / texts.length;
  const vectors: OriginalVectors = { chunkVectors: embedded.value.slice(0, chunks.length), sentenceVectors: [] };
  let next = chunks.length;
  for (const chunk of chunks) {
    vectors.sentenceVectors.push(embedded.value.slice(next, next + chunk.sentences.length));
    next += chunk.sentences.length;
  }

  const scratch = await mkdtemp(path.join(tmpdir(), "interview-chat-scale-"));
  const points: ScalePoint[] = [];
  try {
    for (const interviews of options.sizes) {
      const indexDir = path.join(scratch, `index-${interviews}`);
      const built = await point<{
        chunks: number;
        sentences: number;
        chunkingMs: number;
        hnswBuildMs: number;
        sizeBytes: number;
      }>(scratch, {
        mode: "build",
        interviews,
        original,
        vectors,
        indexDir,
      });
      const served = await point<
        Pick<
          ScalePoint,
          "loadMs" | "retrieverBuildMs" | "rssDeltaMb" | "peakRssMb" | "query" | "searchOnly" | "breakdown"
        >
      >(scratch, {
        mode: "serve",
        interviews,
        original,
        indexDir,
        questions: options.questions,
        warmUp: options.warmUp,
      });
      await rm(indexDir, { recursive: true, force: true });
      const entry: ScalePoint = {
        interviews,
        chunks: built.chunks,
        sentences: built.sentences,
        chunkingMs: Math.round(built.chunkingMs),
        hnswBuildMs: Math.round(built.hnswBuildMs),
        buildMs: Math.round(built.chunkingMs + built.hnswBuildMs),
        estimatedEmbedMs: Math.round((built.chunks + built.sentences) * embedMsPerText),
        sizeBytes: built.sizeBytes,
        loadMs: Math.round(served.loadMs),
        retrieverBuildMs: Math.round(served.retrieverBuildMs),
        rssDeltaMb: round(served.rssDeltaMb, 1),
        peakRssMb: round(served.peakRssMb, 1),
        query: served.query,
        searchOnly: served.searchOnly,
        breakdown: served.breakdown,
      };
      points.push(entry);
      options.log(
        `  ${String(interviews).padStart(4)} interviews: ${entry.chunks} chunks, ${entry.sentences} sentences, build ${entry.buildMs} ms, ${(entry.sizeBytes / 2 ** 20).toFixed(1)} MiB, +${entry.rssDeltaMb} MiB, query p50 ${entry.query.p50Ms.toFixed(2)} ms (search only ${entry.searchOnly.p50Ms.toFixed(2)} ms: dense ${entry.breakdown.denseSearch?.p50Ms.toFixed(2)}, BM25 ${entry.breakdown.bm25?.p50Ms.toFixed(2)}, answer ${entry.breakdown.extractiveAnswer?.p50Ms.toFixed(2)})`,
      );
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { method: scaleMethod, points };
}

async function point<T>(scratch: string, input: ScalePointInput): Promise<T> {
  await waitForQuiet({ maxSeconds: 30 });
  const file = path.join(scratch, `input-${input.mode}-${input.interviews}.json`);
  await writeFile(file, JSON.stringify(input));
  const { stdout } = await run(
    process.execPath,
    ["--expose-gc", "--max-old-space-size=8192", "--import", "tsx", "bench/scale-point.ts", file],
    {
      cwd: projectRoot,
      maxBuffer: 16 * 2 ** 20,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
}
