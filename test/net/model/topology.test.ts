// Placement and per-pair draws: seeded, independent of the order hosts are asked about, and shaped like
// the model says (region weights, class weights, distributions).
import { describe, expect, it } from 'vitest'
import { loadNetworkSpec } from '../../../src/config/network.js'
import { describeModel } from '../../../src/net/model/describe.js'
import { NetworkModel } from '../../../src/net/model/model.js'
import { buildTopology } from '../../../src/net/model/topology.js'
import { spec } from '../model-helpers.js'

describe('topology', () => {
  it('draws a per-pair latency once from the seed, whatever order pairs are asked in', () => {
    const s = spec({ latency: { kind: 'uniform', minMs: 20, maxMs: 80 } })
    const t1 = buildTopology(s, 42)
    const t2 = buildTopology(s, 42)
    const forward = [t1.latencyMs(1, 2), t1.latencyMs(2, 1), t1.latencyMs(3, 9)]
    const backward = [t2.latencyMs(3, 9), t2.latencyMs(2, 1), t2.latencyMs(1, 2)].reverse()
    expect(forward).toEqual(backward)
    expect(t1.latencyMs(1, 2)).toBe(t1.latencyMs(1, 2))
    expect(t1.latencyMs(1, 2)).not.toBe(t1.latencyMs(2, 1)) // ordered pairs draw apart
    expect(buildTopology(s, 43).latencyMs(1, 2)).not.toBe(forward[0])
    for (let a = 0; a < 30; a++) for (let b = 0; b < 30; b++) expect(t1.latencyMs(a, b)).toBeGreaterThanOrEqual(20)
  })

  it('normal and log-normal draws centre where they say', () => {
    const median = (kind: 'normal' | 'lognormal') => {
      const t = buildTopology(
        spec({
          latency: kind === 'normal' ? { kind, meanMs: 50, stddevMs: 10 } : { kind, medianMs: 50, sigma: 0.5 },
        }),
        7,
      )
      const xs: number[] = []
      for (let a = 0; a < 40; a++) for (let b = 0; b < 40; b++) if (a !== b) xs.push(t.latencyMs(a, b))
      return xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
    }
    expect(median('normal')).toBeGreaterThan(48)
    expect(median('normal')).toBeLessThan(52)
    expect(median('lognormal')).toBeGreaterThan(47)
    expect(median('lognormal')).toBeLessThan(53)
  })

  it("places hosts in the world's regions and bandwidth classes by weight", () => {
    const model = new NetworkModel(loadNetworkSpec('networks/world.yml'), { seed: 1 })
    const d = describeModel(model, 2000)
    const eu = d.places.find((p) => p.name === 'europe')!.hosts
    // europe's weight is 5599 of 11326
    expect(eu / 2000).toBeGreaterThan(0.45)
    expect(eu / 2000).toBeLessThan(0.54)
    const full = d.classes.find((c) => c.name === 'fullnode')!
    expect(full).toMatchObject({ up: '50Mbit', down: '50Mbit' })
    expect(full.hosts / 2000).toBeGreaterThan(0.76)
    expect(full.hosts / 2000).toBeLessThan(0.84)
    expect(d.latencyMs.min).toBe(2)
    expect(d.latencyMs.max).toBeLessThanOrEqual(220)
    // a host's latency to another is its regions' entry
    const t = model.topology
    const eu0 = [...Array(50).keys()].filter((h) => t.placeOf(h) === 'europe')
    const na = [...Array(50).keys()].filter((h) => t.placeOf(h) === 'na_east')
    expect(t.latencyMs(eu0[0]!, na[0]!)).toBe(70)
  })

  it("takes a graph's node rates and links; hosts round robin over its nodes", () => {
    const model = new NetworkModel(loadNetworkSpec('networks/small.gml'), { seed: 1 })
    const t = model.topology
    expect([0, 1, 2, 3, 4].map((h) => t.placeOf(h))).toEqual([
      'europe-supernode',
      'europe-fullnode',
      'na_east-supernode',
      'na_east-fullnode',
      'europe-supernode',
    ])
    expect(t.ratesOf(1)).toEqual({ name: '50Mbit/50Mbit', upBps: 50e6, downBps: 50e6 })
    expect(t.latencyMs(0, 1)).toBe(2)
    expect(t.latencyMs(1, 3)).toBe(70)
  })

  it('pins: a host placed by name keeps that region and class; the others draw as before', () => {
    const s = loadNetworkSpec('networks/world.yml')
    const free = buildTopology(s, 5)
    const pinned = buildTopology(s, 5, {
      region: (h) => (h < 10 ? 'south_america' : undefined),
      class: (h) => (h < 10 ? 'supernode' : undefined),
    })
    for (let h = 0; h < 10; h++) {
      expect(pinned.placeOf(h)).toBe('south_america')
      expect(pinned.ratesOf(h).name).toBe('supernode')
    }
    // south_america has weight 36 of 11,326: drawn, ten hosts would almost never all land there
    expect(new Set(Array.from({ length: 10 }, (_, h) => free.placeOf(h)))).not.toEqual(new Set(['south_america']))
    for (let h = 10; h < 40; h++) {
      expect(pinned.placeOf(h)).toBe(free.placeOf(h))
      expect(pinned.ratesOf(h)).toEqual(free.ratesOf(h))
    }
    // a latency between pinned hosts is the table's, region to region
    expect(pinned.latencyMs(0, 1)).toBe(7)
  })
})
