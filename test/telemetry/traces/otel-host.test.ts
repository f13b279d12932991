import { TopicValidatorResult } from '@libp2p/gossipsub'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createHost, type Host } from '../../../src/net/host.js'
import { machinePubsub } from '../../../src/pubsub/machine.js'
import { createRunMetrics } from '../../../src/telemetry/metrics/metrics.js'
import { Recorder } from '../../../src/telemetry/recorder.js'
import { createTraceSink, type HostTracer } from '../../../src/telemetry/traces/otel.js'
import { type ReceivedSpan, type Receiver, startReceiver } from './otel-receiver.js'

let rx: Receiver
beforeAll(async () => {
  rx = await startReceiver()
})
afterAll(async () => {
  await rx.close()
})

const enc = (s: string) => new TextEncoder().encode(s)

interface Target {
  addEventListener(type: string, fn: (ev: Event) => void): void
  removeEventListener(type: string, fn: (ev: Event) => void): void
}

/** Resolves after `n` events of `type` on any of `targets` (event-driven; the test timeout bounds it). */
function events(targets: Target[], type: string, n: number, pred: (ev: Event) => boolean = () => true): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0
    const on = (ev: Event) => {
      if (!pred(ev) || ++seen < n) return
      for (const t of targets) t.removeEventListener(type, on)
      resolve()
    }
    for (const t of targets) t.addEventListener(type, on)
  })
}

