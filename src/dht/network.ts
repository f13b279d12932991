// N DHT nodes in this process on the memory transport, shaped by the network model when there is one.
// Initialisation (py-dht's headline figure): every node starts, dials `bootstrapPeers` random nodes that
// joined before it (so the graph is connected), waits for its routing table to hold a peer, then runs
// its self-lookup (a Kademlia join). Init time is from the first host created to the last self-lookup.
import type { SingleKadDHT } from '@libp2p/kad-dht'
import { realPerformanceNow } from '../clock/virtual-real.js'
import { collectGarbage } from '../gc.js'
import { NetworkModel } from '../net/model/model.js'
import type { NetworkSpec } from '../net/model/spec.js'
import { stopHosts } from '../net/stop-hosts.js'
import type { Rng } from '../rng.js'
import { sleep } from '../sleep.js'
import type { Recorder } from '../telemetry/recorder.js'
import { DhtMachineNode } from './machine.js'
import { createDhtNode, type DhtKnobs, type DhtNode } from './node.js'
import { cidOf, type OpContext, type Operation, provide, randomBlob, retrieve } from './ops.js'

export interface InitFigures {
  /** simulated ms on a virtual clock (wall ms on the real one) from the first host to the last self-lookup */
  initMs: number
  /** real ms the same took */
  initWallMs: number
  /** dials that failed while joining */
  failedDials: number
  /** self-lookups that failed */
  failedJoins: number
  /** self-lookups that ended (failed ones included): fewer than the nodes when a signal cut the joins short */
  joined?: number
  /** mean routing-table size after the joins */
  meanRoutingTable: number
  /** mean open connections per node after the joins (memory grows with them) */
  meanConnections?: number
  /** mean peer-store entries per node after the joins (every peer a node heard of, with its addresses) */
  meanPeerStore?: number
  /** CPU ms (user + system, this process) of each phase: hosts started, bootstrap dials, self-lookups */
  phaseCpuMs?: { start: number; dial: number; join: number }
  /** the process's resident set and V8 heap once every node joined (all nodes of this process) */
  rssBytes: number
  heapUsedBytes: number
  /** the V8 heap still in use after a full garbage collection: what the nodes hold, not garbage not yet collected */
  liveHeapBytes?: number
}

/** A full garbage collection, then the heap in use. */
export function liveHeapBytes(): number {
  collectGarbage('major')
  return process.memoryUsage().heapUsed
}

/** What the schedule needs from a set of nodes: in this process, or behind `psm dht serve` over HTTP. */
export interface DhtDriver {
  readonly size: number
  /** provides a fresh random blob's CID from node `i` */
  provide(i: number, round: number): Promise<Operation>
  /** looks `cid` up from node `i`; `publisher` is the providing node's index */
  retrieve(i: number, round: number, cid: string, publisher: number): Promise<Operation>
  stop(): Promise<void>
}

export interface LocalNetworkOptions extends DhtKnobs {
  nodes: number
  bootstrapPeers: number
  initConcurrency: number
  opTimeoutMs: number
  maxConnections: number
  spec: NetworkSpec | undefined
  seed: number
  rng: Rng
  onProgress?: (phase: string, done: number, total: number) => void
  /** true once the run must stop (a signal): the joins still to start are skipped */
  stopRequested?: () => boolean
  /** machine: provide and retrieve go through each node's discovery machine (default vanilla) */
  impl?: 'vanilla' | 'machine'
  /** where the discovery machines' transitions go (impl machine) */
  recorder?: Recorder | undefined
}

async function inBatches<T>(items: readonly T[], size: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker))
}

export class LocalDhtNetwork implements DhtDriver {
  readonly nodes: DhtNode[] = []
  /** impl machine: node i's discovery actor (made once the nodes joined) */
  readonly machines: DhtMachineNode[] = []
  readonly model: NetworkModel | undefined
  private readonly opts: LocalNetworkOptions
  private readonly cids = new Map<string, Awaited<ReturnType<typeof cidOf>>>()
  init: InitFigures | undefined

  constructor(opts: LocalNetworkOptions) {
    this.opts = opts
    this.model = opts.spec === undefined ? undefined : new NetworkModel(opts.spec, { seed: opts.seed })
  }

  get size(): number {
    return this.nodes.length
  }

