// The network model on real hosts with real gossipsub: one-way latency on memory and TCP, the oar-p2p
// matrix per pair, and nothing added (no timer, no reordering) when the model has no delay.
import { afterEach, describe, expect, it } from 'vitest'
import type { Clock } from '../../src/clock/clock.js'
import { realClock } from '../../src/clock/real.js'
import type { Host } from '../../src/net/host.js'
import { loadNetworkModel } from '../../src/net/model/load.js'
import { NetworkModel } from '../../src/net/model/model.js'
import { hostsOn, oneHop, percentile, spec, stopAll, subscribed } from './model-helpers.js'

let hosts: Host[] = []
afterEach(async () => {
  await stopAll(hosts)
  hosts = []
})

describe('network model: latency', () => {
  it('two memory hosts 50 ms apart: p50 delivery of 100 messages in [50, 60] ms', async () => {
    const model = new NetworkModel(spec({ latency: { kind: 'constant', ms: 50 } }), { seed: 1 })
    hosts = await hostsOn(model, 2)
    const [a, b] = hosts as [Host, Host]
    await subscribed(a, [b], 't')
    const lat = await oneHop(a, b, 't', 100)
    const p50 = percentile(lat, 0.5)
    expect(p50).toBeGreaterThanOrEqual(50)
    expect(p50).toBeLessThanOrEqual(60)
    expect(model.stats(0).bytesSent).toBeGreaterThan(100 * 16)
    expect(model.stats(1).bytesReceived).toBe(model.stats(0).bytesSent)
  })

  it('two TCP hosts (noise, yamux) 50 ms apart: the shaping works below encryption on TCP too', async () => {
    const model = new NetworkModel(spec({ latency: { kind: 'constant', ms: 50 } }), { seed: 1 })
    hosts = await hostsOn(model, 2, { transport: 'tcp', encrypter: 'noise', muxer: 'yamux' })
    const [a, b] = hosts as [Host, Host]
    await subscribed(a, [b], 't')
    const lat = await oneHop(a, b, 't', 30)
    // noise and yamux cost CPU on a busy machine: the fastest sample shows the model's delay (as in the
    // matrix test below); no message beats the model
    const why = `measured ${lat.map((x) => x.toFixed(1)).join(' ')}`
    expect(Math.min(...lat), why).toBeGreaterThanOrEqual(50 * 0.9 - 2)
    expect(Math.min(...lat), why).toBeLessThanOrEqual(50 * 1.1 + 2)
    expect(percentile(lat, 0.5), why).toBeGreaterThanOrEqual(50)
  })

  it('with 0 ms the same exchange is under 5 ms, and the model sets no timer at all', async () => {
    let timers = 0
    const counting: Clock = {
      ...realClock,
      setTimer(fn, ms) {
        timers++
        return realClock.setTimer(fn, ms)
      },
    }
    const model = new NetworkModel(spec({}), { seed: 1, clock: counting })
    hosts = await hostsOn(model, 2)
    const [a, b] = hosts as [Host, Host]
    await subscribed(a, [b], 't')
    const lat = await oneHop(a, b, 't', 100)
    expect(percentile(lat, 0.5)).toBeLessThan(5)
    expect(timers).toBe(0)
    expect(model.stats(0).bytesSent).toBeGreaterThan(0)
  })

  it("oar-p2p's 5×5 matrix: one-hop latency of every ordered pair within 10% (+2 ms) of the matrix", async () => {
    const model = loadNetworkModel('networks/oar-example.txt', { seed: 1 })
    const m = model.spec.latency.kind === 'matrix' ? model.spec.latency.ms : []
    hosts = await hostsOn(model, 5)
    const pairs: [number, number][] = []
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) if (i !== j) pairs.push([i, j])
    // one topic per ordered pair, subscribed by its receiver only: the message takes the direct link
    await Promise.all(pairs.map(([i, j]) => subscribed(hosts[i]!, [hosts[j]!], `p${i}-${j}`)))
    // one pair at a time: concurrent publishes would measure this machine's CPU queue, not the model
    const samples = new Map<string, number[]>()
    for (const [i, j] of pairs) samples.set(`${i}-${j}`, await oneHop(hosts[i]!, hosts[j]!, `p${i}-${j}`, 5))
    for (const [i, j] of pairs) {
      const want = m[i]![j]!
      const got = samples.get(`${i}-${j}`)!
      // the fastest sample is the model's delay plus the least of this machine's noise (as ping reports
      // min): it must match the matrix; the median must not beat it
      const best = Math.min(...got)
      const why = `${i} → ${j}: matrix ${want} ms, measured ${got.map((x) => x.toFixed(1)).join(' ')}`
      expect(Math.abs(best - want), why).toBeLessThanOrEqual(want * 0.1 + 2)
      expect(percentile(got, 0.5), why).toBeGreaterThanOrEqual(want * 0.9 - 2)
    }
  })
})
