// Helpers the telemetry benchmarks share: an OTLP/HTTP receiver on 127.0.0.1 that only counts the
// spans posted to it (each span has exactly one startTimeUnixNano key in OTLP/JSON; spanId also names a
// span's links, so counting it overcounts), and a free loopback port.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Counts the spans an OTLP/JSON exporter posts, without keeping them. */
export async function spanCounter(): Promise<{ url: string; spans: () => number; close: () => void }> {
  let spans = 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      spans += Buffer.concat(chunks).toString('latin1').split('"startTimeUnixNano"').length - 1
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, spans: () => spans, close: () => server.close() }
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
