// The network model on real hosts with real gossipsub: bandwidth (one shared uplink), loss and
// retransmission, order under jitter, and dial failures.
import { performance } from 'node:perf_hooks'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, type Host } from '../../src/net/host.js'
import { NetworkModel } from '../../src/net/model/model.js'
import { hostsOn, oneHop, percentile, receipt, spec, stopAll, subscribed } from './model-helpers.js'

const MiB = 1024 * 1024
let hosts: Host[] = []
afterEach(async () => {
  await stopAll(hosts)
  hosts = []
})

/** Publishes one 1 MiB message from hosts[0]; resolves with when each receiver got it, ms after publish. */
async function bigMessage(receivers: Host[], tag: number): Promise<number[]> {
  const data = new Uint8Array(MiB)
  data[0] = tag
  const got = receivers.map((r) => receipt(r, 't', tag))
  const t0 = performance.now()
  await hosts[0]!.services.pubsub.publish('t', data)
  return (await Promise.all(got)).map((t) => t - t0)
}

describe('network model: bandwidth', () => {
  // up 8 Mbit/s, down unlimited: the sender's uplink is the only bottleneck
  const slowUplink = spec({ bandwidth: [{ name: 'slow', upBps: 8e6, downBps: Number.POSITIVE_INFINITY, weight: 1 }] })
  // what 1 MiB takes on the wire at 8 Mbit/s
  const wireMs = (MiB * 8 * 1000) / 8e6

  it('one 1 MiB message over an 8 Mbit/s uplink arrives after about 1 s (±15%)', async () => {
    const model = new NetworkModel(slowUplink, { seed: 1 })
    hosts = await hostsOn(model, 2)
    await subscribed(hosts[0]!, [hosts[1]!], 't')
    const [ms] = await bigMessage([hosts[1]!], 1)
    expect(ms).toBeGreaterThanOrEqual(wireMs * 0.85)
    expect(ms).toBeLessThanOrEqual(wireMs * 1.15)
    expect(model.stats(0).bytesSent).toBeGreaterThan(MiB)
  })

  it('two receivers on the same uplink take about twice as long as one', async () => {
    const model = new NetworkModel(slowUplink, { seed: 1 })
    hosts = await hostsOn(model, 3)
    await subscribed(hosts[0]!, [hosts[1]!, hosts[2]!], 't')
    const both = Math.max(...(await bigMessage([hosts[1]!, hosts[2]!], 2)))
    const ratio = both / wireMs
    expect(ratio).toBeGreaterThanOrEqual(2 * 0.85)
    expect(ratio).toBeLessThanOrEqual(2 * 1.15)
    // the second copy waited about one message's wire time for the shared uplink
    expect(model.stats(0).uplinkQueueMsMax).toBeGreaterThan(wireMs * 0.85)
  })
})

describe('network model: loss, order, dial failures', () => {
  it('loss 5%: every message still arrives, and some later by a retransmission timeout', async () => {
    const model = new NetworkModel(spec({ latency: { kind: 'constant', ms: 10 }, loss: 0.05 }), { seed: 5 })
    hosts = await hostsOn(model, 2)
    await subscribed(hosts[0]!, [hosts[1]!], 't')
    const lat = await oneHop(hosts[0]!, hosts[1]!, 't', 100) // oneHop awaits each: all 100 arrived
    expect(lat).toHaveLength(100)
    // a lost segment costs RTO = RTT (20 ms) + 200 ms
    expect(Math.max(...lat)).toBeGreaterThanOrEqual(220)
    expect(percentile(lat, 0.5)).toBeLessThan(100)
    expect(model.stats(0).retransmittedBytes + model.stats(1).retransmittedBytes).toBeGreaterThan(0)
  })

  it('messages keep their order on a connection under jitter', async () => {
    const model = new NetworkModel(spec({ latency: { kind: 'constant', ms: 5 }, jitterMs: 20 }), { seed: 9 })
    hosts = await hostsOn(model, 2)
    const [a, b] = hosts as [Host, Host]
    await subscribed(a, [b], 't')
    const order: number[] = []
    const all = new Promise<void>((resolve) => {
      b.services.pubsub.addEventListener('message', (e) => {
        order.push(new DataView(e.detail.data.buffer, e.detail.data.byteOffset).getUint32(0))
        if (order.length === 200) resolve()
      })
    })
    const msg = (i: number) => {
      const d = new Uint8Array(8)
      new DataView(d.buffer).setUint32(0, i)
      return d
    }
    // published back to back, without waiting: each write draws its own jitter
    await Promise.all(Array.from({ length: 200 }, (_, i) => a.services.pubsub.publish('t', msg(i))))
    await all
    expect(order).toEqual([...Array(200).keys()])
  })

  it('dial failure rate 1.0: the dial fails with a named error, and the hosts still work and stop', async () => {
    const model = new NetworkModel(spec({ dialFailure: 1 }), { seed: 1 })
    const a = await createHost({ network: model.host(0) })
    const b = await createHost({ network: model.host(1) })
    hosts = [a, b]
    const err = await a.dial(b.getMultiaddrs()[0]!).then(
      () => undefined,
      (e: Error) => e,
    )
    expect(err).toBeInstanceOf(Error)
    expect(`${err?.name}: ${err?.message}`).toMatch(
      /NetworkDialError: network model: dial from host 0 to \/memory\/.* failed \(dialFailure 1\)/,
    )
    expect(a.getConnections()).toHaveLength(0)
    expect(model.stats(0).dialsFailed).toBe(1)
    // the other direction fails the same way; nothing is left half open
    await expect(b.dial(a.getMultiaddrs()[0]!)).rejects.toThrow(/dialFailure 1/)
    expect(b.getConnections()).toHaveLength(0)
  })
})
