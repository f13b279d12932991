// Intervals a report can stand behind: paired ratios (machine and vanilla runs of one cell with the
// same seed, run back to back) with a seeded bootstrap interval of their geometric mean, and the verdict
// an interval allows: only a difference whose whole 95% interval lies on one side of 1 is called one.

import { median, quantile } from '../quantile.js'
import type { ImplCell } from './cells.js'
import type { Metric } from './metrics.js'
import type { RunRecord } from './results.js'
import { bootstrapRatioCI, geomean, ratio, seededRandom } from './stats.js'

export interface Interval {
  /** the point estimate */
  value: number
  /** 95% interval (or `level`), undefined with too few values for an honest one */
  lo: number | undefined
  hi: number | undefined
  /** pairs (paired) or the smaller side's runs (unpaired) behind it */
  n: number
}

/** Fewer values than this a side give no interval: a bootstrap over 2 values only pretends. */
export const MIN_FOR_INTERVAL = 3

const pairKey = (r: RunRecord): string => `${r.iteration}:${r.seed ?? ''}`

/**
 * num/den per pair of successful runs with the same iteration and seed (the bench runs both
 * implementations of an iteration with one seed, interleaved): the run-to-run drift of a shared machine
 * hits both halves of a pair alike, so these ratios are less noisy than a ratio of medians.
 */
export function pairedRatios(num: ImplCell | undefined, den: ImplCell | undefined, metric: Metric): number[] {
  if (!num || !den) return []
  const byKey = new Map<string, number>()
  for (const r of den.ok) {
    const v = metric.get(r)
    if (v !== undefined) byKey.set(pairKey(r), v)
  }
  const out: number[] = []
  for (const r of num.ok) {
    const q = ratio(metric.get(r), byKey.get(pairKey(r)))
    if (q !== undefined && q > 0) out.push(q)
  }
  return out
}

/** Percentile-bootstrap interval of `stat` over resamples (with replacement) of `values`; seeded. */
export function bootstrapInterval(
  values: readonly number[],
  stat: (v: readonly number[]) => number | undefined,
  opts: { reps?: number; level?: number; seed?: number } = {},
): [number, number] | undefined {
  if (values.length < MIN_FOR_INTERVAL) return undefined
  const reps = opts.reps ?? 2000
  const level = opts.level ?? 0.95
  const rand = seededRandom(opts.seed ?? 1)
  const stats: number[] = []
  const sample = new Array<number>(values.length)
  for (let i = 0; i < reps; i++) {
    for (let j = 0; j < values.length; j++) sample[j] = values[Math.floor(rand() * values.length)]!
    const s = stat(sample)
    if (s !== undefined && Number.isFinite(s)) stats.push(s)
  }
  if (stats.length === 0) return undefined
  stats.sort((a, b) => a - b)
  return [quantile(stats, (1 - level) / 2), quantile(stats, 1 - (1 - level) / 2)]
}

/** Geometric mean of the paired ratios of a cell with its bootstrap interval; undefined without pairs. */
export function pairedRatio(
  num: ImplCell | undefined,
  den: ImplCell | undefined,
  metric: Metric,
  seed = 1,
): Interval | undefined {
  const ratios = pairedRatios(num, den, metric)
  const value = geomean(ratios)
  if (value === undefined) return undefined
  const ci = bootstrapInterval(ratios, geomean, { seed })
  return { value, lo: ci?.[0], hi: ci?.[1], n: ratios.length }
}

/**
 * median(num) / median(den) with the bootstrap interval of that ratio (each side resampled on its own):
 * for runs that are not paired, e.g. the same implementation in two results files.
 */
export function medianRatio(num: readonly number[], den: readonly number[], seed = 1): Interval | undefined {
  const value = num.length && den.length ? ratio(median(num), median(den)) : undefined
  if (value === undefined) return undefined
  const ci = bootstrapRatioCI(num, den, { seed })
  return { value, lo: ci?.[0], hi: ci?.[1], n: Math.min(num.length, den.length) }
}

export type Verdict = 'higher' | 'lower' | 'no difference' | 'too few runs'

/** What a ratio's interval allows one to say against `threshold` (1: any difference). */
export function verdict(i: Interval | undefined, threshold = 1): Verdict {
  if (!i || i.lo === undefined || i.hi === undefined) return 'too few runs'
  if (i.lo > threshold) return 'higher'
  if (i.hi < threshold) return 'lower'
  return 'no difference'
}

/** A verdict in the metric's words: every metric is a cost, so lower is better. */
export function verdictWords(v: Verdict, unit: Metric['unit']): string {
  if (v === 'no difference' || v === 'too few runs') return v
  const words = { ms: ['slower', 'faster'], MB: ['larger', 'smaller'], count: ['more', 'fewer'] }[unit]
  return v === 'higher' ? words[0]! : words[1]!
}

/** `1.10 [1.02–1.19]`; the interval reads `[n<3]` when there were too few values for one. */
export function formatInterval(i: Interval | undefined): string {
  if (!i) return '—'
  const f = (x: number) => x.toFixed(2)
  return i.lo === undefined || i.hi === undefined
    ? `${f(i.value)} [n=${i.n}, no interval]`
    : `${f(i.value)} [${f(i.lo)}–${f(i.hi)}]`
}
