// Robust summaries for bench samples: medians and quartiles rather than means (a shared machine
// produces outliers), ratios of medians, and a bootstrap interval for a ratio so a report can say
// whether a difference stands out from run-to-run noise.

import { median, quantile } from '../quantile.js'
import { createRng } from '../rng.js'

export interface Summary {
  n: number
  min: number
  q1: number
  median: number
  q3: number
  max: number
}

/** Summary of the finite values; undefined when there are none. */
export function summarize(values: readonly (number | undefined)[]): Summary | undefined {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return undefined
  return {
    n: v.length,
    min: v[0]!,
    q1: quantile(v, 0.25),
    median: quantile(v, 0.5),
    q3: quantile(v, 0.75),
    max: v[v.length - 1]!,
  }
}

/** a / b, undefined when either is missing or b is 0 (a ratio to nothing says nothing). */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined
  return a / b
}

/** Geometric mean of positive values: the right mean for ratios (1.1 and 1/1.1 average to 1). */
export function geomean(values: readonly number[]): number | undefined {
  const v = values.filter((x) => x > 0 && Number.isFinite(x))
  if (v.length === 0) return undefined
  return Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length)
}

/** A small seeded generator (mulberry32): the same report from the same results. */
export function seededRandom(seed: number): () => number {
  return createRng(seed).next
}

/**
 * Percentile-bootstrap interval of median(a) / median(b): resample each side with replacement.
 * Undefined with fewer than 3 values a side, where an interval would only pretend.
 */
export function bootstrapRatioCI(
  a: readonly number[],
  b: readonly number[],
  opts: { reps?: number; level?: number; seed?: number } = {},
): [number, number] | undefined {
  if (a.length < 3 || b.length < 3) return undefined
  const reps = opts.reps ?? 2000
  const level = opts.level ?? 0.95
  const rand = seededRandom(opts.seed ?? 1)
  const resampledMedian = (v: readonly number[]): number => {
    const s = Array.from({ length: v.length }, () => v[Math.floor(rand() * v.length)]!)
    return median(s)
  }
  const ratios: number[] = []
  for (let i = 0; i < reps; i++) {
    const r = ratio(resampledMedian(a), resampledMedian(b))
    if (r !== undefined) ratios.push(r)
  }
  if (ratios.length === 0) return undefined
  ratios.sort((x, y) => x - y)
  return [quantile(ratios, (1 - level) / 2), quantile(ratios, 1 - (1 - level) / 2)]
}
