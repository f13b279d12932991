// Paired ratios and their intervals: pairs by iteration and seed, failed runs out, a seeded bootstrap,
// verdicts that only name a difference when the whole interval is on one side.
import { describe, expect, it } from 'vitest'
import type { ImplCell } from '../../src/bench/cells.js'
import { metricByKey } from '../../src/bench/metrics.js'
import {
  bootstrapInterval,
  formatInterval,
  medianRatio,
  pairedRatio,
  pairedRatios,
  verdict,
  verdictWords,
} from '../../src/bench/paired.js'
import type { RunRecord } from '../../src/bench/results.js'
import { geomean } from '../../src/bench/stats.js'

const wall = metricByKey('wallMs')!

function cell(impl: string, walls: (number | null)[], seeds?: number[]): ImplCell {
  const runs: RunRecord[] = walls.map((w, i) => ({
    hosts: 5,
    msgs: 20,
    impl,
    iteration: i,
    seed: seeds?.[i] ?? 1 + i,
    failure: w === null ? 'timeout' : null,
    exitCode: w === null ? 1 : 0,
    processMs: 1,
    ...(w === null ? {} : { wallMs: w }),
  }))
  return { runs, ok: runs.filter((r) => r.failure === null), failed: runs.filter((r) => r.failure !== null) }
}

describe('paired ratios', () => {
  it('divides runs of the same iteration and seed, leaving failed runs and unmatched seeds out', () => {
    const vanilla = cell('vanilla', [100, 200, 300, 400])
    const machine = cell('machine', [110, null, 330, 480], [1, 2, 3, 99])
    expect(pairedRatios(machine, vanilla, wall)).toEqual([1.1, 1.1])
    expect(pairedRatios(undefined, vanilla, wall)).toEqual([])
  })

  it('cancels the drift both halves of a pair share, which a ratio of medians cannot', () => {
    // the machine drifts from 100 to 1000 ms over the runs and the machine implementation costs 5% more
    const base = [100, 300, 500, 700, 1000]
    const vanilla = cell('vanilla', base)
    const machine = cell(
      'machine',
      base.map((b) => b * 1.05),
    )
    const paired = pairedRatio(machine, vanilla, wall)!
    expect(paired.value).toBeCloseTo(1.05, 10)
    expect(paired.lo).toBeCloseTo(1.05, 10)
    expect(verdict(paired)).toBe('higher')
    const ofMedians = medianRatio(
      base.map((b) => b * 1.05),
      base,
    )!
    expect(verdict(ofMedians)).toBe('no difference')
    expect(ofMedians.hi! - ofMedians.lo!).toBeGreaterThan(1)
  })

  it('has no interval below 3 pairs, and says so', () => {
    const p = pairedRatio(cell('machine', [110, 220]), cell('vanilla', [100, 200]), wall)!
    expect(p).toMatchObject({ value: expect.closeTo(1.1, 10), lo: undefined, hi: undefined, n: 2 })
    expect(verdict(p)).toBe('too few runs')
    expect(formatInterval(p)).toBe('1.10 [n=2, no interval]')
    expect(formatInterval(undefined)).toBe('—')
  })
})

describe('bootstrapInterval', () => {
  const xs = [0.9, 1.3, 1.05, 0.8, 1.2, 1.1, 0.95, 1.0]

  it('is repeatable with a seed and brackets the statistic', () => {
    const a = bootstrapInterval(xs, geomean, { seed: 3 })!
    expect(bootstrapInterval(xs, geomean, { seed: 3 })).toEqual(a)
    expect(a[0]).toBeLessThan(geomean(xs)!)
    expect(a[1]).toBeGreaterThan(geomean(xs)!)
    expect(bootstrapInterval(xs, geomean, { seed: 3, level: 0.5 })![1]).toBeLessThan(a[1])
    expect(bootstrapInterval([1, 2], geomean)).toBeUndefined()
  })
})

describe('verdict', () => {
  it('names a difference only when the whole interval is on one side of the threshold', () => {
    expect(verdict({ value: 0.87, lo: 0.46, hi: 2.64, n: 5 })).toBe('no difference')
    expect(verdict({ value: 0.87, lo: 0.46, hi: 2.64, n: 5 }, 1.05)).toBe('no difference')
    expect(verdict({ value: 1.2, lo: 1.1, hi: 1.3, n: 5 })).toBe('higher')
    expect(verdict({ value: 0.8, lo: 0.7, hi: 0.9, n: 5 })).toBe('lower')
    expect(verdict({ value: 1.02, lo: 1.01, hi: 1.04, n: 5 }, 1.05)).toBe('lower')
  })

  it('speaks the unit: time is slower or faster, memory larger or smaller, counts more or fewer', () => {
    expect(verdictWords('higher', 'ms')).toBe('slower')
    expect(verdictWords('lower', 'ms')).toBe('faster')
    expect(verdictWords('higher', 'MB')).toBe('larger')
    expect(verdictWords('lower', 'count')).toBe('fewer')
    expect(verdictWords('no difference', 'ms')).toBe('no difference')
  })
})
