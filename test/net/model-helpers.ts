// Helpers for the network model's end-to-end tests: real hosts with real gossipsub on a model, a topic
// every receiver has announced, and one-hop delivery times measured by the publisher's clock.
import { performance } from 'node:perf_hooks'
import { createHost, type Host, type HostOptions } from '../../src/net/host.js'
import type { NetworkModel } from '../../src/net/model/model.js'
import type { NetworkSpec } from '../../src/net/model/spec.js'
import { GossipsubInternals } from '../../src/pubsub/internals.js'

export function spec(over: Partial<NetworkSpec>): NetworkSpec {
  return {
    latency: { kind: 'constant', ms: 0 },
    jitterMs: 0,
    loss: 0,
    dialFailure: 0,
    bandwidth: [],
    source: 'test',
    ...over,
  }
}

/** n hosts on the model (host i is model host i), every pair connected. */
export async function hostsOn(model: NetworkModel, n: number, opts: HostOptions = {}): Promise<Host[]> {
  const hosts: Host[] = []
  for (let i = 0; i < n; i++) hosts.push(await createHost({ ...opts, network: model.host(i) }))
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) await hosts[i]!.dial(hosts[j]!.getMultiaddrs()[0]!)
  }
  return hosts
}

export async function stopAll(hosts: Host[]): Promise<void> {
  await Promise.all(hosts.map((h) => h.stop()))
}

/**
 * Resolves once `publisher` can publish to every receiver on `topic`: it knows each is subscribed AND
 * has its own outbound gossipsub stream to each. The two come over different streams (the receiver's
 * subscription over the receiver's outbound stream, the publisher's stream after its own identify and
 * protocol negotiation), so either may be late by a retransmission on a lossy link; gossipsub drops a
 * publish to a peer whose outbound stream is not open yet (no retry), which would leave a waiter hanging.
 */
export async function subscribed(publisher: Host, receivers: Host[], topic: string): Promise<void> {
  for (const r of receivers) r.services.pubsub.subscribe(topic)
  const door = new GossipsubInternals(publisher.services.pubsub)
  const want = receivers.map((r) => r.peerId.toString())
  const ready = (p: string): boolean =>
    door.outboundStream(p) !== undefined &&
    publisher.services.pubsub.getSubscribers(topic).some((s) => s.toString() === p)
  while (!want.every(ready)) await new Promise((r) => setTimeout(r, 10))
}

/** Resolves with the time (performance.now) `host` first receives a message on `topic` whose first byte is `tag`. */
export function receipt(host: Host, topic: string, tag: number): Promise<number> {
  return new Promise((resolve) => {
    const on = (e: CustomEvent<{ topic: string; data: Uint8Array }>): void => {
      if (e.detail.topic !== topic || e.detail.data[0] !== tag) return
      host.services.pubsub.removeEventListener('message', on)
      resolve(performance.now())
    }
    host.services.pubsub.addEventListener('message', on)
  })
}

let nonce = 0

/** One-hop delivery times of `count` messages published one after another (each awaited), ms. */
export async function oneHop(from: Host, to: Host, topic: string, count: number, size = 16): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(size)
    data[0] = i % 256
    new DataView(data.buffer).setUint32(4, ++nonce) // unique across calls: unsigned message ids are the data
    const got = receipt(to, topic, i % 256)
    const t0 = performance.now()
    const { recipients } = await from.services.pubsub.publish(topic, data)
    // a publish that did not go to `to` is never delivered: fail here, with a reason, rather than wait forever
    if (!recipients.some((p) => p.equals(to.peerId))) {
      throw new Error(
        `oneHop: message ${i} on ${topic} was not sent to ${to.peerId} (recipients: ${recipients.length})`,
      )
    }
    out.push((await got) - t0)
  }
  return out
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]!
}
