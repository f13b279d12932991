// What the machine-driven service adds over gossipsub: every operation and network event becomes a
// transition of `ps-<n>`, errors become Exception, and the actor stays usable.
import { afterEach, describe, expect, it } from 'vitest'
import { pubsubHostMachine } from '../../machines/pubsub-host.js'
import type { Host } from '../../src/net/host.js'
import { trivialMultiEvents } from '../../src/pubsub/driver.js'
import { NoTopicPeersError } from '../../src/pubsub/errors.js'
import { machinePubsub, msgIdOf, pubsubHostOf } from '../../src/pubsub/machine.js'
import { createRingSink } from '../../src/telemetry/log/ring-sink.js'
import { Recorder } from '../../src/telemetry/recorder.js'
import type { PsmRecord, TxRecord } from '../../src/telemetry/records.js'
import { createHosts, enc, nextMessage, recordedFactory, stopAll, subscribedBy } from './helpers.js'

function txs(records: PsmRecord[], machine: string): TxRecord[] {
  return records.filter((r): r is TxRecord => r.kind === 'tx' && r.machine === machine)
}

/** Resolves when the actor has processed an event of this type (event-driven, via the recorder). */
function whenTx(rec: Recorder, machine: string, pred: (t: TxRecord) => boolean): Promise<TxRecord> {
  return new Promise((resolve) => {
    const off = rec.subscribe((r) => {
      if (r.kind === 'tx' && r.machine === machine && pred(r)) {
        off()
        resolve(r)
      }
    })
  })
}

