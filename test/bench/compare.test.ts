// `compare`: the median of A, of B and B/A per metric, implementation and cell.
import { describe, expect, it } from 'vitest'
import { compareResults, formatComparison } from '../../src/bench/compare.js'
import { metricByKey } from '../../src/bench/metrics.js'
import { syntheticResults } from './synthetic.js'

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
  })

  it('says when a cell is in one file only', () => {
    const b = syntheticResults()
    b.runs = b.runs.filter((r) => r.hosts === 3)
    const rows = compareResults(syntheticResults(), b, [wall])
    expect(rows.filter((r) => r.ratio === undefined)).toHaveLength(4)
    const text = formatComparison(rows, [wall], ['a.json', 'b.json'])
    expect(text).toContain('A = a.json')
    expect(text).toContain(
      'vanilla: geometric mean B/A 1.00 over 2 cells (2 cells in only one file or without a successful run)',
    )
    expect(text).toMatch(/machine\s+4\s+4\s+\S+\s+—\s+—/)
  })
})
