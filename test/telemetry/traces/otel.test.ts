import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createTraceSink, formatTraceReport, type TraceSinkOptions } from '../../../src/telemetry/traces/otel.js'
import { jaegerEndpoint, otlpTracesUrl } from '../../../src/telemetry/traces/otel-exporters.js'
import { readSpanFile } from '../../../src/telemetry/traces/otel-file.js'
import { type ReceivedSpan, type Receiver, startReceiver } from './otel-receiver.js'
import { runTree, TREE } from './otel-tree.js'

let rx: Receiver
let dir: string

beforeAll(async () => {
  rx = await startReceiver()
  dir = mkdtempSync(join(tmpdir(), 'psm-otel-'))
})
afterAll(async () => {
  await rx.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs the machine tree into a sink exporting over OTLP to the receiver; returns the spans of this run. */
async function traced(opts: Omit<TraceSinkOptions, 'exporter' | 'endpoint'>) {
  const before = rx.spans.length
  const requests = rx.requests.length
  const sink = await createTraceSink({ exporter: 'otlp', endpoint: rx.url, serviceName: 'psm-test', ...opts })
  await runTree((rec) => sink.attach(rec))
  const report = await sink.shutdown()
  return { spans: rx.spans.slice(before), report, requests: rx.requests.length - requests, sink }
}

function byName(spans: ReceivedSpan[], name: string, machine?: string): ReceivedSpan[] {
  return spans.filter((s) => s.name === name && (machine === undefined || s.attributes['machine.id'] === machine))
}

function one(spans: ReceivedSpan[], name: string, machine?: string): ReceivedSpan {
  const found = byName(spans, name, machine)
  expect(found, `${name} of ${machine ?? 'any machine'}`).toHaveLength(1)
  return found[0]!
}

function machineSpans(spans: ReceivedSpan[]): Map<string, ReceivedSpan> {
  return new Map(TREE.map((m) => [m.id, one(spans, m.id)]))
}

describe('trace sink over OTLP/HTTP', () => {
  test('level 1: a trace per machine lifetime linked to its parent machine, a span per state activation, no transitions', async () => {
    const { spans, report } = await traced({ level: 1 })
    expect(spans.length).toBeGreaterThan(10)
    expect(report).toMatchObject({ dropped: 0, exported: spans.length, ended: spans.length })
    // one trace per machine: a sim is not one trace id
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(TREE.length)
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['psm-test']))

    const machines = machineSpans(spans)
    for (const m of TREE) {
      const span = machines.get(m.id)!
      expect(span.attributes['machine.id']).toBe(m.id)
      expect(span.parentSpanId, m.id).toBeUndefined()
      if (m.parent === null) {
        expect(span.links).toEqual([])
        continue
      }
      // nesting stays discoverable: a link and attributes naming the parent and its trace...
      const parent = machines.get(m.parent)!
      expect(span.traceId).not.toBe(parent.traceId)
      expect(span.attributes).toMatchObject({
        'machine.parent': m.parent,
        'machine.parent.trace_id': parent.traceId,
        'machine.parent.span_id': parent.spanId,
      })
      expect(span.links).toEqual([
        {
          traceId: parent.traceId,
          spanId: parent.spanId,
          attributes: { 'link.kind': 'parent machine', 'machine.id': m.parent },
        },
      ])
      // ...and every span of a machine is in its trace
      for (const s of spans.filter((x) => x.attributes['machine.id'] === m.id)) expect(s.traceId).toBe(span.traceId)
    }
    expect(machines.get('sim-p0')!.attributes['machine.type']).toBe('sim-peer')

    // state spans sit under their machine's span, within its lifetime
    const peer = machines.get('sim-p0')!
    for (const state of ['Start', 'GenIdentity', 'IdentityReady', 'Connecting', 'Connected', 'Ready']) {
      const s = one(spans, state, 'sim-p0')
      expect(s.parentSpanId).toBe(peer.spanId)
      expect(s.startMs).toBeGreaterThanOrEqual(peer.startMs)
      expect(s.endMs).toBeLessThanOrEqual(peer.endMs)
    }
    // GenIdentity ended when IdentityReady began
    expect(one(spans, 'GenIdentity', 'sim-p0').endMs).toBeLessThanOrEqual(one(spans, 'IdentityReady', 'sim-p0').startMs)
    // Multi fires are short spans carrying their topic
    const publish = one(spans, 'PublishMessage', 'ps-0')
    expect(publish.parentSpanId).toBe(machines.get('ps-0')!.spanId)
    expect(publish.attributes).toMatchObject({ multi: true, topic: 't1' })
    expect(one(spans, 'JoiningTopic', 'sim-p0').attributes.topic).toBe('t1')
    expect(one(spans, 'DiscoveringTopic', 'ps-0-disc').attributes.topic).toBe('t1')
    // a state that came and went, and the bootstrap flow's path to its end
    expect(one(spans, 'PeersPending', 'ps-0').endMs).toBeLessThanOrEqual(machines.get('ps-0')!.endMs)
    one(spans, 'BootstrapChecking', 'ps-0-disc-bf-t1')
    one(spans, 'TopicBootstrapped', 'ps-0-disc-bf-t1')
    one(spans, 'PoolTimer', 'ps-0-disc')
    expect(spans.filter((s) => s.name.startsWith('tx '))).toEqual([])
  })

  test('level 2: also a span per transition with event, accepted, states, seq and the args that matter', async () => {
    const { spans, report } = await traced({ level: 2 })
    expect(report.dropped).toBe(0)
    const machines = machineSpans(spans)
    const txs = spans.filter((s) => s.name.startsWith('tx '))
    expect(txs.length).toBeGreaterThan(10)
    for (const tx of txs) {
      const m = machines.get(String(tx.attributes['machine.id']))
      expect(m, tx.name).toBeDefined()
      expect(tx.parentSpanId).toBe(m!.spanId)
      expect(typeof tx.attributes.seq).toBe('number')
      expect(typeof tx.attributes.accepted).toBe('boolean')
      expect(Array.isArray(tx.attributes['states.added'])).toBe(true)
      expect(Array.isArray(tx.attributes['states.removed'])).toBe(true)
    }
    const publish = one(txs, 'tx PublishMessage', 'ps-0')
    expect(publish.attributes).toMatchObject({
      event: 'PublishMessage',
      accepted: true,
      seq: 3,
      topic: 't1',
      msgId: 'm1',
      'states.added': [],
      'states.removed': [],
    })
    expect(publish.attributes.bytes).toBeUndefined()
    expect(one(txs, 'tx add.PeersPending', 'ps-0').attributes).toMatchObject({
      peer: 'QmPeer1',
      'states.added': ['PeersPending'],
    })
    expect(one(txs, 'tx remove.PeersPending', 'ps-0').attributes['states.removed']).toEqual(['PeersPending'])
    // the unstarted simulator refused AddPeer
    expect(one(txs, 'tx add.AddPeer', 'sim').attributes).toMatchObject({ accepted: false, 'states.added': [] })
    const start = one(txs, 'tx add.Start', 'sim-p0')
    expect(start.attributes.accepted).toBe(true)
    expect(start.attributes['states.added']).toContain('Start')
    // states still exist at level 2
    one(spans, 'Connected', 'sim-p0')
  })

  test('a machine living past the window puts later transitions in a trace per window, linked to its lifetime', async () => {
    // every record of the tree lands within a few ms: a 1 ms window cuts it into several
    const { spans, report } = await traced({ level: 2, windowMs: 1 })
    expect(report.dropped).toBe(0)
    const machines = machineSpans(spans)
    const windows = spans.filter((s) => / window \d+$/.test(s.name))
    expect(windows.length).toBeGreaterThan(0)
    for (const w of windows) {
      const m = machines.get(String(w.attributes['machine.id']))!
      expect(w.parentSpanId).toBeUndefined()
      expect(w.traceId).not.toBe(m.traceId)
      expect(w.attributes['machine.trace_id']).toBe(m.traceId)
      expect(w.links[0]).toMatchObject({ traceId: m.traceId, spanId: m.spanId })
      expect(w.startMs).toBeGreaterThanOrEqual(m.startMs)
    }
    // transitions sit under their machine's span or one of its windows; states stay with the machine
    const windowIds = new Map(windows.map((w) => [w.spanId, String(w.attributes['machine.id'])]))
    for (const tx of spans.filter((s) => s.name.startsWith('tx '))) {
      const id = String(tx.attributes['machine.id'])
      expect(tx.parentSpanId === machines.get(id)!.spanId || windowIds.get(tx.parentSpanId!) === id).toBe(true)
    }
    expect(one(spans, 'Connected', 'sim-p0').parentSpanId).toBe(machines.get('sim-p0')!.spanId)
    // with the default window (60 s) the same tree has none
    const plain = await traced({ level: 2 })
    expect(plain.spans.filter((s) => / window \d+$/.test(s.name))).toEqual([])
  })

  test('level 0 sends nothing', async () => {
    const { spans, requests, report, sink } = await traced({ level: 0 })
    expect(sink.enabled).toBe(false)
    expect(spans).toEqual([])
    expect(requests).toBe(0)
    expect(formatTraceReport(report)).toBe('traces: off')
  })

  test('exporter off sends nothing', async () => {
    const sink = await createTraceSink({ exporter: 'off', level: 2, hostLevel: 1 })
    expect(sink.enabled).toBe(false)
  })

  test('a queue too small for the run drops spans and the report counts them', async () => {
    const { spans, report } = await traced({ level: 2, batch: { maxQueueSize: 4, maxExportBatchSize: 4 } })
    expect(report.dropped).toBeGreaterThan(0)
    expect(report.exported).toBe(spans.length)
    expect(report.ended).toBe(report.exported + report.dropped)
    expect(formatTraceReport(report)).toMatch(/DROPPED/)
  })

  test('an unreachable collector never throws into the machines; every span is reported lost', async () => {
    const sink = await createTraceSink({
      exporter: 'otlp',
      endpoint: 'http://127.0.0.1:1',
      level: 2,
      shutdownTimeoutMs: 1_000,
    })
    await runTree((rec) => sink.attach(rec))
    const report = await sink.shutdown()
    expect(report.ended).toBeGreaterThan(10)
    expect(report.exported).toBe(0)
    expect(report.dropped).toBe(report.ended)
    expect(formatTraceReport(report)).toMatch(/DROPPED/)
  })
})

