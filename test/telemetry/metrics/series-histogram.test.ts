import { Histogram, Registry } from 'prom-client'
import { describe, expect, test } from 'vitest'
import { SeriesHistogram } from '../../../src/telemetry/metrics/metrics-machines.js'

const BUCKETS = [0.001, 0.01, 0.1]

describe('SeriesHistogram', () => {
  test("exposes what prom-client's Histogram exposes for the same observations", async () => {
    const ours = new Registry()
    const theirs = new Registry()
    const h = new SeriesHistogram('x_seconds', 'help text', BUCKETS, ours)
    const p = new Histogram({
      name: 'x_seconds',
      help: 'help text',
      labelNames: ['machine'],
      buckets: BUCKETS,
      registers: [theirs],
    })
    const a = h.series('a', { machine: 'a' })
    const b = h.series('b', { machine: 'b' })
    p.zero({ machine: 'a' })
    p.zero({ machine: 'b' })
    // on a bound, between bounds, above the last, zero
    for (const v of [0.001, 0.005, 0.2, 0, 0.1]) {
      h.observe(a, v)
      p.observe({ machine: 'a' }, v)
    }
    expect(await ours.metrics()).toBe(await theirs.metrics())
    expect(h.series('b', { machine: 'b' })).toBe(b)
    h.reset()
    p.reset()
    p.zero({ machine: 'a' })
    p.zero({ machine: 'b' })
    expect(await ours.metrics()).toBe(await theirs.metrics())
  })
})