  /** Starts and joins every node; returns the init figures. */
  async start(): Promise<InitFigures> {
    const o = this.opts
    const t0 = performance.now()
    const w0 = realPerformanceNow()
    const cpu = () => {
      const u = process.cpuUsage()
      return (u.user + u.system) / 1000
    }
    const c0 = cpu()
    const indices = Array.from({ length: o.nodes }, (_, i) => i)
    const made: DhtNode[] = new Array(o.nodes)
    let created = 0
    await inBatches(indices, 64, async (i) => {
      made[i] = await createDhtNode({
        k: o.k,
        alpha: o.alpha,
        disjointPaths: o.disjointPaths,
        server: true,
        host: {
          // mplex closes a connection whose remote opens more than 5 streams a second past its inbound
          // limit, and kad-dht opens a stream per request: yamux has flow control and no such rule
          muxer: 'yamux',
          maxConnections: o.maxConnections,
          ...(this.model ? { network: this.model.host(i) } : {}),
        },
      })
      o.onProgress?.('start', ++created, o.nodes)
    })
    this.nodes.push(...made)
    const c1 = cpu()
    // each node dials up to bootstrapPeers distinct random nodes that joined before it
    let failedDials = 0
    const targets = indices.map((i) => {
      const picks = new Set<number>()
      const want = Math.min(o.bootstrapPeers, i)
      while (picks.size < want) picks.add(o.rng.int(i))
      return [...picks]
    })
    let dialled = 0
    const stop = () => o.stopRequested?.() === true
    await inBatches(indices, o.initConcurrency, async (i) => {
      if (stop()) return
      for (const j of targets[i]!) {
        try {
          await made[i]!.dial(made[j]!.getMultiaddrs())
        } catch {
          failedDials++
        }
      }
      o.onProgress?.('dial', ++dialled, o.nodes)
    })
    // identify runs after a dial; kad-dht adds a peer once it knows the peer speaks the protocol
    for (let waited = 0; waited < 30_000 && !stop(); waited += 50) {
      if (made.every((n, i) => i === 0 || routingTable(n).size > 0)) break
      await sleep(50)
    }
    const c2 = cpu()
    let failedJoins = 0
    let joined = 0
    await inBatches(indices, o.initConcurrency, async (i) => {
      if (stop()) return
      const n = made[i]!
      try {
        for await (const _ of n.services.dht.getClosestPeers(n.peerId.toMultihash().bytes, {
          signal: AbortSignal.timeout(o.opTimeoutMs),
        })) {
          // drained: the lookup fills the routing table as it goes
        }
      } catch {
        failedJoins++
      }
      o.onProgress?.('join', ++joined, o.nodes)
    })
    const c3 = cpu()
    if (o.impl === 'machine') {
      for (const [i, n] of made.entries())
        this.machines.push(new DhtMachineNode(i, n.services.dht, n.peerId.toString(), o.recorder))
    }
    const sizes = made.map((n) => routingTable(n).size)
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
    const stored = await Promise.all(made.map(async (n) => (await n.peerStore.all()).length))
    this.init = {
      phaseCpuMs: { start: c1 - c0, dial: c2 - c1, join: c3 - c2 },
      meanConnections: mean(made.map((n) => n.getConnections().length)),
      meanPeerStore: mean(stored),
      initMs: performance.now() - t0,
      initWallMs: realPerformanceNow() - w0,
      failedDials,
      failedJoins,
      joined,
      meanRoutingTable: sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length),
      rssBytes: process.memoryUsage().rss,
      heapUsedBytes: process.memoryUsage().heapUsed,
      liveHeapBytes: liveHeapBytes(),
    }
    return this.init
  }

  private ctx(i: number, round: number): OpContext {
    return {
      round,
      node: i,
      selfId: this.nodes[i]!.peerId.toString(),
      timeoutMs: this.opts.opTimeoutMs,
      now: () => performance.now(),
    }
  }

  async provide(i: number, round: number): Promise<Operation> {
    const cid = await cidOf(randomBlob(this.opts.rng))
    this.cids.set(cid.toString(), cid)
    const m = this.machines[i]
    if (m) return m.provide(cid, this.ctx(i, round))
    return provide(this.nodes[i]!.services.dht, cid, this.ctx(i, round))
  }

  async retrieve(i: number, round: number, cid: string, publisher: number): Promise<Operation> {
    const c = this.cids.get(cid)
    if (c === undefined) throw new Error(`retrieve: CID ${cid} was not provided in this run`)
    const publisherId = this.nodes[publisher]!.peerId.toString()
    const m = this.machines[i]
    if (m) return m.retrieve(c, publisherId, this.ctx(i, round))
    return retrieve(this.nodes[i]!.services.dht, c, publisherId, this.ctx(i, round))
  }

  async stop(): Promise<void> {
    for (const m of this.machines) m.stop()
    await stopHosts(this.nodes, 10_000)
  }
}

export function routingTable(n: DhtNode): { size: number } {
  return (n.services.dht as unknown as SingleKadDHT).routingTable
}

/** Resolves once the host's kad-dht has a peer in its routing table (identify told it one serves), or after timeoutMs. */
export async function untilRouted(host: { services: object }, timeoutMs: number): Promise<void> {
  const table = routingTable(host as DhtNode)
  for (let waited = 0; table.size === 0 && waited < timeoutMs; waited += 20) {
    await sleep(20)
  }
}
