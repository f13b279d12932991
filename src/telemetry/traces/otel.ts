// The trace sink: spans from transition records (machines, states, transitions) and from gossipsub hosts,
// exported over OTLP/HTTP, the Jaeger exporter or to a JSON-lines file. Spans come from the lean tracer of
// otel-light.ts and go to the SDK's batch processor (sized so a 100-peer sim drops nothing) under its own
// BasicTracerProvider (nothing is registered globally); spans that never reached the exporter's destination
// are counted. Telemetry never throws into the application.
import type { Tracer } from '@opentelemetry/api'
import type { BufferConfig, ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import type { RecordSource } from '../metrics/metrics.js'
import { CountingExporter, createSpanExporter, DEFAULT_TRACE_FILE, type TraceExporterName } from './otel-exporters.js'
import {
  createHostTracer,
  type HostTracer,
  type HostTracerOptions,
  hostTraceShared,
  NOOP_HOST_TRACER,
} from './otel-host.js'
import { LightTracer } from './otel-light.js'
import { DEFAULT_MAX_TRACED_MESSAGES, type MessageTraceStats, MessageTraces } from './otel-messages.js'
import { DEFAULT_TRACE_WINDOW_MS, RecordSpans } from './otel-records.js'

export type { TraceExporterName } from './otel-exporters.js'
export type { GossipsubMetricsOptions, HostTracer, HostTracerOptions } from './otel-host.js'

export interface TraceSinkOptions {
  exporter: TraceExporterName
  /** PS_TRACING_AM: 0 off, 1 machines and states, 2 also transitions (default 1) */
  level?: 0 | 1 | 2
  /** PS_TRACING_HOST: 1 traces gossipsub events per host (default 0) */
  hostLevel?: 0 | 1
  /** otlp: base URL (default from OTEL_EXPORTER_OTLP_* or http://localhost:4318); jaeger: collector URL */
  endpoint?: string | null
  /** file exporter path (default traces.jsonl) */
  file?: string
  /** service.name of the resource (default psm) */
  serviceName?: string
  /** batch processor overrides */
  batch?: BufferConfig
  /** where to read OTEL_* variables (tests pass their own) */
  env?: NodeJS.ProcessEnv
  /** replaces the chosen exporter (tests, embedding) */
  spanExporter?: SpanExporter
  /** longest wait for the last export at shutdown, in ms (default 15 s) */
  shutdownTimeoutMs?: number
  /** a machine's transitions start a new trace every this many ms of its life (default 60 s; 0: never) */
  windowMs?: number
  /** messages whose trace is kept open for receipts (default 4096); older ones are closed, oldest first */
  maxMessages?: number
}

/**
 * DESIGN.md measured the defaults (2048 / 512 / 5 s) dropping half the spans under load. One export a second:
 * a 100-peer sim ends a few hundred spans a second, far below the queue, and each export (a request and its
 * JSON) has a fixed cost.
 */
export const BATCH_DEFAULTS: Required<BufferConfig> = {
  maxQueueSize: 65_536,
  maxExportBatchSize: 8_192,
  scheduledDelayMillis: 1_000,
  exportTimeoutMillis: 30_000,
}

export interface TraceReport {
  /** where spans went ("off" when disabled) */
  target: string
  /** spans that ended */
  ended: number
  /** spans the exporter delivered */
  exported: number
  /** ended but never delivered: queue overflow, failed exports, or not flushed in time */
  dropped: number
  /** the last export error, if any */
  error?: string
  /** message traces (host level 1) */
  messages?: MessageTraceStats
}

export interface TraceSink {
  readonly enabled: boolean
  /** feeds machine spans from a recorder (a no-op at level 0); returns the unsubscribe function */
  attach(recorder: RecordSource): () => void
  /** a tracer for one gossipsub host (a no-op unless hostLevel is 1) */
  hostTracer(opts: HostTracerOptions): HostTracer
  /** ends open spans, flushes and reports what was lost */
  shutdown(): Promise<TraceReport>
}

export function formatTraceReport(r: TraceReport): string {
  if (r.target === 'off') return 'traces: off'
  const lost = r.dropped > 0 ? `, ${r.dropped} DROPPED${r.error ? ` (${r.error})` : ''}` : ', none dropped'
  const m = r.messages
  const msgs = m
    ? `; ${m.messages} message traces, ${m.receipts} receipts${m.evicted ? `, ${m.evicted} closed early` : ''}${m.late ? `, ${m.late} late` : ''}${m.orphaned ? `, ${m.orphaned} without their publish` : ''}`
    : ''
  return `traces: ${r.exported}/${r.ended} spans sent to ${r.target}${lost}${msgs}`
}

const OFF_SINK: TraceSink = {
  enabled: false,
  attach: () => () => {},
  hostTracer: () => NOOP_HOST_TRACER,
  shutdown: async () => ({ target: 'off', ended: 0, exported: 0, dropped: 0 }),
}

export async function createTraceSink(opts: TraceSinkOptions): Promise<TraceSink> {
  const level = opts.level ?? 1
  const hostLevel = opts.hostLevel ?? 0
  if ((opts.exporter === 'off' && !opts.spanExporter) || (level === 0 && hostLevel === 0)) return OFF_SINK

  // the SDK loads only when tracing is on
  const [{ BasicTracerProvider, BatchSpanProcessor }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
  ])
  const chosen = opts.spanExporter
    ? { exporter: opts.spanExporter, target: 'custom exporter' }
    : await createSpanExporter({
        exporter: opts.exporter === 'off' ? 'file' : opts.exporter,
        endpoint: opts.endpoint ?? null,
        file: opts.file ?? DEFAULT_TRACE_FILE,
        ...(opts.env ? { env: opts.env } : {}),
      })
  const counting = new CountingExporter(chosen.exporter)
  // one span processor: the batch processor counts what ended itself (a second processor costs every span a
  // second call through the provider's MultiSpanProcessor)
  class CountingBatchProcessor extends BatchSpanProcessor {
    ended = 0
    override onEnd(span: ReadableSpan): void {
      this.ended++
      super.onEnd(span)
    }
  }
  const ended = new CountingBatchProcessor(counting, { ...BATCH_DEFAULTS, ...opts.batch })
  const resource = resourceFromAttributes({ 'service.name': opts.serviceName ?? 'psm' })
  // psm's spans go through the lean tracer straight to the batch processor; the provider only shuts it down
  const provider = new BasicTracerProvider({ resource, spanProcessors: [ended] })
  const tracer: Tracer = new LightTracer(resource, ended)
  const records =
    level > 0 ? new RecordSpans(tracer, level === 2 ? 2 : 1, opts.windowMs ?? DEFAULT_TRACE_WINDOW_MS) : null
  const messages = hostLevel > 0 ? new MessageTraces(tracer, opts.maxMessages ?? DEFAULT_MAX_TRACED_MESSAGES) : null
  const shared = hostTraceShared(messages)
  const hosts = new Set<HostTracer>()
  const unsubscribes = new Set<() => void>()
  let report: Promise<TraceReport> | null = null

  return {
    enabled: true,
    attach(recorder) {
      if (!records) return () => {}
      const off = recorder.subscribe((r) => {
        try {
          records.onRecord(r)
        } catch {
          // a bad record costs its span, never the machine that produced it
        }
      })
      unsubscribes.add(off)
      return () => {
        unsubscribes.delete(off)
        off()
      }
    },
    hostTracer(o) {
      if (hostLevel === 0 || report) return NOOP_HOST_TRACER
      const h = createHostTracer(tracer, o, (m) => records?.contextOf(m), shared)
      hosts.add(h)
      return {
        observe: (...args) => h.observe(...args),
        wrapRegister: (r) => h.wrapRegister(r),
        gossipsubOptions: (m) => h.gossipsubOptions(m),
        end: () => {
          hosts.delete(h)
          h.end()
        },
      }
    },
    shutdown() {
      report ??= (async () => {
        for (const off of unsubscribes) off()
        unsubscribes.clear()
        try {
          for (const h of hosts) h.end()
          hosts.clear()
          messages?.endAll()
          records?.endAll()
          const timeout = opts.shutdownTimeoutMs ?? 15_000
          let timer: NodeJS.Timeout | undefined
          await Promise.race([
            provider.shutdown().catch(() => {}),
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, timeout)
              timer.unref()
            }),
          ])
          clearTimeout(timer)
        } catch {}
        const r: TraceReport = {
          target: chosen.target,
          ended: ended.ended,
          exported: counting.exported,
          dropped: Math.max(0, ended.ended - counting.exported),
        }
        if (counting.lastError) r.error = counting.lastError
        if (messages) r.messages = { ...messages.stats }
        return r
      })()
      return report
    },
  }
}
