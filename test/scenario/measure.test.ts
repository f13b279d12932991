// The run figures: latency percentiles and the resource meter.
import { describe, expect, it } from 'vitest'
import { latencySummary, ResourceMeter } from '../../src/scenario/measure.js'

describe('latencySummary', () => {
  it('gives nearest-rank p50, p99 and max, one decimal', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1.04)
    expect(latencySummary(xs)).toEqual({ p50: 50, p99: 99, max: 100 })
    expect(latencySummary([3.33])).toEqual({ p50: 3.3, p99: 3.3, max: 3.3 })
    expect(latencySummary([])).toEqual({ p50: 0, p99: 0, max: 0 })
  })
})

describe('ResourceMeter', () => {
  it('counts allocation and collections made while it runs', () => {
    const meter = new ResourceMeter()
    let keep: number[][] = []
    for (let i = 0; i < 200; i++) {
      keep.push(new Array(10_000).fill(i))
      if (keep.length > 10) keep = []
    }
    const f = meter.stop()
    expect(keep.length).toBeLessThanOrEqual(10)
    // 200 arrays of 10k small integers: at least 8 MB allocated
    expect(f.heapAllocatedBytes).toBeGreaterThan(8_000_000)
    expect(f.gcCount).toBeGreaterThan(0)
    expect(f.gcCollectedBytes).toBeGreaterThan(0)
    expect(f.peakRssBytes).toBeGreaterThan(10_000_000)
    expect(f.cpuMs).toBeGreaterThanOrEqual(0)
  })
})
