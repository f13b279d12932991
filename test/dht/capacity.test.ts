import { describe, expect, it } from 'vitest'
import { estimateCapacity } from '../../src/dht/capacity.js'

const GiB = 1024 ** 3

describe('estimateCapacity', () => {
  it('bounds N by memory (RSS per node of the largest run) and by time (CPU per join growing as a power law)', () => {
    // CPU per join doubles from 100 to 400 nodes: growth 0.5
    const c = estimateCapacity(
      [
        { nodes: 400, joinCpuMs: 2000, rssPerNodeBytes: 8 * 1024 ** 2 },
        { nodes: 100, joinCpuMs: 1000, rssPerNodeBytes: 4 * 1024 ** 2 },
      ],
      10 * GiB,
      3_600_000,
    )!
    expect(c.growth).toBeCloseTo(0.5, 6)
    expect(c.byMemory).toBe(Math.floor((10 * GiB * 0.8) / (8 * 1024 ** 2)))
    // n × 2000 × (n/400)^0.5 ≤ 3.6e6  ⇔  100 × n^1.5 ≤ 3.6e6  ⇔  n ≤ 36,000^(2/3) = 1,090.4
    expect(c.byTime).toBe(1090)
  })

  it('gives no time bound from one size and nothing from none', () => {
    const one = estimateCapacity([{ nodes: 100, joinCpuMs: 900, rssPerNodeBytes: GiB / 1024 }], 4 * GiB, 1000)
    expect(one).toEqual({ byMemory: Math.floor((4 * GiB * 0.8) / (GiB / 1024)), byTime: undefined, growth: undefined })
    expect(estimateCapacity([], GiB, 1000)).toBeUndefined()
  })
})
