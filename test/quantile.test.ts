// The one quantile module: interpolated quantiles (bench report), medians (benchmark scripts) and
// nearest-rank quantiles (scenario latencies, the debugger benchmark).
import { describe, expect, it } from 'vitest'
import { median, quantile, rankQuantile } from '../src/quantile.js'

describe('quantile', () => {
  it('interpolates quantiles between order statistics', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75)
    expect(quantile([1, 2, 3, 4], 0.75)).toBe(3.25)
    expect(quantile([7], 0.25)).toBe(7)
    expect(quantile([], 0.5)).toBeNaN()
    expect(median([5, 1, 3])).toBe(3)
  })

  it('takes the mean of the two middle values for an even count, and does not sort its input in place', () => {
    const xs = [4, 1, 3, 2]
    expect(median(xs)).toBe(2.5)
    expect(xs).toEqual([4, 1, 3, 2])
  })

  it('picks an observed value by nearest rank', () => {
    const xs = Float64Array.from({ length: 100 }, (_, i) => i + 1)
    expect(rankQuantile(xs, 0.5)).toBe(50)
    expect(rankQuantile(xs, 0.99)).toBe(99)
    expect(rankQuantile(xs, 1)).toBe(100)
    expect(rankQuantile([1, 2, 3, 4], 0.5)).toBe(2)
    expect(rankQuantile([7], 0)).toBe(7)
    expect(rankQuantile([], 0.5)).toBeNaN()
  })
})