describe('machinePubsub', () => {
  let hosts: Host[] = []
  afterEach(async () => {
    await stopAll(hosts)
    hosts = []
  })

  it('records joins, peers, RPCs and publishes as transitions of ps-<n>', async () => {
    const rec = new Recorder({ source: 'test' })
    const ring = createRingSink(100_000)
    rec.addSink(ring)
    const ids: string[] = []
    hosts = await createHosts(2, recordedFactory(rec, ids))
    const [a, b] = hosts as [Host, Host]
    expect(pubsubHostOf(a.services.pubsub)?.id).toBe('ps-0')
    a.services.pubsub.subscribe('t')
    b.services.pubsub.subscribe('t')
    await a.dial(b.getMultiaddrs()[0]!)
    await subscribedBy(a, b, 't')
    const received = new Promise<string>((resolve) =>
      b.services.pubsub.addEventListener('gossipsub:message', (e) => resolve(e.detail.msgId), { once: true }),
    )
    await a.services.pubsub.publish('t', enc('hello'))
    const msgId = await received

    const ta = txs(ring.records(), 'ps-0')
    const events = ta.map((t) => t.event).filter((e) => e !== 'init')
    expect(events.slice(0, 2)).toEqual(['AddTopic', 'AddSubscription'])
    expect(events).toContain('add.PeersPending')
    expect(events).toContain('PeerNewStream')
    expect(events).toContain('IncomingRPC')
    const pub = ta.find((t) => t.event === 'PublishMessage')
    expect(pub?.args).toMatchObject({ topic: 't', bytes: 5, msgId })
    expect(pub?.touched).toEqual(['PublishMessage'])
    const pending = ta.find((t) => t.event === 'add.PeersPending')
    expect(pending?.added).toEqual(['PeersPending'])
    // peers are named by machine id; the raw peer id is in the machine record
    expect(pending?.args?.peer).toBe('ps-1')
    const machineB = ring.records().filter((r) => r.kind === 'machine' && r.id === 'ps-1' && r.peer !== undefined)
    expect(machineB.map((r) => r.kind === 'machine' && r.peer)).toEqual([b.peerId.toString()])
    const rpcs = txs(ring.records(), 'ps-1').filter((t) => t.event === 'IncomingRPC')
    const carrying = rpcs.find((t) => t.args?.msgs === 1)
    expect(carrying?.args).toMatchObject({ from: 'ps-0', msgs: 1, ids: msgId })
    expect(msgIdOf(enc('hello'))).toBe(msgId)
    // the message's fate at each host: published at ps-0, delivered at ps-1 in that IncomingRPC
    await new Promise((r) => setTimeout(r, 10))
    const marks = ring.records().filter((r) => r.kind === 'msg' && r.id === msgId)
    expect(marks).toEqual([
      expect.objectContaining({ machine: 'ps-0', mark: 'publish', topic: 't', seq: pub?.seq }),
      expect.objectContaining({ machine: 'ps-1', mark: 'deliver', topic: 't', from: 'ps-0', seq: carrying?.seq }),
    ])
    await rec.close()
  })

  it('a publish with no topic peers rejects with a named error, records Exception, and stays usable', async () => {
    const rec = new Recorder()
    const ring = createRingSink(100_000)
    rec.addSink(ring)
    hosts = await createHosts(2, recordedFactory(rec, []))
    const [a, b] = hosts as [Host, Host]
    a.services.pubsub.subscribe('t')
    const err = await a.services.pubsub.publish('t', enc('x')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NoTopicPeersError)
    expect((err as Error).message).toBe(
      "publish on topic 't': no peers subscribed to the topic (PublishError.NoPeersSubscribedToTopic)",
    )
    const exception = txs(ring.records(), 'ps-0').find((t) => t.event === 'Exception')
    expect(exception?.added).toContain('Exception')
    expect(exception?.args?.error).toMatch(/no peers subscribed/)
    const actor = pubsubHostOf(a.services.pubsub)!.actor
    expect(actor.getSnapshot().status).toBe('active')

    b.services.pubsub.subscribe('t')
    await a.dial(b.getMultiaddrs()[0]!)
    await subscribedBy(a, b, 't')
    const got = nextMessage(b, 't')
    await a.services.pubsub.publish('t', enc('after'))
    expect(await got).toBe('after')
    await rec.close()
  })

  it('records a stopped peer as PeersDead, then cleans it up', async () => {
    const rec = new Recorder()
    const ring = createRingSink(100_000)
    rec.addSink(ring)
    hosts = await createHosts(2, recordedFactory(rec, []))
    const [a, b] = hosts as [Host, Host]
    a.services.pubsub.subscribe('t')
    b.services.pubsub.subscribe('t')
    await a.dial(b.getMultiaddrs()[0]!)
    await subscribedBy(a, b, 't')
    const cleaned = whenTx(rec, 'ps-0', (t) => t.event === 'remove.PeersDead')
    await b.stop()
    const removed = await cleaned
    expect(removed.removed).toEqual(['PeersDead'])
    const dead = txs(ring.records(), 'ps-0').find((t) => t.event === 'add.PeersDead')
    expect(dead?.added).toEqual(['PeersDead'])
    expect(dead?.args?.peer).toBe('ps-1')
    expect(a.services.pubsub.getPeers()).toEqual([])
    expect(pubsubHostOf(a.services.pubsub)?.deadPeers().size).toBe(0)
    await rec.close()
  })

  it('a blacklisted peer is dropped and not taken back when it dials again', async () => {
    const rec = new Recorder()
    hosts = await createHosts(2, recordedFactory(rec, []))
    const [a, b] = hosts as [Host, Host]
    a.services.pubsub.subscribe('t')
    b.services.pubsub.subscribe('t')
    await a.dial(b.getMultiaddrs()[0]!)
    await subscribedBy(a, b, 't')
    const handle = pubsubHostOf(a.services.pubsub)!
    const cleaned = whenTx(rec, 'ps-0', (t) => t.event === 'remove.PeersDead')
    handle.blacklistPeer(b.peerId)
    expect(handle.blacklisted().has(b.peerId.toString())).toBe(true)
    await cleaned
    expect(a.services.pubsub.getPeers()).toEqual([])

    const identified = new Promise<void>((resolve) =>
      a.addEventListener('peer:identify', (e) => e.detail.peerId.equals(b.peerId) && resolve()),
    )
    await b.dial(a.getMultiaddrs()[0]!)
    await identified
    expect(a.services.pubsub.getPeers()).toEqual([])
    expect(a.services.pubsub.getSubscribers('t')).toEqual([])
    await rec.close()
  })

  it('takes the shortcut only for Multi events whose transition just runs their action', () => {
    const trivial = trivialMultiEvents(pubsubHostMachine)
    expect(trivial.has('IncomingRPC')).toBe(true)
    expect(trivial.has('PublishMessage')).toBe(true)
    expect(trivial.has('add.PeersPending')).toBe(false)
    expect(trivial.has('Exception')).toBe(false)
    const guarded = pubsubHostMachine.provide({}) as typeof pubsubHostMachine
    const root = guarded.root as unknown as { on: Record<string, Array<{ guard?: unknown }>> }
    root.on.IncomingRPC![0]!.guard = 'someGuard'
    expect(trivialMultiEvents(guarded).has('IncomingRPC')).toBe(false)
  })

  it('without a recorder, every operation is still counted as an event of the actor', async () => {
    hosts = await createHosts(2, (init) => machinePubsub(init))
    const [a, b] = hosts as [Host, Host]
    const handle = pubsubHostOf(a.services.pubsub)!
    a.services.pubsub.subscribe('t')
    b.services.pubsub.subscribe('t')
    await a.dial(b.getMultiaddrs()[0]!)
    await subscribedBy(a, b, 't')
    // counted synchronously, before any network event can slip in
    const before = handle.events()
    a.services.pubsub.getTopics()
    const published = a.services.pubsub.publish('t', enc('x'))
    expect(handle.events() - before).toBe(2)
    await published
    expect(handle.actor.getSnapshot().status).toBe('active')
  })

  it('relays count per topic and do not add subscriptions', async () => {
    hosts = await createHosts(1, (init) => machinePubsub(init))
    const ps = hosts[0]!.services.pubsub
    const handle = pubsubHostOf(ps)!
    const before = handle.events()
    handle.addRelay('r')
    handle.addRelay('r')
    handle.removeRelay('r')
    handle.removeRelay('r')
    expect(ps.getTopics()).toEqual([])
    expect(handle.events() - before).toBe(5)
  })
})
