// A loopback OTLP/HTTP receiver for tests: accepts what an OTLP/JSON trace exporter POSTs to /v1/traces and
// decodes the spans (ids, parent links, names, attributes) into plain objects.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export type AttrValue = string | number | boolean | AttrValue[] | null

export interface ReceivedSpan {
  traceId: string
  spanId: string
  parentSpanId: string | undefined
  name: string
  startMs: number
  endMs: number
  attributes: Record<string, AttrValue>
  links: Array<{ traceId: string; spanId: string; attributes: Record<string, AttrValue> }>
  service: string | undefined
}

export interface Receiver {
  /** base URL, e.g. http://127.0.0.1:41234 (the exporter appends /v1/traces) */
  readonly url: string
  readonly spans: ReceivedSpan[]
  /** requests received, by path */
  readonly requests: Array<{ path: string; contentType: string; bytes: number; body: Buffer }>
  close(): Promise<void>
}

interface OtlpValue {
  stringValue?: string
  intValue?: string | number
  doubleValue?: number
  boolValue?: boolean
  arrayValue?: { values?: OtlpValue[] }
}
interface OtlpKeyValue {
  key: string
  value: OtlpValue
}
interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  startTimeUnixNano: string | number
  endTimeUnixNano: string | number
  attributes?: OtlpKeyValue[]
  links?: Array<{ traceId: string; spanId: string; attributes?: OtlpKeyValue[] }>
}
interface OtlpRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] }
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>
  }>
}

function value(v: OtlpValue): AttrValue {
  if (v.stringValue !== undefined) return v.stringValue
  if (v.intValue !== undefined) return Number(v.intValue)
  if (v.doubleValue !== undefined) return v.doubleValue
  if (v.boolValue !== undefined) return v.boolValue
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value)
  return null
}

function attrs(kvs: OtlpKeyValue[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {}
  for (const kv of kvs ?? []) out[kv.key] = value(kv.value)
  return out
}

export function decodeOtlpJson(body: string): ReceivedSpan[] {
  const req = JSON.parse(body) as OtlpRequest
  const out: ReceivedSpan[] = []
  for (const rs of req.resourceSpans ?? []) {
    const service = attrs(rs.resource?.attributes)['service.name']
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId || undefined,
          name: s.name,
          startMs: Number(BigInt(s.startTimeUnixNano) / 1000n) / 1000,
          endMs: Number(BigInt(s.endTimeUnixNano) / 1000n) / 1000,
          attributes: attrs(s.attributes),
          links: (s.links ?? []).map((l) => ({
            traceId: l.traceId,
            spanId: l.spanId,
            attributes: attrs(l.attributes),
          })),
          service: typeof service === 'string' ? service : undefined,
        })
      }
    }
  }
  return out
}

export async function startReceiver(): Promise<Receiver> {
  const spans: ReceivedSpan[] = []
  const requests: Receiver['requests'] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const contentType = String(req.headers['content-type'] ?? '')
      requests.push({ path: req.url ?? '', contentType, bytes: body.length, body })
      if (req.url === '/v1/traces' && contentType.includes('json')) {
        try {
          spans.push(...decodeOtlpJson(body.toString('utf8')))
        } catch {
          res.writeHead(400).end()
          return
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
        return
      }
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
