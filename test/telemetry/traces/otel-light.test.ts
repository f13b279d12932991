import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { describe, expect, test } from 'vitest'
import { LightTracer, newSpanId, newTraceId, toHrTime } from '../../../src/telemetry/traces/otel-light.js'

/** A processor that keeps what ended (the batch processor's place). */
function keeper(): SpanProcessor & { ended: ReadableSpan[] } {
  const ended: ReadableSpan[] = []
  return {
    ended,
    onStart: () => {},
    onEnd: (s) => ended.push(s),
    forceFlush: async () => {},
    shutdown: async () => {},
  }
}

/** record times are epoch ms (small numbers would read as performance.now()) */
const S = 1_796_000_000
const T = S * 1000

describe('LightTracer', () => {
  test('ids are lowercase hex of the right length, valid and distinct', () => {
    const spans = new Set(Array.from({ length: 1000 }, newSpanId))
    const traces = new Set(Array.from({ length: 1000 }, newTraceId))
    expect(spans.size).toBe(1000)
    expect(traces.size).toBe(1000)
    for (const id of spans) expect(id).toMatch(/^[0-9a-f]{16}$/)
    for (const id of traces) expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect(trace.isSpanContextValid({ traceId: newTraceId(), spanId: newSpanId(), traceFlags: 1 })).toBe(true)
  })

  test('epoch ms become HrTime exactly; Date and HrTime are taken as they are', () => {
    expect(toHrTime(1_796_000_000_123.5)).toEqual([1_796_000_000, 123_500_000])
    expect(toHrTime(new Date(1_796_000_000_250))).toEqual([1_796_000_000, 250_000_000])
    expect(toHrTime([5, 6])).toEqual([5, 6])
  })

  test('a child shares its parent trace; root starts a new one; the processor gets the span when it ends', () => {
    const p = keeper()
    const resource = resourceFromAttributes({ 'service.name': 'light' })
    const tracer = new LightTracer(resource, p)
    const machine = tracer.startSpan('m', { startTime: T + 1000, attributes: { 'machine.id': 'm', gone: undefined } })
    const ctx = trace.setSpan(ROOT_CONTEXT, machine)
    const state = tracer.startSpan('S', { startTime: T + 1500, attributes: { state: 'S', seq: 3 } }, ctx)
    const other = tracer.startSpan(
      'n',
      { root: true, startTime: T + 1600, links: [{ context: machine.spanContext(), attributes: { k: 'v' } }] },
      ctx,
    )
    expect(p.ended).toHaveLength(0)
    state.addEvent('log', { text: 'hi' }, T + 1700)
    state.setAttribute('late', true)
    state.setStatus({ code: SpanStatusCode.ERROR, message: 'bad' })
    state.end(T + 1800)
    other.end(T + 1500) // before its start: clamped to it
    machine.end(T + 2000)
    state.end(T + 9999) // a second end changes nothing
    expect(p.ended.map((s) => s.name)).toEqual(['S', 'n', 'm'])
    const [s, n, m] = p.ended as [ReadableSpan, ReadableSpan, ReadableSpan]
    expect(s.spanContext().traceId).toBe(m.spanContext().traceId)
    expect(s.parentSpanContext?.spanId).toBe(m.spanContext().spanId)
    expect(n.spanContext().traceId).not.toBe(m.spanContext().traceId)
    expect(n.parentSpanContext).toBeUndefined()
    expect(n.links).toEqual([{ context: m.spanContext(), attributes: { k: 'v' } }])
    expect(m.attributes).toEqual({ 'machine.id': 'm' })
    expect(s.attributes).toEqual({ state: 'S', seq: 3, late: true })
    expect(s.startTime).toEqual([S + 1, 500_000_000])
    expect(s.endTime).toEqual([S + 1, 800_000_000])
    expect(s.duration).toEqual([0, 300_000_000])
    expect(s.events).toEqual([
      { name: 'log', attributes: { text: 'hi' }, time: [S + 1, 700_000_000], droppedAttributesCount: 0 },
    ])
    expect(s.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad' })
    expect(n.endTime).toEqual(n.startTime)
    expect(m.resource).toBe(resource)
    expect(m.instrumentationScope.name).toBe('psm')
    expect(m.spanContext().traceFlags & 1).toBe(1)
    expect(s.ended).toBe(true)
  })
})
