// Churn during a run: a host stops mid-run; the others record it (PeersDead, then cleaned up) and keep
// delivering. Real hosts and gossipsub on the memory transport, machine-driven, joined by discovery.
import { afterEach, describe, expect, it } from 'vitest'
import { InProcessRegistry } from '../../src/discovery/registry.js'
import { TopicDiscovery } from '../../src/discovery/topic-discovery.js'
import { createHost, type Host } from '../../src/net/host.js'
import { machinePubsub } from '../../src/pubsub/machine.js'
import { createRingSink } from '../../src/telemetry/log/ring-sink.js'
import { Recorder } from '../../src/telemetry/recorder.js'
import type { TxRecord } from '../../src/telemetry/records.js'

const TOPIC = 'foobar'

/** Resolves when every host in `to` got `text` on the topic. */
function deliveredTo(to: Host[], text: string): Promise<void> {
  return Promise.all(
    to.map(
      (h) =>
        new Promise<void>((resolve) => {
          const on = (e: CustomEvent<{ topic: string; data: Uint8Array }>) => {
            if (e.detail.topic !== TOPIC || new TextDecoder().decode(e.detail.data) !== text) return
            h.services.pubsub.removeEventListener('message', on)
            resolve()
          }
          h.services.pubsub.addEventListener('message', on)
        }),
    ),
  ).then(() => {})
}

describe('a host stopping mid-run', () => {
  let hosts: Host[] = []
  let discs: TopicDiscovery[] = []
  afterEach(async () => {
    for (const d of discs) d.stop()
    await Promise.all(hosts.map((h) => h.stop()))
  })

  it('is recorded as PeersDead then cleaned up, and delivery goes on', async () => {
    const rec = new Recorder()
    const ring = createRingSink(200_000)
    rec.addSink(ring)
    const n = 5
    for (let i = 0; i < n; i++) {
      hosts.push(
        await createHost({
          heartbeatMs: 200,
          pubsub: (init) => machinePubsub({ ...init, id: `ps-${i}`, recorder: rec }),
        }),
      )
    }
    const reg = new InProcessRegistry()
    discs = hosts.map((h) => new TopicDiscovery(h, { discovery: reg.forHost(h), recorder: rec }))
    for (const d of discs) d.start()
    await Promise.all(discs.map((d) => d.joinTopic(TOPIC, { minPeers: n - 1, timeoutMs: 20_000 })))

    const enc = (s: string) => new TextEncoder().encode(s)
    const before = deliveredTo(hosts.slice(1), 'before')
    await hosts[0]!.services.pubsub.publish(TOPIC, enc('before'))
    await before

    // host 4 goes away; every other host must see it die and clean it up
    const gone = hosts[4]!
    const goneId = gone.peerId.toString()
    const survivors = hosts.slice(0, 4)
    const cleaned = new Set<string>()
    const allCleaned = new Promise<void>((resolve) => {
      rec.subscribe((r) => {
        if (r.kind === 'tx' && r.event === 'remove.PeersDead' && r.machine.match(/^ps-[0-3]$/)) cleaned.add(r.machine)
        if (cleaned.size === 4) resolve()
      })
    })
    discs[4]!.stop()
    await gone.stop()
    await allCleaned

    const txs = ring.records().filter((r): r is TxRecord => r.kind === 'tx')
    for (let i = 0; i < 4; i++) {
      const mine = txs.filter((t) => t.machine === `ps-${i}`)
      const dead = mine.findIndex((t) => t.event === 'add.PeersDead' && t.args?.peer === 'ps-4')
      expect(dead, `ps-${i} records the dead peer`).toBeGreaterThanOrEqual(0)
      expect(mine[dead]!.added).toEqual(['PeersDead'])
      const clean = mine.findIndex((t, j) => j > dead && t.event === 'remove.PeersDead')
      expect(mine[clean]!.removed).toEqual(['PeersDead'])
      expect(survivors[i]!.services.pubsub.getSubscribers(TOPIC).map(String)).not.toContain(goneId)
    }

    // the survivors keep delivering, whoever publishes
    for (let k = 0; k < 8; k++) {
      const from = k % 4
      const text = `after-${k}`
      const got = deliveredTo(
        survivors.filter((_, j) => j !== from),
        text,
      )
      await survivors[from]!.services.pubsub.publish(TOPIC, enc(text))
      await got
    }
    hosts = survivors
    discs = discs.slice(0, 4)
    await rec.close()
  })
})
