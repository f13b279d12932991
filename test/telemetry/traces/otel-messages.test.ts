import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createHost, type Host } from '../../../src/net/host.js'
import { stopHosts } from '../../../src/net/stop-hosts.js'
import { machinePubsub } from '../../../src/pubsub/machine.js'
import { Recorder } from '../../../src/telemetry/recorder.js'
import { createTraceSink, formatTraceReport, type HostTracer } from '../../../src/telemetry/traces/otel.js'
import { readSpanFile, type SpanLine } from '../../../src/telemetry/traces/otel-file.js'
import { MessageTraces } from '../../../src/telemetry/traces/otel-messages.js'
import { runPsm } from '../../helpers/cli.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'psm-otel-msg-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

const TOPIC = 't-msg'
const HOSTS = 10

interface Target {
  addEventListener(type: string, fn: (ev: Event) => void): void
  removeEventListener(type: string, fn: (ev: Event) => void): void
}

/** Resolves once the host's mesh on TOPIC holds `n` peers (checked on every graft; the test timeout bounds it). */
function meshed(ps: Host['services']['pubsub'], n: number): Promise<void> {
  const mesh = ps as unknown as { getMeshPeers(topic: string): string[] }
  return new Promise((resolve) => {
    const check = () => {
      if (mesh.getMeshPeers(TOPIC).length < n) return
      ;(ps as unknown as Target).removeEventListener('gossipsub:graft', check)
      resolve()
    }
    ;(ps as unknown as Target).addEventListener('gossipsub:graft', check)
    check()
  })
}

describe('one trace per message (PS_TRACING_HOST=1, file exporter)', () => {
  test('10 hosts in a ring: each message is one trace, a publish root and a receive span per receipt', async () => {
    const file = join(dir, 'messages.jsonl')
    const sink = await createTraceSink({ exporter: 'file', file, level: 1, hostLevel: 1 })
    const rec = new Recorder({ source: 'otel messages test' })
    sink.attach(rec)
    const hosts: Host[] = []
    const tracers: HostTracer[] = []
    for (let i = 0; i < HOSTS; i++) {
      const id = `ps-${i}`
      const ht = sink.hostTracer({ host: id })
      const host = await createHost({
        heartbeatMs: 100,
        pubsub: (init) => machinePubsub({ ...init, id, recorder: rec, ...ht.gossipsubOptions(null) }),
      })
      ht.observe(host.services.pubsub, host, host.peerId.toString())
      hosts.push(host)
      tracers.push(ht)
    }
    const names = new Map(hosts.map((h, i) => [h.peerId.toString(), `ps-${i}`]))
    // a ring: a message from ps-0 needs up to five hops
    for (const ps of hosts.map((h) => h.services.pubsub)) ps.subscribe(TOPIC)
    const ready = hosts.map((h) => meshed(h.services.pubsub, 2))
    for (let i = 0; i < HOSTS; i++) await hosts[i]!.dial(hosts[(i + 1) % HOSTS]!.getMultiaddrs()[0]!)
    await Promise.all(ready)

    // receipts as gossipsub reports them: msgId → host → from
    const receipts = new Map<string, Map<string, string>>()
    let total = 0
    let wake: () => void = () => {}
    hosts.forEach((h, i) => {
      ;(h.services.pubsub as unknown as Target).addEventListener('gossipsub:message', (ev) => {
        const d = (ev as CustomEvent<{ msgId: string; propagationSource: unknown }>).detail
        const m = receipts.get(d.msgId) ?? new Map<string, string>()
        receipts.set(d.msgId, m)
        m.set(`ps-${i}`, names.get(String(d.propagationSource))!)
        total++
        wake()
      })
    })
    const publishers = [0, 3, 7, 0, 5]
    for (const [k, p] of publishers.entries()) {
      await hosts[p]!.services.pubsub.publish(TOPIC, new TextEncoder().encode(`message ${k}`))
    }
    await new Promise<void>((resolve) => {
      wake = () => {
        if (total >= publishers.length * (HOSTS - 1)) resolve()
      }
      wake()
    })
    for (const t of tracers) t.end()
    await stopHosts(hosts, 5_000)
    await rec.close()
    const report = await sink.shutdown()
    expect(report.dropped).toBe(0)
    expect(report.messages).toMatchObject({ messages: 5, receipts: 45, evicted: 0, orphaned: 0 })
    expect(formatTraceReport(report)).toMatch(/5 message traces, 45 receipts/)

    const spans = readSpanFile(file)
    expect(spans).toHaveLength(report.exported)
    const roots = spans.filter((s) => s.name === `publish ${TOPIC}`)
    expect(roots).toHaveLength(publishers.length)
    expect(receipts.size).toBe(publishers.length)
    for (const root of roots) {
      expect(root.parentSpanId).toBeUndefined()
      const msgId = String(root.attributes.msgId)
      const inTrace = spans.filter((s) => s.traceId === root.traceId)
      // the message's trace holds its publish and one receive per receipt, nothing else
      const receives = inTrace.filter((s) => s.name.startsWith('receive '))
      expect(inTrace).toHaveLength(1 + receives.length)
      const got = receipts.get(msgId)!
      expect(got.size).toBe(HOSTS - 1)
      expect(new Set(receives.map((s) => s.attributes.host))).toEqual(new Set(got.keys()))
      expect(receives).toHaveLength(HOSTS - 1)
      // no receipt of this message outside its trace
      expect(spans.filter((s) => s.attributes.msgId === msgId && s.traceId !== root.traceId)).toEqual([])
      const byId = new Map<string, SpanLine>(inTrace.map((s) => [s.spanId, s]))
      for (const r of receives) {
        const host = String(r.attributes.host)
        expect(r.name).toBe(`receive ${host}`)
        // from-peer as the psm name, as gossipsub reported it, and the parent is that peer's span
        expect(r.attributes.from).toBe(got.get(host))
        expect(r.attributes['from.peer.id']).toMatch(/^12D3KooW/)
        const parent = byId.get(r.parentSpanId!)!
        expect(parent, host).toBeDefined()
        expect(parent.attributes.host).toBe(r.attributes.from)
        expect(r.attributes.hop).toBe(parent === root ? 1 : Number(parent.attributes.hop) + 1)
        expect(r.start).toBeGreaterThanOrEqual(parent.start)
        expect(r.end).toBeGreaterThanOrEqual(r.start)
        expect(Number(r.attributes.since_publish_ms)).toBeGreaterThanOrEqual(0)
        // linked to the host's pubsub span, and (past the first hop) to the publish
        const kinds = (r.links ?? []).map((l) => l.attributes?.['link.kind'])
        expect(kinds).toContain('host')
        if (parent !== root) {
          expect(r.links!.find((l) => l.attributes?.['link.kind'] === 'publish')!.spanId).toBe(root.spanId)
        }
      }
      // in a ring of ten the farthest host is five hops away
      expect(Math.max(...receives.map((r) => Number(r.attributes.hop)))).toBeGreaterThanOrEqual(3)
    }
    // traces stay small: a trace per host machine's lifetime (its pubsub span inside) and one per message
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(HOSTS + publishers.length)
    for (const p of spans.filter((s) => s.name === 'pubsub')) {
      const machine = spans.find((s) => s.name === p.attributes.host && s.attributes['machine.type'] === 'pubsub-host')!
      expect(p.traceId).toBe(machine.traceId)
    }
  })
})

