// Quantiles and medians, one definition each for every part of psm that summarises samples: the bench
// report, the scenario's latency summary and the benchmark scripts.

/** The p-quantile of sorted values, linearly interpolated between order statistics (R's type 7). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  const h = (sorted.length - 1) * p
  const lo = Math.floor(h)
  const a = sorted[lo]!
  const b = sorted[Math.min(lo + 1, sorted.length - 1)]!
  return a + (h - lo) * (b - a)
}

/** The median of unsorted values (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  )
}

/**
 * The p-quantile of sorted values by nearest rank (R's type 1): always a value that was observed, so a
 * latency p99 is a real delivery's latency. NaN when empty.
 */
export function rankQuantile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!
}
