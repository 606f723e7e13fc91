import type { LatencySummary } from "./results-schema.js";

/** Nearest-rank percentile of unsorted samples (p in 0..100); 0 for no samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}

export function summarize(samples: number[]): LatencySummary {
  const mean = samples.length ? samples.reduce((sum, value) => sum + value, 0) / samples.length : 0;
  return {
    samples: samples.length,
    p50Ms: round(percentile(samples, 50)),
    p99Ms: round(percentile(samples, 99)),
    meanMs: round(mean),
    minMs: round(samples.length ? Math.min(...samples) : 0),
    maxMs: round(samples.length ? Math.max(...samples) : 0),
  };
}

/** Rounds to 4 decimals: microseconds stay visible in milliseconds, JSON stays readable. */
export function round(value: number, decimals = 4): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Times `run` once per item, after `warmUp` untimed calls on the first items. */
export async function timeEach<T>(items: T[], run: (item: T) => unknown, warmUp = 5): Promise<number[]> {
  for (const item of items.slice(0, warmUp)) await run(item);
  const samples: number[] = [];
  for (const item of items) {
    const started = performance.now();
    await run(item);
    samples.push(performance.now() - started);
  }
  return samples;
}

export async function timeOnce<T>(run: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}
