// The end-to-end helpers' own contract: `subscribed()` returns only when a publish reaches every
// receiver. The flake it fixes: under loss the publisher's outbound gossipsub stream could open after the
// receiver's subscription had arrived, and gossipsub silently dropped the first publish (no open stream).
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, type Host } from '../../src/net/host.js'
import { MIN_RTO_MS } from '../../src/net/model/loss.js'
import { NetworkModel } from '../../src/net/model/model.js'
import { GossipsubInternals } from '../../src/pubsub/internals.js'
import { oneHop, receipt, spec, stopAll, subscribed } from './model-helpers.js'

let hosts: Host[] = []
afterEach(async () => {
  await stopAll(hosts)
  hosts = []
})

describe('subscribed()', () => {
  it("waits for the publisher's own outbound stream when a retransmission delays it past the subscription", async () => {
    const model = new NetworkModel(spec({ latency: { kind: 'constant', ms: 10 } }), { seed: 1 })
    // the publisher opens its gossipsub stream one retransmission timeout late, as when a segment of its
    // identify or protocol negotiation is lost; the receiver's side (its subscription) is on time
    const late = (host: Host): void => {
      const door = new GossipsubInternals(host.services.pubsub)
      door.replace({
        createOutboundStream: async (peer, conn) => {
          await new Promise((r) => setTimeout(r, 20 + MIN_RTO_MS))
          return door.original.createOutboundStream(peer, conn)
        },
      })
    }
    const a = await createHost({ network: model.host(0) })
    const b = await createHost({ network: model.host(1) })
    hosts = [a, b]
    late(a)
    await a.dial(b.getMultiaddrs()[0]!)
    await subscribed(a, [b], 't')
    const got = receipt(b, 't', 42)
    const data = new Uint8Array(16)
    data[0] = 42
    const { recipients } = await a.services.pubsub.publish('t', data)
    expect(recipients.map((p) => p.toString())).toEqual([b.peerId.toString()])
    await got
    expect(await oneHop(a, b, 't', 3)).toHaveLength(3)
  })
})
