// analyze(): reach, time to 50..100 %, duplicates and eclipse recovery from hand-made deliveries.
import { describe, expect, it } from 'vitest'
import { analyze } from '../../src/experiment/analyze.js'
import type { Deliveries } from '../../src/experiment/deliveries.js'

const node = (index: number, group = 'g', role: 'publisher' | 'lurker' | 'attacker' = 'lurker') => ({
  index,
  name: `ps-${index}`,
  peerId: `p${index}`,
  group,
  role,
})

describe('analyze', () => {
  it('reach, time to each share of subscribers, duplicates per message', () => {
    // node 0 publishes at 1000 ms; nodes 1..4 subscribe; node 4 never gets it
    const d: Deliveries = {
      nodes: [node(0, 'pub', 'publisher'), node(1), node(2), node(3), node(4)],
      publishes: [{ msgId: 'm1', topic: 't', node: 0, timeMs: 1000, bytes: 100 }],
      receives: [
        { msgId: 'm1', topic: 't', node: 1, timeMs: 1010, duplicate: false },
        { msgId: 'm1', topic: 't', node: 2, timeMs: 1020, duplicate: false },
        { msgId: 'm1', topic: 't', node: 3, timeMs: 1050, duplicate: false },
        { msgId: 'm1', topic: 't', node: 1, timeMs: 1030, duplicate: true },
        { msgId: 'm1', topic: 't', node: 1, timeMs: 1040, duplicate: true },
        { msgId: 'm1', topic: 't', node: 3, timeMs: 1060, duplicate: true },
      ],
      subscribers: { t: [0, 1, 2, 3, 4] },
    }
    const r = analyze({ deliveries: d })
    const m = r.messages[0]!
    expect(m).toMatchObject({ expected: 4, reached: 3, reachPct: 75 })
    expect(m.timeTo).toEqual({ p50: 20, p90: null, p95: null, p99: null, p100: null })
    expect(m.duplicates).toBe(1) // 3 duplicates over the 3 subscribers that got it
    expect(r.summary).toMatchObject({ expectedDeliveries: 4, delivered: 3, deliveryRatio: 0.75, fullyDelivered: 0 })
    expect(r.summary.timeTo99.missing).toBe(1)
    expect(r.duplicateHistogram).toEqual([
      { copies: 0, count: 1 },
      { copies: 1, count: 1 },
      { copies: 2, count: 1 },
    ])
    expect(r.nodes[4]).toMatchObject({ expected: 1, received: 0, deliveryRatio: 0 })
    expect(r.nodes[1]).toMatchObject({ duplicates: 2, idealBytesIn: 100 })
  })

  it('an eclipse target: delivery during the attack and when it recovered', () => {
    const pubs = [500, 1500, 2500, 3500, 4500].map((t, k) => ({
      msgId: `m${k}`,
      topic: 't',
      node: 0,
      timeMs: t,
      bytes: 10,
    }))
    // the target (node 1) misses m1 and m2 (the attack is 1000..3000), gets m3 late at 4200, m4 at 4550
    const d: Deliveries = {
      nodes: [node(0, 'pub', 'publisher'), node(1, 'target'), node(2, 'sybils', 'attacker')],
      publishes: pubs,
      receives: [
        { msgId: 'm0', topic: 't', node: 1, timeMs: 520, duplicate: false },
        { msgId: 'm3', topic: 't', node: 1, timeMs: 4200, duplicate: false },
        { msgId: 'm4', topic: 't', node: 1, timeMs: 4550, duplicate: false },
      ],
      subscribers: { t: [0, 1] },
    }
    const r = analyze({
      deliveries: d,
      attacks: [
        { kind: 'eclipse', group: 'sybils', startMs: 1000, stopMs: 3000, targets: [1], spamRate: 0, censor: true },
      ],
    })
    const a = r.attacks[0]!
    expect(a.targets).toEqual([
      { node: 1, expectedDuring: 2, receivedDuring: 0, deliveryRatioDuring: 0, recoveredAtMs: 4200, recoveryMs: 1200 },
    ])
    expect(a.before.honestDeliveryRatio).toBe(1)
    expect(a.during.honestDeliveryRatio).toBe(0)
  })
})
