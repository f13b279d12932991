// `psm dht serve`: DHT nodes of this process (TCP on 127.0.0.1, real clock) behind parsec's kind of lean
// HTTP API, so that a scheduler in another process or on another machine drives them:
//   GET  /health                       → { status: 'ok', nodes: [{ node, peerId, addrs, routingTable, connections }] }
//   POST /connect  { node?, addrs }    → { node, connected, failed }   (dial peers: how a fleet bootstraps)
//   POST /join     { node? }           → { node, durationMs, success, error }   (the self-lookup)
//   POST /provide  { node?, round? }   → an Operation: provides a fresh random 1 KiB blob's CID, timed
//   POST /retrieve { node?, cid, publisher?, round? } → an Operation: finds the first provider of cid, timed
// `node` defaults to 0; `publisher` is the providing node's peer id (for firstProviderIsPublisher).
// Bodies are JSON up to 64 KiB; a bad request is 400 with { error } naming what is wrong.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CID } from 'multiformats/cid'
import { errorMessage } from '../errors.js'
import { stopHosts } from '../net/stop-hosts.js'
import { createRng, type Rng } from '../rng.js'
import { routingTable } from './network.js'
import { createDhtNode, type DhtKnobs, type DhtNode } from './node.js'
import { cidOf, type OpContext, provide, randomBlob, retrieve } from './ops.js'

export interface ServeOptions extends DhtKnobs {
  host: string
  port: number
  nodes: number
  opTimeoutMs: number
  seed: number
}

export interface DhtServer {
  readonly url: string
  readonly nodes: DhtNode[]
  close(): Promise<void>
}

class BadRequest extends Error {}

const MAX_BODY = 64 * 1024

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const c of req) {
    size += (c as Buffer).length
    if (size > MAX_BODY) throw new BadRequest(`body over ${MAX_BODY} bytes`)
    chunks.push(c as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return {}
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw new BadRequest('body is not JSON')
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadRequest('body is not a JSON object')
  return v as Record<string, unknown>
}

function intField(b: Record<string, unknown>, key: string, def: number, max: number): number {
  const v = b[key] ?? def
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= max) {
    throw new BadRequest(`${key}: ${JSON.stringify(v)} is not a whole number from 0 to ${max - 1}`)
  }
  return v
}

export async function startDhtServer(o: ServeOptions): Promise<DhtServer> {
  const nodes: DhtNode[] = []
  for (let i = 0; i < o.nodes; i++) {
    nodes.push(
      await createDhtNode({
        k: o.k,
        alpha: o.alpha,
        disjointPaths: o.disjointPaths,
        server: true,
        host: { transport: 'tcp', muxer: 'yamux', maxConnections: 200 },
      }),
    )
  }
  const rng: Rng = createRng(o.seed)
  const ctx = (i: number, round: number): OpContext => ({
    round,
    node: i,
    selfId: nodes[i]!.peerId.toString(),
    timeoutMs: o.opTimeoutMs,
    now: () => performance.now(),
  })

  const routes: Record<string, (b: Record<string, unknown>) => Promise<unknown>> = {
    '/connect': async (b) => {
      const node = intField(b, 'node', 0, nodes.length)
      const addrs = b.addrs
      if (!Array.isArray(addrs) || addrs.some((a) => typeof a !== 'string')) {
        throw new BadRequest('addrs: expected a list of multiaddr strings, one per peer')
      }
      const { multiaddr } = await import('@multiformats/multiaddr')
      let connected = 0
      let failed = 0
      for (const a of addrs as string[]) {
        try {
          await nodes[node]!.dial(multiaddr(a), { signal: AbortSignal.timeout(o.opTimeoutMs) })
          connected++
        } catch {
          failed++
        }
      }
      return { node, connected, failed }
    },
    '/join': async (b) => {
      const node = intField(b, 'node', 0, nodes.length)
      const n = nodes[node]!
      const t0 = performance.now()
      try {
        for await (const _ of n.services.dht.getClosestPeers(n.peerId.toMultihash().bytes, {
          signal: AbortSignal.timeout(o.opTimeoutMs),
        })) {
          // drained
        }
        return { node, durationMs: performance.now() - t0, success: true, error: null }
      } catch (err) {
        return { node, durationMs: performance.now() - t0, success: false, error: errorMessage(err) }
      }
    },
    '/provide': async (b) => {
      const node = intField(b, 'node', 0, nodes.length)
      const round = intField(b, 'round', 0, Number.MAX_SAFE_INTEGER)
      const cid = await cidOf(randomBlob(rng))
      return provide(nodes[node]!.services.dht, cid, ctx(node, round))
    },
    '/retrieve': async (b) => {
      const node = intField(b, 'node', 0, nodes.length)
      const round = intField(b, 'round', 0, Number.MAX_SAFE_INTEGER)
      let cid: CID
      try {
        cid = CID.parse(String(b.cid))
      } catch {
        throw new BadRequest(`cid: ${JSON.stringify(b.cid)} is not a CID`)
      }
      const publisher = typeof b.publisher === 'string' ? b.publisher : ''
      return retrieve(nodes[node]!.services.dht, cid, publisher, ctx(node, round))
    },
  }

  const health = () => ({
    status: 'ok',
    nodes: nodes.map((n, i) => ({
      node: i,
      peerId: n.peerId.toString(),
      addrs: n.getMultiaddrs().map((a) => a.toString()),
      routingTable: routingTable(n).size,
      connections: n.getConnections().length,
    })),
  })

  const send = (res: ServerResponse, code: number, value: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' }).end(`${JSON.stringify(value)}\n`)
  }
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path === '/health') {
      if (req.method !== 'GET') return send(res, 405, { error: 'GET /health' })
      return send(res, 200, health())
    }
    const route = routes[path]
    if (!route) return send(res, 404, { error: `no ${path}: GET /health, POST /connect /join /provide /retrieve` })
    if (req.method !== 'POST') return send(res, 405, { error: `POST ${path}` })
    body(req)
      .then(route)
      .then(
        (v) => send(res, 200, v),
        (err: unknown) => send(res, err instanceof BadRequest ? 400 : 500, { error: errorMessage(err) }),
      )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => resolve())
  })
  const addr = server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  return {
    url: `http://${host}:${addr.port}`,
    nodes,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      await stopHosts(nodes, 5_000)
    },
  }
}
