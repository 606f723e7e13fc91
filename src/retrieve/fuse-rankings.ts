/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, 2009): an item's score is the sum over
 * rankings of weight / (k + rank). Rank-based, so rankings with incomparable scores (cosine,
 * BM25) combine without calibration. `k` = 60 is the paper's constant.
 */
export function fuseRankings(rankings: Array<{ labels: number[]; weight?: number }>, k = 60): Map<number, number> {
  const scores = new Map<number, number>();
  for (const ranking of rankings) {
    const seen = new Set<number>();
    let rank = 0;
    for (const label of ranking.labels) {
      if (seen.has(label)) continue;
      seen.add(label);
      rank++;
      scores.set(label, (scores.get(label) ?? 0) + (ranking.weight ?? 1) / (k + rank));
    }
  }
  return scores;
}