describe('file and jaeger exporters', () => {
  test('file: JSON lines that load back into the same tree', async () => {
    const file = join(dir, 'spans.jsonl')
    const sink = await createTraceSink({ exporter: 'file', file, level: 2 })
    await runTree((rec) => sink.attach(rec))
    const report = await sink.shutdown()
    const spans = readSpanFile(file)
    expect(spans).toHaveLength(report.exported)
    expect(report.dropped).toBe(0)
    const byId = new Map(spans.filter((s) => TREE.some((m) => m.id === s.name)).map((s) => [s.name, s]))
    for (const m of TREE) {
      const span = byId.get(m.id)!
      expect(span.parentSpanId).toBeUndefined()
      if (m.parent === null) continue
      const parent = byId.get(m.parent)!
      expect(span.links).toEqual([
        {
          traceId: parent.traceId,
          spanId: parent.spanId,
          attributes: expect.objectContaining({ 'machine.id': m.parent }),
        },
      ])
      // the parent names its child's trace in an event
      expect(parent.events).toContainEqual(
        expect.objectContaining({
          name: 'child machine',
          attributes: expect.objectContaining({ 'machine.id': m.id, trace_id: span.traceId }),
        }),
      )
    }
    const tx = spans.find((s) => s.name === 'tx PublishMessage')!
    expect(tx.attributes).toMatchObject({ topic: 't1', msgId: 'm1', accepted: true })
    expect(tx.service).toBe('psm')
    expect(tx.end).toBeGreaterThanOrEqual(tx.start)
  })

  test('jaeger: Thrift over HTTP to the collector endpoint', async () => {
    const before = rx.requests.length
    const sink = await createTraceSink({
      exporter: 'jaeger',
      endpoint: `${rx.url}/api/traces`,
      level: 1,
      serviceName: 'psm-jaeger-test',
    })
    await runTree((rec) => sink.attach(rec))
    const report = await sink.shutdown()
    const posts = rx.requests.slice(before)
    expect(posts.length).toBeGreaterThan(0)
    expect(posts[0]!.path).toBe('/api/traces')
    expect(posts[0]!.contentType).toMatch(/thrift/)
    const body = Buffer.concat(posts.map((p) => p.body)).toString('latin1')
    expect(body).toContain('psm-jaeger-test')
    expect(body).toContain('ps-0-disc-bf-t1')
    expect(report).toMatchObject({ dropped: 0, target: `${rx.url}/api/traces` })
  })
})

