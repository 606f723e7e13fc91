import { readFile } from "node:fs/promises";
import { CachedQueryEmbeddings } from "../src/embed/cached-embeddings.js";
import type { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { resolveFollowUp } from "../src/retrieve/resolve-follow-up.js";
import type { SearchIndex } from "../src/search-index/search-index.js";
import { hnswIndexKind } from "../src/search-index/hnsw-index.js";
import { interviewPath, loadQuestionSets } from "./questions.js";
import type { BaselineComparison, HitRates } from "./results-schema.js";
import { round, summarize, timeOnce } from "./stats.js";

const windowChars = 1000;
const overlapChars = 200;
const topK = 4;

export const baselineMethod =
  `The conventional setup on the same local encoder: data/interview.txt cut into fixed windows of ${windowChars} characters overlapping by ${overlapChars} ` +
  `(start every ${windowChars - overlapChars} characters, boilerplate included, no regard for questions or sentences), each window embedded, ` +
  `an HNSW index over them (the project's VectorIndex), dense-only top-${topK}. Both sides search with the same text: the question, with the earlier ` +
  `user question prepended for a follow-up (resolveFollowUp), and read the same query embedding. hit@k: an evidence string is inside one of the first k passages.`;

/** Fixed-size windows of the text, [start, end) every `windowChars - overlapChars` characters. */
export function fixedWindows(text: string): string[] {
  const windows: string[] = [];
  for (let start = 0; ; start += windowChars - overlapChars) {
    windows.push(text.slice(start, start + windowChars));
    if (start + windowChars >= text.length) return windows;
  }
}

/**
 * Retrieval quality and latency of ours (HybridRetriever over the real index) against the
 * baseline, on the answerable questions of every question set, with history for follow-ups.
 */
export async function measureBaseline(index: SearchIndex, local: LocalEmbeddings): Promise<BaselineComparison> {
  const windows = fixedWindows(await readFile(interviewPath, "utf8"));
  const build = await timeOnce(async () => {
    const vectors = await local.embedDocuments(windows);
    return hnswIndexKind.build(
      vectors.map((vector, i) => ({ id: String(i), vector })),
      vectors[0]!.length,
    );
  });
  const baseline = build.value;
  const cache = new CachedQueryEmbeddings(local, { maxEntries: 10_000 });
  const ours = new HybridRetriever(index, cache);

  const timings = {
    embedding: [] as number[],
    ours: [] as number[],
    baseline: [] as number[],
    oursSearchOnly: [] as number[],
    baselineSearchOnly: [] as number[],
  };
  const sets: BaselineComparison["sets"] = [];
  for (const set of await loadQuestionSets()) {
    const answerable = set.questions.filter((question) => question.answerable);
    const ranks = { ours: [] as Array<number | null>, baseline: [] as Array<number | null> };
    for (const question of answerable) {
      const holds = (text: string) => question.evidence.some((evidence) => text.includes(evidence));
      const { searchText } = resolveFollowUp(question.question, question.history);
      // The query embedding is timed once and left out of both searches' times: the baseline is
      // given the vector, our retriever reads it from its cache (filled here, untimed).
      const embedding = await timeOnce(() => local.embedQuery(searchText));
      const vector = embedding.value;
      await cache.embedQuery(searchText);
      const baselineSearch = await timeOnce(async () =>
        (await baseline.search(vector, topK)).map((hit) => windows[Number(hit.id)]!),
      );
      const ourSearch = await timeOnce(() => ours.retrieve(question.question, { history: question.history, k: topK }));
      timings.embedding.push(embedding.ms);
      timings.baselineSearchOnly.push(baselineSearch.ms);
      timings.oursSearchOnly.push(ourSearch.ms);
      timings.baseline.push(embedding.ms + baselineSearch.ms);
      timings.ours.push(embedding.ms + ourSearch.ms);
      ranks.baseline.push(rankOf(baselineSearch.value, holds));
      ranks.ours.push(
        rankOf(
          ourSearch.value.passages.map((passage) => passage.chunk.text),
          holds,
        ),
      );
    }
    sets.push({
      file: set.file,
      answerable: answerable.length,
      ours: hitRates(ranks.ours),
      baseline: hitRates(ranks.baseline),
    });
  }
  return {
    method: baselineMethod,
    baselineChunks: windows.length,
    baselineBuildMs: Math.round(build.ms),
    sets,
    latency: {
      embedding: summarize(timings.embedding),
      ours: summarize(timings.ours),
      baseline: summarize(timings.baseline),
      oursSearchOnly: summarize(timings.oursSearchOnly),
      baselineSearchOnly: summarize(timings.baselineSearchOnly),
    },
  };
}

function rankOf(passages: string[], holds: (text: string) => boolean): number | null {
  const index = passages.findIndex(holds);
  return index === -1 ? null : index + 1;
}

function hitRates(ranks: Array<number | null>): HitRates {
  const share = (k: number) =>
    round(ranks.filter((rank) => rank !== null && rank <= k).length / Math.max(ranks.length, 1), 3);
  return { hitAt1: share(1), hitAt3: share(3) };
}
