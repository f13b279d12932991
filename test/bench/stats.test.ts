// Statistics for bench samples: summaries, ratios, geometric mean, bootstrap interval.
import { describe, expect, it } from 'vitest'
import { bootstrapRatioCI, geomean, ratio, seededRandom, summarize } from '../../src/bench/stats.js'

describe('stats', () => {
  it('summarises finite values only, and nothing as undefined', () => {
    expect(summarize([10, undefined, 30, Number.NaN, 20, 40])).toEqual({
      n: 4,
      min: 10,
      q1: 17.5,
      median: 25,
      q3: 32.5,
      max: 40,
    })
    expect(summarize([undefined])).toBeUndefined()
  })

  it('gives no ratio to nothing or to zero', () => {
    expect(ratio(3, 2)).toBe(1.5)
    expect(ratio(3, 0)).toBeUndefined()
    expect(ratio(undefined, 2)).toBeUndefined()
  })

  it('averages ratios geometrically', () => {
    expect(geomean([1.1, 1 / 1.1])).toBeCloseTo(1, 12)
    expect(geomean([2, 8])).toBeCloseTo(4, 12)
    expect(geomean([])).toBeUndefined()
  })

  it('is repeatable with a seed', () => {
    const a = seededRandom(42)
    const b = seededRandom(42)
    const xs = Array.from({ length: 5 }, () => a())
    expect(xs).toEqual(Array.from({ length: 5 }, () => b()))
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
  })

  it('brackets the ratio of medians, and contains 1 for samples from the same spread', () => {
    const base = [100, 102, 98, 101, 99, 103, 97, 100, 101, 99]
    const slower = base.map((x) => x * 1.2)
    const [lo, hi] = bootstrapRatioCI(slower, base)!
    expect(lo).toBeGreaterThan(1.1)
    expect(hi).toBeLessThan(1.3)
    const [lo2, hi2] = bootstrapRatioCI([...base].reverse(), base)!
    expect(lo2).toBeLessThanOrEqual(1)
    expect(hi2).toBeGreaterThanOrEqual(1)
    expect(bootstrapRatioCI([1, 2], base)).toBeUndefined()
    expect(bootstrapRatioCI(slower, base)).toEqual(bootstrapRatioCI(slower, base))
  })
})
