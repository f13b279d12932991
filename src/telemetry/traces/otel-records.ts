// Turns transition records into OpenTelemetry spans: a span per machine for its lifetime, nested under its
// parent machine's span; under it a span per state activation, open while the state is active (a Multi fire
// is a short span); at level 2 also a span per transition. Span times are the records' times, so a trace
// shows when things happened, not when the sink saw them.
import { type Attributes, type Context, ROOT_CONTEXT, type Span, type Tracer, trace } from '@opentelemetry/api'
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

interface MachineSpans {
  span: Span
  ctx: Context
  type: string
  multi: ReadonlySet<string>
  states: Map<string, Span>
}

export class RecordSpans {
  private readonly machines = new Map<string, MachineSpans>()

  constructor(
    private readonly tracer: Tracer,
    private readonly level: MachineTraceLevel,
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
        const parent = r.parent !== null ? this.machines.get(r.parent)?.ctx : undefined
        const attributes: Attributes = { 'machine.id': r.id, 'machine.type': r.type }
        if (r.parent !== null) attributes['machine.parent'] = r.parent
        const span = this.tracer.startSpan(r.id, { startTime: r.time, attributes }, parent ?? ROOT_CONTEXT)
        this.machines.set(r.id, {
          span,
          ctx: trace.setSpan(ROOT_CONTEXT, span),
          type: r.type,
          multi: new Set(r.schema.states.filter((s) => s.multi).map((s) => s.name)),
          states: new Map(),
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

  private onTx(id: string, m: MachineSpans, r: TxRecord): void {
    const start = r.time - r.durationUs / 1000
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
      this.tracer.startSpan(`tx ${r.event}`, { startTime: start, attributes }, m.ctx).end(r.time)
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
        this.tracer.startSpan(state, { startTime: start, attributes }, m.ctx).end(r.time)
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
    m.span.end(time)
    this.machines.delete(id)
  }
}