describe('endpoints', () => {
  test('OTLP: flag, then OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, then OTEL_EXPORTER_OTLP_ENDPOINT, then localhost:4318', () => {
    expect(otlpTracesUrl(null, {})).toBe('http://localhost:4318/v1/traces')
    expect(otlpTracesUrl(null, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    )
    expect(
      otlpTracesUrl(null, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
      }),
    ).toBe('http://traces:9999/custom')
    expect(otlpTracesUrl('http://flag:4318', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://env' })).toBe(
      'http://flag:4318/v1/traces',
    )
    expect(otlpTracesUrl('http://flag:4318/v1/traces', {})).toBe('http://flag:4318/v1/traces')
  })

  test('OTLP sink follows OTEL_EXPORTER_OTLP_ENDPOINT when no endpoint is given', async () => {
    const before = rx.spans.length
    const sink = await createTraceSink({ exporter: 'otlp', level: 1, env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url } })
    await runTree((rec) => sink.attach(rec))
    const report = await sink.shutdown()
    expect(report.target).toBe(`${rx.url}/v1/traces`)
    expect(rx.spans.length - before).toBe(report.exported)
    expect(report.exported).toBeGreaterThan(0)
  })

  test('Jaeger: flag, then OTEL_EXPORTER_JAEGER_ENDPOINT, then localhost:14268', () => {
    expect(jaegerEndpoint(null, {})).toBe('http://localhost:14268/api/traces')
    expect(jaegerEndpoint(null, { OTEL_EXPORTER_JAEGER_ENDPOINT: 'http://j:14268/api/traces' })).toBe(
      'http://j:14268/api/traces',
    )
  })
})
