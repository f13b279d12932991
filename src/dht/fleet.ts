// `psm dht run --nodes N --procs P`: the N nodes live in P `psm dht serve` processes on this machine (TCP
// on 127.0.0.1), driven through their HTTP API — the path a cluster run takes, with the API as the only
// link. Bootstrap as in one process: node g dials up to bootstrapPeers random earlier nodes (POST
// /connect), then every node runs its self-lookup (POST /join). Init time is wall time here.
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { RunFailedError } from '../errors.js'
import { createRng } from '../rng.js'
import type { DhtConfig } from './config.js'
import type { DhtDriver, InitFigures } from './network.js'
import type { Operation } from './ops.js'

interface ProcNodes {
  url: string
  nodes: Array<{ node: number; peerId: string; addrs: string[] }>
}

const BIN = fileURLToPath(new URL('../../../bin/psm.js', import.meta.url))

function startServe(nodes: number, c: DhtConfig, seed: number): Promise<{ child: ChildProcess; info: ProcNodes }> {
  const args = [BIN, 'dht', 'serve', '--listen', '127.0.0.1:0', '--nodes', String(nodes)]
  args.push('--k', String(c.k), '--alpha', String(c.alpha), '--op-timeout', `${c.opTimeout}ms`, '--seed', String(seed))
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr!.on('data', (d) => (err += d))
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', (line) => {
      try {
        resolve({ child, info: JSON.parse(line) as ProcNodes })
      } catch {
        reject(new RunFailedError(`psm dht serve printed '${line.slice(0, 80)}' instead of its address`))
      }
    })
    child.once('exit', (code) =>
      reject(
        new RunFailedError(`psm dht serve exited ${code} before listening: ${err.trim().split('\n').pop() ?? ''}`),
      ),
    )
  })
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const value = (await res.json()) as T & { error?: string }
  if (!res.ok) throw new RunFailedError(`${url}: HTTP ${res.status}: ${value.error ?? ''}`)
  return value
}

async function inBatches<T>(items: readonly T[], size: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!)
    }),
  )
}

export interface FleetOptions {
  config: DhtConfig
  seed: number
  progress?: (line: string) => void
}

export class ServeFleet implements DhtDriver {
  init: InitFigures | undefined
  private constructor(
    private readonly children: ChildProcess[],
    /** global node index → its process's URL and its index there */
    private readonly where: Array<{ url: string; node: number; peerId: string; addrs: string[] }>,
  ) {}

  get size(): number {
    return this.where.length
  }

  static async start(o: FleetOptions): Promise<ServeFleet> {
    const c = o.config
    const t0 = performance.now()
    const counts = Array.from(
      { length: c.procs },
      (_, p) => Math.floor(c.nodes / c.procs) + (p < c.nodes % c.procs ? 1 : 0),
    )
    const started = await Promise.allSettled(counts.map((n, p) => startServe(n, c, o.seed + p)))
    const children = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.child] : []))
    const failed = started.find((s) => s.status === 'rejected')
    if (failed) {
      for (const ch of children) ch.kill('SIGTERM')
      throw (failed as PromiseRejectedResult).reason
    }
    const infos = started.map((s) => (s as PromiseFulfilledResult<{ info: ProcNodes }>).value.info)
    const where = infos.flatMap((info) => info.nodes.map((n) => ({ url: info.url, ...n })))
    const fleet = new ServeFleet(children, where)
    o.progress?.(`dht: ${c.procs} psm dht serve processes, ${where.length} nodes; bootstrapping over HTTP`)
    const rng = createRng(o.seed ^ 0x9e3779b9)
    let failedDials = 0
    let failedJoins = 0
    const idx = where.map((_, i) => i)
    await inBatches(idx, c.initConcurrency, async (g) => {
      const picks = new Set<number>()
      while (picks.size < Math.min(c.bootstrapPeers, g)) picks.add(rng.int(g))
      if (picks.size === 0) return
      const w = where[g]!
      const r = await post<{ failed: number }>(`${w.url}/connect`, {
        node: w.node,
        addrs: [...picks].map((p) => where[p]!.addrs[0]),
      })
      failedDials += r.failed
    })
    let joined = 0
    await inBatches(idx, c.initConcurrency, async (g) => {
      const w = where[g]!
      const r = await post<{ success: boolean }>(`${w.url}/join`, { node: w.node })
      if (!r.success) failedJoins++
      joined++
    })
    const ms = performance.now() - t0
    fleet.init = {
      initMs: ms,
      initWallMs: ms,
      failedDials,
      failedJoins,
      joined,
      meanRoutingTable: 0,
      rssBytes: 0,
      heapUsedBytes: 0,
    }
    return fleet
  }

  async provide(i: number, round: number): Promise<Operation> {
    const w = this.where[i]!
    return { ...(await post<Operation>(`${w.url}/provide`, { node: w.node, round })), node: i }
  }

  async retrieve(i: number, round: number, cid: string, publisher: number): Promise<Operation> {
    const w = this.where[i]!
    const body = { node: w.node, round, cid, publisher: this.where[publisher]!.peerId }
    return { ...(await post<Operation>(`${w.url}/retrieve`, body)), node: i }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (ch) =>
          new Promise<void>((resolve) => {
            if (ch.exitCode !== null) return resolve()
            const t = setTimeout(() => ch.kill('SIGKILL'), 10_000)
            ch.once('exit', () => {
              clearTimeout(t)
              resolve()
            })
            ch.kill('SIGTERM')
          }),
      ),
    )
  }
}
