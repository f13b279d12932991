// `compare`: the median of A, of B and B/A per metric, implementation and cell, with a bootstrap
// interval and a verdict that calls noise noise.
import { describe, expect, it } from 'vitest'
import { compareResults, formatComparison } from '../../src/bench/compare.js'
import { metricByKey } from '../../src/bench/metrics.js'
import type { ResultsFile } from '../../src/bench/results.js'
import { createRng } from '../../src/rng.js'
import { syntheticResults } from './synthetic.js'

/** One cell, one implementation, these wall times (ms). */
function resultsOf(walls: readonly number[]): ResultsFile {
  const r = syntheticResults()
  r.runs = walls.map((wallMs, i) => ({
    hosts: 5,
    msgs: 20,
    impl: 'vanilla',
    iteration: i,
    seed: 1 + i,
    failure: null,
    exitCode: 0,
    processMs: wallMs + 300,
    wallMs,
  }))
  return r
}

/** Lognormal draws around `center` with a 10% spread: a shared machine's run times look like this. */
function draws(seed: number, n: number, center: number): number[] {
  const rng = createRng(seed)
  return Array.from({ length: n }, () => {
    const u = Math.max(rng.next(), 1e-12)
    const v = rng.next()
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    return center * Math.exp(0.1 * z)
  })
}

describe('compare', () => {
  const wall = metricByKey('wallMs')!
  const rss = metricByKey('peakRssBytes')!

  it('gives B/A per cell, for each implementation', () => {
    const rows = compareResults(syntheticResults(), syntheticResults({ factor: 1.5 }), [wall, rss])
    expect(rows).toHaveLength(2 * 2 * 4)
    const first = rows.find((r) => r.metric === 'wallMs' && r.impl === 'vanilla' && r.hosts === 3 && r.msgs === 2)!
    expect(first.a).toBe(610)
    expect(first.b).toBe(915)
    expect(first.ratio).toBeCloseTo(1.5, 10)
    expect(rows.every((r) => r.ratio !== undefined && Math.abs(r.ratio - 1.5) < 1e-9)).toBe(true)
    expect(first.runsA).toEqual({ ok: 3, all: 3 })
  })

  it('says when a cell is in one file only', () => {
    const b = syntheticResults()
    b.runs = b.runs.filter((r) => r.hosts === 3)
    const rows = compareResults(syntheticResults(), b, [wall])
    expect(rows.filter((r) => r.ratio === undefined)).toHaveLength(4)
    const text = formatComparison(rows, [wall], ['a.json', 'b.json'])
    expect(text).toContain('A = a.json')
    expect(text).toContain('vanilla: geometric mean B/A 1.00 over 2 cells (2 cells in only one file')
    expect(text).toMatch(/machine\s+4\s+4\s+3\s+0\s+\S+\s+—\s+—\s+—\s+—/)
  })

  it('finds no difference between two samples from one distribution', () => {
    const rows = compareResults(resultsOf(draws(1, 15, 1000)), resultsOf(draws(2, 15, 1000)), [wall])
    expect(rows).toHaveLength(1)
    const [row] = rows
    expect(row!.lo).toBeLessThan(1)
    expect(row!.hi).toBeGreaterThan(1)
    expect(row!.verdict).toBe('no difference')
    const text = formatComparison(rows, [wall], ['a', 'b'])
    expect(text).toMatch(/vanilla\s+5\s+20\s+15\s+15\s+.*\d\.\d\d–\d\.\d\d\s+no difference/)
  })

  it('calls a difference rarely when there is none (about 5% of the time at 95%)', () => {
    let called = 0
    const trials = 100
    for (let t = 0; t < trials; t++) {
      const [row] = compareResults(resultsOf(draws(100 + t, 15, 1000)), resultsOf(draws(900 + t, 15, 1000)), [wall])
      if (row!.verdict !== 'no difference') called++
    }
    expect(called).toBeLessThanOrEqual(12)
  })

  it('names the direction of a clear shift', () => {
    const base = draws(3, 15, 1000)
    const slower = compareResults(resultsOf(base), resultsOf(draws(4, 15, 1300)), [wall])[0]!
    expect(slower.verdict).toBe('higher')
    expect(slower.lo).toBeGreaterThan(1)
    expect(formatComparison([slower], [wall], ['a', 'b'])).toMatch(/B slower/)
    const faster = compareResults(resultsOf(base), resultsOf(draws(5, 15, 700)), [wall])[0]!
    expect(faster.verdict).toBe('lower')
    expect(faster.hi).toBeLessThan(1)
    expect(formatComparison([faster], [wall], ['a', 'b'])).toMatch(/B faster/)
  })

  it('warns when one side ran on a busier machine', () => {
    const withLoad = (load: number) => {
      const r = resultsOf(draws(6, 5, 1000))
      for (const x of r.runs) x.loadBefore = [load, 1, 1]
      return r
    }
    const busy = formatComparison(compareResults(withLoad(1.5), withLoad(6), [wall]), [wall], ['a', 'b'])
    expect(busy).toContain('Load (1-min average before each run, median): A 1.50, B 6.00.')
    expect(busy).toContain('WARNING: B ran on a busier machine')
    const calm = formatComparison(compareResults(withLoad(1.5), withLoad(1.8), [wall]), [wall], ['a', 'b'])
    expect(calm).toContain('A 1.50, B 1.80.')
    expect(calm).not.toContain('WARNING')
    expect(formatComparison(compareResults(withLoad(1), resultsOf([1, 2, 3]), [wall]), [wall], ['a', 'b'])).toContain(
      'Load: not recorded in one or both files.',
    )
  })

  it('gives no interval, and no verdict, with fewer than 3 successful runs a side', () => {
    const a = resultsOf([1000, 1010, 990])
    a.runs[2]!.failure = 'timeout'
    const [row] = compareResults(a, resultsOf([1000, 1010, 990]), [wall])
    expect(row!.runsA).toEqual({ ok: 2, all: 3 })
    expect(row!.lo).toBeUndefined()
    expect(row!.verdict).toBe('too few runs')
    expect(formatComparison([row!], [wall], ['a', 'b'])).toMatch(/vanilla\s+5\s+20\s+2\/3\s+3\s+.*too few runs/)
  })
})
