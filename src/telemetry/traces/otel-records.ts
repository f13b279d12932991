// Turns transition records into OpenTelemetry spans: a span per machine for its lifetime; under it a span per
// state activation, open while the state is active (a Multi fire is a short span); at level 2 also a span per
// transition. Span times are the records' times, so a trace shows when things happened, not when the sink saw
// them.
//
// Traces stay readable: each machine's lifetime is a trace of its own (one sim is not one trace id), linked
// to its parent machine's span (a span link, plus `machine.parent*` attributes naming the parent and its
// trace), and the parent's span gets a `child machine` event naming the child's trace. A machine that lives
// longer than the window (default 60 s) puts its later transitions and Multi fires in one trace per window,
// each a `window` span linked to the machine's span; its state spans stay in the lifetime trace.
import {
  type Attributes,
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import type { PsmRecord, TxRecord } from '../records.js'

/** 1: machines and states; 2: also a span per transition. */
export type MachineTraceLevel = 1 | 2

/** Transition args worth a span attribute, and the attribute each becomes. */
export const TRACED_ARGS: Readonly<Record<string, string>> = {
  topic: 'topic',
  peer: 'peer',
  peerId: 'peer',
  msgId: 'msgId',
  error: 'error',
}

/** A machine's transitions go to a new trace every this many ms of its life (its first window is its own trace). */
export const DEFAULT_TRACE_WINDOW_MS = 60_000

interface MachineSpans {
  span: Span
  ctx: Context
  type: string
  start: number
  multi: ReadonlySet<string>
  states: Map<string, Span>
  /** the open window after the first, if any */
  window: { index: number; span: Span; ctx: Context; end: number } | null
}

export class RecordSpans {
  private readonly machines = new Map<string, MachineSpans>()

  constructor(
    private readonly tracer: Tracer,
    private readonly level: MachineTraceLevel,
    private readonly windowMs: number = DEFAULT_TRACE_WINDOW_MS,
  ) {}

  /** The context to parent other spans (e.g. a host's pubsub span) under a machine's span. */
  contextOf(machine: string): Context | undefined {
    return this.machines.get(machine)?.ctx
  }

  onRecord(r: PsmRecord): void {
    switch (r.kind) {
      case 'machine': {
        const prev = this.machines.get(r.id)
        if (prev) this.stop(r.id, prev, r.time)
        const parent = r.parent !== null ? this.machines.get(r.parent) : undefined
        const attributes: Attributes = { 'machine.id': r.id, 'machine.type': r.type }
        const links: Link[] = []
        if (r.parent !== null) attributes['machine.parent'] = r.parent
        if (parent) {
          const pc = parent.span.spanContext()
          attributes['machine.parent.trace_id'] = pc.traceId
          attributes['machine.parent.span_id'] = pc.spanId
          links.push({ context: pc, attributes: { 'link.kind': 'parent machine', 'machine.id': r.parent! } })
        }
        // a root: each machine lifetime is its own trace
        const span = this.tracer.startSpan(r.id, { startTime: r.time, attributes, links, root: true }, ROOT_CONTEXT)
        if (parent) {
          const c = span.spanContext()
          parent.span.addEvent(
            'child machine',
            { 'machine.id': r.id, 'machine.type': r.type, trace_id: c.traceId, span_id: c.spanId },
            r.time,
          )
        }
        this.machines.set(r.id, {
          span,
          ctx: trace.setSpan(ROOT_CONTEXT, span),
          type: r.type,
          start: r.time,
          multi: new Set(r.schema.states.filter((s) => s.multi).map((s) => s.name)),
          states: new Map(),
          window: null,
        })
        return
      }
      case 'tx': {
        const m = this.machines.get(r.machine)
        if (m) this.onTx(r.machine, m, r)
        return
      }
      case 'snapshot': {
        const m = this.machines.get(r.machine)
        if (!m) return
        // only repairs drift (a sink that joined late); normally the deltas already agree
        const active = new Set(r.active)
        for (const [state, span] of m.states) {
          if (!active.has(state)) {
            span.end(Date.now())
            m.states.delete(state)
          }
        }
        for (const state of active) if (!m.states.has(state)) this.openState(r.machine, m, state, Date.now(), r.seq)
        return
      }
      case 'log': {
        this.machines.get(r.machine)?.span.addEvent('log', { level: r.level, text: r.text, seq: r.seq })
        return
      }
      case 'stop': {
        const m = this.machines.get(r.machine)
        if (m) this.stop(r.machine, m, r.time)
        return
      }
      default:
    }
  }

  /** Ends every open span (at shutdown), children before parents. */
  endAll(time: number = Date.now()): void {
    for (const [id, m] of [...this.machines].reverse()) this.stop(id, m, time)
  }

  /** The context a transition or Multi fire at `time` goes under: the machine's span, or its window's. */
  private windowCtx(id: string, m: MachineSpans, time: number): Context {
    if (!(this.windowMs > 0)) return m.ctx
    const index = Math.max(0, Math.floor((time - m.start) / this.windowMs))
    if (index === 0) return m.ctx
    if (m.window?.index === index) return m.window.ctx
    if (m.window) m.window.span.end(m.window.end)
    const start = m.start + index * this.windowMs
    const mc = m.span.spanContext()
    const span = this.tracer.startSpan(
      `${id} window ${index}`,
      {
        startTime: start,
        root: true,
        attributes: {
          'machine.id': id,
          'machine.type': m.type,
          'machine.trace_id': mc.traceId,
          'machine.span_id': mc.spanId,
          window: index,
          'window.ms': this.windowMs,
        },
        links: [{ context: mc, attributes: { 'link.kind': 'machine lifetime', 'machine.id': id } }],
      },
      ROOT_CONTEXT,
    )
    m.span.addEvent('window', { window: index, trace_id: span.spanContext().traceId }, start)
    m.window = { index, span, ctx: trace.setSpan(ROOT_CONTEXT, span), end: start + this.windowMs }
    return m.window.ctx
  }

  private onTx(id: string, m: MachineSpans, r: TxRecord): void {
    const start = r.time - r.durationUs / 1000
    const under = this.level >= 2 || r.accepted ? this.windowCtx(id, m, r.time) : m.ctx
    if (this.level >= 2) {
      const attributes: Attributes = {
        'machine.id': id,
        event: r.event,
        accepted: r.accepted,
        'states.added': r.added,
        'states.removed': r.removed,
        seq: r.seq,
      }
      if (r.args) {
        for (const [k, v] of Object.entries(r.args)) {
          const attr = TRACED_ARGS[k]
          if (attr !== undefined && v !== null) attributes[attr] = v
        }
      }
      this.tracer.startSpan(`tx ${r.event}`, { startTime: start, attributes }, under).end(r.time)
    }
    for (const state of r.removed) {
      m.states.get(state)?.end(r.time)
      m.states.delete(state)
    }
    for (const state of r.added) this.openState(id, m, state, r.time, r.seq)
    if (r.accepted) {
      for (const state of r.touched) {
        if (!m.multi.has(state) || r.added.includes(state)) continue
        const attributes: Attributes = { 'machine.id': id, state, multi: true, seq: r.seq }
        const topic = r.args?.topic
        if (typeof topic === 'string') attributes.topic = topic
        this.tracer.startSpan(state, { startTime: start, attributes }, under).end(r.time)
      }
    }
  }

  private openState(id: string, m: MachineSpans, state: string, time: number, seq: number): void {
    m.states.get(state)?.end(time)
    const span = this.tracer.startSpan(state, { startTime: time, attributes: { 'machine.id': id, state, seq } }, m.ctx)
    m.states.set(state, span)
  }

  private stop(id: string, m: MachineSpans, time: number): void {
    for (const span of m.states.values()) span.end(time)
    m.states.clear()
    if (m.window) m.window.span.end(Math.min(time, m.window.end))
    m.window = null
    m.span.end(time)
    this.machines.delete(id)
  }
}