describe('host-level gossipsub spans (PS_TRACING_HOST=1)', () => {
  test('graft, prune, duplicate, reject, add/remove peer under a per-host pubsub span', async () => {
    const before = rx.spans.length
    const sink = await createTraceSink({ exporter: 'otlp', endpoint: rx.url, level: 1, hostLevel: 1 })
    const metrics = createRunMetrics({ processMetrics: false })
    const rec = new Recorder({ source: 'otel host test' })
    sink.attach(rec)
    metrics.attach(rec)

    const hosts: Host[] = []
    const tracers: HostTracer[] = []
    let rejected: () => void = () => {}
    const reject = new Promise<void>((resolve) => {
      rejected = resolve
    })
    for (let i = 0; i < 3; i++) {
      const id = `ps-${i}`
      const ht = sink.hostTracer({ host: id })
      // host 2 traces without metrics: the tracer brings its own (null) register
      const gm = i < 2 ? metrics.gossipsub.forHost(id) : null
      const host = await createHost({
        heartbeatMs: 100,
        pubsub: (init) => machinePubsub({ ...init, id, recorder: rec, ...ht.gossipsubOptions(gm) }),
      })
      ht.observe(host.services.pubsub, host, host.peerId.toString())
      hosts.push(host)
      tracers.push(ht)
    }
    const [h0, h1, h2] = hosts as [Host, Host, Host]
    // h1 rejects what says "bad"
    h1.services.pubsub.topicValidators.set('t1', (_peer, msg) => {
      const bad = new TextDecoder().decode(msg.data) === 'bad'
      if (bad) rejected()
      return bad ? TopicValidatorResult.Reject : TopicValidatorResult.Accept
    })
    const pubsubs = hosts.map((h) => h.services.pubsub)
    // every host grafts both others
    const grafted = events(pubsubs, 'gossipsub:graft', 6)
    for (const ps of pubsubs) ps.subscribe('t1')
    await h0.dial(h1.getMultiaddrs()[0]!)
    await h0.dial(h2.getMultiaddrs()[0]!)
    await h1.dial(h2.getMultiaddrs()[0]!)
    await grafted
    const delivered = events(pubsubs, 'gossipsub:message', 2)
    await h0.services.pubsub.publish('t1', enc('hello'))
    await delivered
    await h0.services.pubsub.publish('t1', enc('bad'))
    await reject
    // leaving prunes: h2 tells the others
    const pruned = events([pubsubs[0]!, pubsubs[1]!], 'gossipsub:prune', 1)
    h2.services.pubsub.unsubscribe('t1')
    await pruned
    const gone = events([h0 as unknown as Target], 'peer:disconnect', 1)
    await h2.stop()
    await gone
    for (const t of tracers) t.end()
    await Promise.all([h0.stop(), h1.stop()])
    await rec.close()
    const report = await sink.shutdown()
    metrics.close()

    const spans = rx.spans.slice(before)
    expect(report.dropped).toBe(0)
    const hostSpans = spans.filter((s) => s.name === 'pubsub')
    expect(hostSpans).toHaveLength(3)
    const peerOf = new Map(hosts.map((h, i) => [`ps-${i}`, h.peerId.toString()]))
    for (const p of hostSpans) {
      const host = String(p.attributes.host)
      expect(p.attributes['peer.id']).toBe(peerOf.get(host))
      // nested under the host's machine span
      const machine = spans.find((s) => s.name === host && s.attributes['machine.type'] === 'pubsub-host')
      expect(machine, host).toBeDefined()
      expect(p.parentSpanId).toBe(machine!.spanId)
    }
    const under = (host: string, name: string): ReceivedSpan[] => {
      const parent = hostSpans.find((p) => p.attributes.host === host)!
      return spans.filter((s) => s.name === name && s.parentSpanId === parent.spanId)
    }
    const grafts = under('ps-0', 'graft')
    expect(grafts.length).toBeGreaterThanOrEqual(2)
    for (const g of grafts) {
      expect(g.attributes.topic).toBe('t1')
      // peers by their psm name, the raw id beside
      expect(['ps-1', 'ps-2']).toContain(g.attributes.peer)
      expect(g.attributes['peer.id']).toBe(peerOf.get(String(g.attributes.peer)))
      expect(g.attributes.host).toBe('ps-0')
    }
    // deliveries are receive spans in the message's own trace, rooted at ps-0's publish
    const publish = spans.find((s) => s.name === 'publish t1' && s.attributes.host === 'ps-0')!
    expect(publish.parentSpanId).toBeUndefined()
    const deliveries = spans.filter((s) => s.traceId === publish.traceId && s.name.startsWith('receive '))
    expect(new Set(deliveries.map((d) => d.attributes.host))).toEqual(new Set(['ps-1', 'ps-2']))
    for (const d of deliveries) {
      expect(d.attributes).toMatchObject({ topic: 't1', msgId: publish.attributes.msgId })
      expect(['ps-0', 'ps-1', 'ps-2']).toContain(d.attributes.from)
    }
    const rejects = under('ps-1', 'reject')
    expect(rejects.length).toBeGreaterThanOrEqual(1)
    expect(rejects[0]!.attributes).toMatchObject({ topic: 't1', reason: 'reject' })
    // in a full mesh of three, the forwarded copy of "hello" is a duplicate somewhere
    const dups = [...under('ps-0', 'duplicate'), ...under('ps-1', 'duplicate'), ...under('ps-2', 'duplicate')]
    expect(dups.length).toBeGreaterThanOrEqual(1)
    expect(dups[0]!.attributes.topic).toBe('t1')
    expect(under('ps-0', 'prune').concat(under('ps-1', 'prune')).length).toBeGreaterThanOrEqual(1)
    expect(under('ps-0', 'add peer').map((s) => s.attributes.peer)).toEqual(expect.arrayContaining(['ps-1', 'ps-2']))
    expect(under('ps-0', 'remove peer').map((s) => s.attributes['peer.id'])).toContain(peerOf.get('ps-2'))
  })

  test('host level 0: the host tracer is a no-op and hands back the register it was given', async () => {
    const sink = await createTraceSink({ exporter: 'otlp', endpoint: rx.url, level: 1, hostLevel: 0 })
    const metrics = createRunMetrics({ processMetrics: false })
    const gm = metrics.gossipsub.forHost('ps-0')
    const ht = sink.hostTracer({ host: 'ps-0' })
    expect(ht.wrapRegister(gm.metricsRegister)).toBe(gm.metricsRegister)
    expect(ht.gossipsubOptions(gm).metricsRegister).toBe(gm.metricsRegister)
    expect(ht.gossipsubOptions(null)).toEqual({})
    await sink.shutdown()
    metrics.close()
  })
})
