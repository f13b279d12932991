// The span exporters psm offers (`--trace otlp|jaeger|file`), where each sends by default, and a wrapper that
// counts what reached the exporter's destination so that lost spans can be reported at exit. Exporter
// packages load on first use: a run without tracing does not pay for them.
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import { FileSpanExporter } from './otel-file.js'

export const TRACE_EXPORTER_NAMES = ['otlp', 'jaeger', 'file', 'off'] as const
export type TraceExporterName = (typeof TRACE_EXPORTER_NAMES)[number]

/** OTLP/HTTP, which Jaeger ingests on 4318. */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318'
/** Jaeger's collector, Thrift over HTTP. */
export const DEFAULT_JAEGER_ENDPOINT = 'http://localhost:14268/api/traces'
export const DEFAULT_TRACE_FILE = 'traces.jsonl'

const TRACES_PATH = '/v1/traces'

function withTracesPath(base: string): string {
  const b = base.replace(/\/+$/, '')
  return b.endsWith(TRACES_PATH) ? b : `${b}${TRACES_PATH}`
}

/**
 * Where OTLP spans go: an explicit endpoint (a base URL, or a full one ending in /v1/traces), else the
 * standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is), else OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces),
 * else http://localhost:4318/v1/traces.
 */
export function otlpTracesUrl(endpoint: string | null | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (endpoint) return withTracesPath(endpoint)
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
  if (traces) return traces
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
  return withTracesPath(base || DEFAULT_OTLP_ENDPOINT)
}

export function jaegerEndpoint(endpoint: string | null | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return endpoint || env.OTEL_EXPORTER_JAEGER_ENDPOINT?.trim() || DEFAULT_JAEGER_ENDPOINT
}

export interface ExporterChoice {
  exporter: Exclude<TraceExporterName, 'off'>
  endpoint?: string | null
  file?: string
  env?: NodeJS.ProcessEnv
}

/** The exporter and a human description of where it sends ("http://…/v1/traces", "file traces.jsonl"). */
export async function createSpanExporter(c: ExporterChoice): Promise<{ exporter: SpanExporter; target: string }> {
  switch (c.exporter) {
    case 'otlp': {
      const url = otlpTracesUrl(c.endpoint, c.env)
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http')
      return { exporter: new OTLPTraceExporter({ url, timeoutMillis: 10_000 }), target: url }
    }
    case 'jaeger': {
      const endpoint = jaegerEndpoint(c.endpoint, c.env)
      const { JaegerExporter } = await import('@opentelemetry/exporter-jaeger')
      return { exporter: new JaegerExporter({ endpoint, flushTimeout: 5_000 }), target: endpoint }
    }
    case 'file': {
      const path = c.file || DEFAULT_TRACE_FILE
      return { exporter: new FileSpanExporter(path), target: `file ${path}` }
    }
  }
}

type ExportCallback = Parameters<SpanExporter['export']>[1]

/** Counts spans the wrapped exporter delivered or failed to deliver. */
export class CountingExporter implements SpanExporter {
  exported = 0
  failed = 0
  lastError: string | undefined

  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: ExportCallback): void {
    const n = spans.length
    try {
      this.inner.export(spans, (result) => {
        if (result.code === 0) this.exported += n
        else {
          this.failed += n
          if (result.error) this.lastError = result.error.message
        }
        done(result)
      })
    } catch (err) {
      this.failed += n
      this.lastError = err instanceof Error ? err.message : String(err)
      done({ code: 1, error: err instanceof Error ? err : new Error(String(err)) })
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve()
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown()
  }
}