describe('psm scenario simple-discovery --trace file', () => {
  test('10 hosts, 5 messages: five traces, each a publish and nine receipts, one per other host', async () => {
    const file = join(dir, 'scenario.jsonl')
    const res = await runPsm(
      ['scenario', 'simple-discovery', '--hosts', '10', '--msgs', '4', '--trace', 'file', '--trace-file', file],
      { timeoutMs: 120_000 },
    )
    expect(res.code, res.stderr).toBe(0)
    expect(res.stderr).toMatch(/traces: (\d+)\/\1 spans sent to file .*none dropped; 5 message traces, 45 receipts/)
    const spans = readSpanFile(file)
    const roots = spans.filter((s) => s.name === 'publish foobar')
    expect(roots).toHaveLength(5)
    for (const root of roots) {
      const receives = spans.filter((s) => s.traceId === root.traceId && s.name.startsWith('receive '))
      const hosts = new Set(receives.map((r) => r.attributes.host))
      expect(receives).toHaveLength(9)
      expect(hosts.size).toBe(9)
      expect(hosts.has(root.attributes.host!)).toBe(false)
      for (const r of receives) expect(r.attributes.from).toMatch(/^ps-\d$/)
    }
    // machine spans too (PS_TRACING_AM defaults to 1), each host machine its own trace
    expect(spans.filter((s) => s.attributes['machine.type'] === 'pubsub-host' && !s.parentSpanId)).toHaveLength(10)
    const bad = await runPsm(['scenario', 'simple-discovery', '--trace', 'zipkin'])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toBe("psm scenario: --trace: 'zipkin' is not one of otlp, jaeger, file, off")
  }, 150_000)
})

describe('MessageTraces', () => {
  function setup(max = 4) {
    const exporter = new InMemorySpanExporter()
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
    const m = new MessageTraces(provider.getTracer('t'), max)
    const spans = () => exporter.getFinishedSpans()
    return { m, spans }
  }
  const r = (msgId: string, host: string, from: string, time: number) => ({
    msgId,
    host,
    from,
    fromPeerId: `id-${from}`,
    topic: 't',
    time,
    hostLink: undefined,
  })

  test('a receipt seen before its sender waits, then joins the tree in time order', () => {
    const { m, spans } = setup()
    const end = m.publish('a', 'm1', 't', 100)
    // c got it from b before b's own receipt was seen
    m.receive(r('m1', 'c', 'b', 130))
    expect(spans()).toHaveLength(0)
    m.receive(r('m1', 'b', 'a', 110))
    end(105)
    const byName = new Map(spans().map((s) => [s.name, s]))
    const b = byName.get('receive b')!
    const c = byName.get('receive c')!
    expect(b.parentSpanContext?.spanId).toBe(byName.get('publish t')!.spanContext().spanId)
    expect(c.parentSpanContext?.spanId).toBe(b.spanContext().spanId)
    expect(c.attributes).toMatchObject({ hop: 2, since_publish_ms: 30, hop_ms: 20, from: 'b' })
    // a second receipt on a host is not a new span
    m.receive(r('m1', 'c', 'a', 140))
    expect(spans().filter((s) => s.name === 'receive c')).toHaveLength(1)
  })

  test('bounded: the oldest message leaves first; its unpublished receipts get a made-up root; late ones are counted', () => {
    const { m, spans } = setup(2)
    m.receive(r('x', 'b', 'a', 1))
    m.publish('a', 'y', 't', 2)(2)
    m.publish('a', 'z', 't', 3)(3) // evicts x
    expect(m.stats).toMatchObject({ evicted: 1, orphaned: 1, messages: 3 })
    const orphan = spans().find((s) => s.name === 'receive b')!
    const root = spans().find((s) => s.name === 'message')!
    expect(orphan.spanContext().traceId).toBe(root.spanContext().traceId)
    expect(root.attributes['publish.seen']).toBe(false)
    m.receive(r('x', 'c', 'b', 5))
    expect(m.stats.late).toBe(1)
    m.endAll()
    expect(m.stats.orphaned).toBe(2)
  })
})
