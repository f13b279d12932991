// Serves one run's prom-client Registry at http://127.0.0.1:9464/metrics (Prometheus text format).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'
import { parseHostPort } from '../../config/host-port.js'
import { InputError } from '../../errors.js'

export interface MetricsServerOptions {
  /** default 127.0.0.1 */
  host?: string
  /** default 9464; 0 picks a free port */
  port?: number
}

export const METRICS_SERVER_DEFAULTS = { host: '127.0.0.1', port: 9464 } as const

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string
  readonly host: string
  readonly port: number
  close(): Promise<void>
}

/**
 * Parses a `--metrics` value: "" or "true" → defaults, "PORT", "HOST:PORT" or "[v6]:PORT".
 * `where` names the flag or config key in the error.
 */
export function parseMetricsAddress(value: string, where = '--metrics'): Required<MetricsServerOptions> {
  const v = value.trim()
  if (v === '' || v === 'true') return { ...METRICS_SERVER_DEFAULTS }
  const a = parseHostPort(v)
  if (!a) throw new InputError(`${where}: '${value}' is not HOST:PORT or PORT (e.g. 127.0.0.1:9464)`)
  return a
}

export async function startMetricsServer(registry: Registry, opts: MetricsServerOptions = {}): Promise<MetricsServer> {
  const host = opts.host ?? METRICS_SERVER_DEFAULTS.host
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('psm serves /metrics\n')
      return
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType })
        res.end(req.method === 'HEAD' ? undefined : text)
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`)
      },
    )
  })
  // idle keep-alive connections from a scraper close on their own
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL'
          ? new InputError(
              `metrics: cannot listen on ${host}:${opts.port ?? METRICS_SERVER_DEFAULTS.port} (${err.code})`,
            )
          : err,
      )
    })
    server.listen(opts.port ?? METRICS_SERVER_DEFAULTS.port, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const shown = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shown}:${port}/metrics`,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
