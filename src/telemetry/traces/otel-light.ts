// A lean OpenTelemetry tracer for psm's own spans. The SDK's Tracer spends more per span than psm needs:
// a sampler decision, two attribute sanitisations, tracer metrics, a Buffer per id and a performance-clock
// anchor per span; with a span per state activation and Multi fire that was most of what traces cost a sim.
// Every psm span is recorded and sampled, its attributes are already plain values and its times come from
// the records, so this tracer makes a span object that is at once the API's Span (what RecordSpans and the
// host tracers call) and the SDK's ReadableSpan (what the batch processor and the exporters read), and hands
// it to the span processor when it ends. Spans look to exporters exactly as the SDK's would.
import {
  type Span as ApiSpan,
  type Tracer as ApiTracer,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type SpanAttributes,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
  TraceFlags,
  trace,
} from '@opentelemetry/api'
import type { Resource } from '@opentelemetry/resources'
import type { ReadableSpan, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base'

type InstrumentationScope = ReadableSpan['instrumentationScope']

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** 8 random hex digits (32 bits from Math.random, as the SDK's RandomIdGenerator draws them). */
function hex32(): string {
  const x = (Math.random() * 0x1_0000_0000) >>> 0
  return HEX[x >>> 24]! + HEX[(x >>> 16) & 0xff]! + HEX[(x >>> 8) & 0xff]! + HEX[x & 0xff]!
}

/** A span id: 16 hex digits, never all zero (an invalid id). */
export function newSpanId(): string {
  const id = hex32() + hex32()
  return id === '0000000000000000' ? newSpanId() : id
}

/** A trace id: 32 hex digits, never all zero. */
export function newTraceId(): string {
  const id = hex32() + hex32() + hex32() + hex32()
  return id === '00000000000000000000000000000000' ? newTraceId() : id
}

/** Epoch ms (what records carry), a Date, an HrTime or a performance.now() reading → HrTime. */
export function toHrTime(t: TimeInput | undefined): HrTime {
  if (t === undefined) return msToHr(Date.now())
  if (Array.isArray(t)) return [t[0], t[1]]
  if (t instanceof Date) return msToHr(t.getTime())
  // a number below a year's worth of ms is a performance.now() reading, as the SDK reads it
  const ms = t as number
  return msToHr(ms < 3.15e10 ? performance.timeOrigin + ms : ms)
}

function msToHr(ms: number): HrTime {
  const s = Math.floor(ms / 1000)
  return [s, Math.round((ms - s * 1000) * 1e6)]
}

function durationOf(start: HrTime, end: HrTime): HrTime {
  let s = end[0] - start[0]
  let n = end[1] - start[1]
  if (n < 0) {
    s -= 1
    n += 1e9
  }
  return [s, n]
}

/** Keeps the attribute values OTel allows (primitives and arrays of them); drops null and undefined. */
function putAttributes(into: Attributes, from: SpanAttributes | undefined): void {
  if (!from) return
  for (const k in from) {
    const v = from[k]
    if (v !== undefined && v !== null) into[k] = v as AttributeValue
  }
}

const UNSET: SpanStatus = { code: SpanStatusCode.UNSET }

class LightSpan implements ApiSpan, ReadableSpan {
  readonly attributes: Attributes = {}
  readonly links: Link[]
  readonly events: TimedEvent[] = []
  readonly startTime: HrTime
  endTime: HrTime = [0, 0]
  duration: HrTime = [0, 0]
  status: SpanStatus = UNSET
  ended = false
  readonly droppedAttributesCount = 0
  readonly droppedEventsCount = 0
  readonly droppedLinksCount = 0

  constructor(
    public name: string,
    readonly kind: SpanKind,
    private readonly ctx: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    startTime: TimeInput | undefined,
    attributes: SpanAttributes | undefined,
    links: Link[] | undefined,
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
    private readonly processor: SpanProcessor,
  ) {
    this.startTime = toHrTime(startTime)
    putAttributes(this.attributes, attributes)
    this.links = links
      ? links.map((l) => {
          const attrs: Attributes = {}
          putAttributes(attrs, l.attributes)
          return { context: l.context, attributes: attrs }
        })
      : []
  }

  spanContext(): SpanContext {
    return this.ctx
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (!this.ended && value !== undefined && value !== null) this.attributes[key] = value
    return this
  }

  setAttributes(attributes: SpanAttributes): this {
    if (!this.ended) putAttributes(this.attributes, attributes)
    return this
  }

  addEvent(name: string, attributesOrTime?: SpanAttributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this
    let attributes: Attributes | undefined
    let at = time
    if (
      attributesOrTime !== undefined &&
      (typeof attributesOrTime === 'number' || Array.isArray(attributesOrTime) || attributesOrTime instanceof Date)
    ) {
      at = attributesOrTime
    } else if (attributesOrTime) {
      attributes = {}
      putAttributes(attributes, attributesOrTime as SpanAttributes)
    }
    this.events.push({ name, attributes: attributes ?? {}, time: toHrTime(at), droppedAttributesCount: 0 })
    return this
  }

  addLink(link: Link): this {
    if (!this.ended) this.links.push(link)
    return this
  }

  addLinks(links: Link[]): this {
    for (const l of links) this.addLink(l)
    return this
  }

  setStatus(status: SpanStatus): this {
    if (!this.ended) this.status = { ...status }
    return this
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name
    return this
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return
    this.ended = true
    let end = toHrTime(endTime)
    // an end before the start (clock skew between record times) is clamped, as the SDK does
    if (end[0] < this.startTime[0] || (end[0] === this.startTime[0] && end[1] < this.startTime[1])) end = this.startTime
    this.endTime = end
    this.duration = durationOf(this.startTime, end)
    this.processor.onEnd(this)
  }

  isRecording(): boolean {
    return !this.ended
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: SpanAttributes = {}
    if (typeof exception === 'string') attributes['exception.message'] = exception
    else {
      if (exception.name) attributes['exception.type'] = exception.name
      if (exception.message) attributes['exception.message'] = exception.message
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack
    }
    this.addEvent('exception', attributes, time)
  }
}

/**
 * A Tracer (the API's) whose spans are recorded and sampled, and go to `processor` when they end. Parent
 * from the context unless `root`; a root span starts a trace of its own.
 */
export class LightTracer implements ApiTracer {
  private readonly scope: InstrumentationScope

  constructor(
    private readonly resource: Resource,
    private readonly processor: SpanProcessor,
    name = 'psm',
  ) {
    this.scope = { name }
  }

  startSpan(name: string, options: SpanOptions = {}, context?: Context): ApiSpan {
    const parent = options.root || !context ? undefined : trace.getSpanContext(context)
    const valid = parent !== undefined && trace.isSpanContextValid(parent)
    const ctx: SpanContext = {
      traceId: valid ? parent.traceId : newTraceId(),
      spanId: newSpanId(),
      traceFlags: TraceFlags.SAMPLED,
    }
    if (valid && parent.traceState) ctx.traceState = parent.traceState
    return new LightSpan(
      name,
      options.kind ?? SpanKind.INTERNAL,
      ctx,
      valid ? parent : undefined,
      options.startTime,
      options.attributes,
      options.links,
      this.resource,
      this.scope,
      this.processor,
    )
  }

  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, ...args: unknown[]): ReturnType<F> {
    const fn = args[args.length - 1] as F
    const options = (args.length > 1 ? args[0] : undefined) as SpanOptions | undefined
    const context = (args.length > 2 ? args[1] : undefined) as Context | undefined
    return fn(this.startSpan(name, options, context)) as ReturnType<F>
  }
}
