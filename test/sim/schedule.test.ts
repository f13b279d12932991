import { describe, expect, test } from 'vitest'
import { SIM_RANDOM_ACTIONS, type SimRandomAction } from '../../machines/simulator.js'
import { createRng } from '../../src/rng.js'
import { ActionSchedule } from '../../src/sim/schedule.js'

const periods = Object.fromEntries(SIM_RANDOM_ACTIONS.map((a) => [a, 0])) as Record<SimRandomAction, number>

describe('action schedule', () => {
  test('an action fires once per period × a factor in [0.75, 1.25], counted in heartbeats', () => {
    const s = new ActionSchedule(
      { heartbeatMs: 1000, periods: { ...periods, AddPeer: 10_000 }, jitter: { min: 0.75, max: 1.25 } },
      createRng(1),
    )
    const beats: number[] = []
    for (let b = 1; b <= 200; b++) if (s.select(b).includes('AddPeer')) beats.push(b)
    const gaps = beats.slice(1).map((b, i) => b - beats[i]!)
    expect(beats[0]).toBeGreaterThanOrEqual(8)
    expect(beats[0]).toBeLessThanOrEqual(13)
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(8)
      expect(g).toBeLessThanOrEqual(13)
    }
    expect(new Set(gaps).size).toBeGreaterThan(1) // jittered, not a fixed period
  })

  test('a disabled action (period 0) never fires; the same seed gives the same schedule', () => {
    const opts = {
      heartbeatMs: 250,
      periods: { ...periods, GC: 1000, MsgRandomTopic: 500 },
      jitter: { min: 0.75, max: 1.25 },
    }
    const run = (seed: number) => {
      const s = new ActionSchedule(opts, createRng(seed))
      return Array.from({ length: 100 }, (_, i) => s.select(i + 1).join(','))
    }
    expect(run(5)).toEqual(run(5))
    expect(run(5)).not.toEqual(run(6))
    expect(run(5).join(',')).not.toContain('AddPeer')
  })
})
