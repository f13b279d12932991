// The `file` trace exporter: one JSON object per span per line (JSONL), and the reader that loads it back.
// Times are ms since the epoch (fractional), ids are hex as in OTLP/JSON, so a line reads on its own.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import { InputError } from '../../errors.js'

export type SpanAttributeValue = string | number | boolean | string[] | number[] | boolean[]

export interface SpanLine {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  /** ms since the epoch */
  start: number
  end: number
  attributes: Record<string, SpanAttributeValue>
  events?: Array<{ name: string; time: number; attributes?: Record<string, SpanAttributeValue> }>
  /** span links: to a parent machine's trace, a message's publish, ... */
  links?: Array<{ traceId: string; spanId: string; attributes?: Record<string, SpanAttributeValue> }>
  /** 0 unset, 1 ok, 2 error (OTel's SpanStatusCode) */
  status?: { code: number; message?: string }
  service?: string
}

type ExportCallback = Parameters<SpanExporter['export']>[1]

const hrToMs = (t: readonly [number, number]): number => t[0] * 1e3 + t[1] / 1e6

export function toSpanLine(s: ReadableSpan): SpanLine {
  const ctx = s.spanContext()
  const line: SpanLine = {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    name: s.name,
    start: hrToMs(s.startTime),
    end: hrToMs(s.endTime),
    attributes: { ...(s.attributes as Record<string, SpanAttributeValue>) },
  }
  if (s.parentSpanContext) line.parentSpanId = s.parentSpanContext.spanId
  if (s.events.length > 0) {
    line.events = s.events.map((e) => ({
      name: e.name,
      time: hrToMs(e.time),
      ...(e.attributes ? { attributes: e.attributes as Record<string, SpanAttributeValue> } : {}),
    }))
  }
  if (s.links.length > 0) {
    line.links = s.links.map((l) => ({
      traceId: l.context.traceId,
      spanId: l.context.spanId,
      ...(l.attributes ? { attributes: l.attributes as Record<string, SpanAttributeValue> } : {}),
    }))
  }
  if (s.status.code !== 0)
    line.status = { code: s.status.code, ...(s.status.message ? { message: s.status.message } : {}) }
  const service = s.resource.attributes['service.name']
  if (typeof service === 'string') line.service = service
  return line
}

/** Writes spans as JSON lines; the file is created (truncated) when the exporter is made. */
export class FileSpanExporter implements SpanExporter {
  private fd: number | null
  readonly path: string

  constructor(path: string) {
    this.path = path
    this.fd = openSync(path, 'w')
  }

  export(spans: ReadableSpan[], done: ExportCallback): void {
    if (this.fd === null) {
      done({ code: 1, error: new Error('file exporter is shut down') })
      return
    }
    try {
      let text = ''
      for (const s of spans) text += `${JSON.stringify(toSpanLine(s))}\n`
      writeSync(this.fd, text)
      done({ code: 0 })
    } catch (err) {
      done({ code: 1, error: err instanceof Error ? err : new Error(String(err)) })
    }
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    if (this.fd === null) return
    closeSync(this.fd)
    this.fd = null
  }
}

/** Loads a span file back; a line that is not a span is an InputError naming the file and line. */
export function readSpanFile(path: string): SpanLine[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new InputError(`${path}: cannot read span file (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  const out: SpanLine[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    if (raw.trim() === '') continue
    let v: unknown
    try {
      v = JSON.parse(raw)
    } catch {
      throw new InputError(`${path}:${i + 1}: not JSON`)
    }
    const s = v as Partial<SpanLine>
    if (
      typeof s.traceId !== 'string' ||
      typeof s.spanId !== 'string' ||
      typeof s.name !== 'string' ||
      typeof s.start !== 'number' ||
      typeof s.end !== 'number'
    ) {
      throw new InputError(`${path}:${i + 1}: not a span (needs traceId, spanId, name, start, end)`)
    }
    out.push({ ...s, attributes: s.attributes ?? {} } as SpanLine)
  }
  return out
}
