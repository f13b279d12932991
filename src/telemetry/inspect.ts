// `psm sim --inspect [ws://host:port]`: streams the machines of a run to a Stately inspector through
// @statelyai/inspect (the successor of @xstate/inspect, which only accepts xstate 4). The records of the
// run (machine, tx, stop) become the package's inspection events via its `createInspector`: an actor per
// machine with its xstate definition (so the inspector draws the chart) and its parent, an event per
// transition, a snapshot per accepted transition with the active states as the machine's value.
//
// The socket is ours, not the package's WebSocketAdapter: that adapter drops uncounted past 200 queued events
// and retries a refused connection every 5 s with a timer that keeps the process alive after stop. Here,
// while no inspector listens, events wait in a bounded queue (oldest dropped first, every drop counted);
// once connected, an inspector that cannot keep up (socket buffer past `maxBufferedBytes`) costs counted
// drops too, never memory. Nothing here throws into a machine.
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect'
import { machineCatalog } from '../../machines/index.js'
import { ACTIVE, deriveMachine, INACTIVE, NONE, type StateProbe } from '../../machines/schema.js'
import { realPerformanceNow, realSetTimeout } from '../clock/virtual-real.js'
import { parseHostPort } from '../config/host-port.js'
import { InputError } from '../errors.js'
import type { RecordSource } from './metrics/metrics.js'
import type { PsmRecord, Sink } from './records.js'

export const DEFAULT_INSPECT_URL = 'ws://127.0.0.1:8080'
export const INSPECT_DEFAULTS = { maxQueued: 1_000, maxBufferedBytes: 8 * 1024 * 1024, retryMs: 1_000 } as const

export interface InspectOptions {
  /** ws://host:port of the inspector's WebSocket server (default ws://127.0.0.1:8080) */
  url?: string
  /** events kept while no inspector listens (default 1,000); older ones are dropped and counted */
  maxQueued?: number
  /** a connected inspector this far behind (socket buffer) makes new events drop (default 8 MiB) */
  maxBufferedBytes?: number
  /** wait between connection attempts (default 1 s) */
  retryMs?: number
}

export interface InspectStats {
  url: string
  /** events written to the socket */
  sent: number
  /** events dropped: queue full while disconnected, or the inspector too far behind */
  dropped: number
  /** events waiting for a connection */
  queued: number
  connected: boolean
  /** connections made (reconnects count) */
  connections: number
}

export interface InspectStream {
  /** streams a recorder's machines; returns the unsubscribe function */
  attach(recorder: RecordSource): () => void
  /** the same, as a recorder sink (`runSim`'s `sinks`): its drops are the inspector's */
  sink(): Sink
  stats(): InspectStats
  /** resolves once an inspector connection is open (at once if one is) */
  connected(): Promise<void>
  /** sends what the socket has, closes it and stops retrying */
  close(): Promise<InspectStats>
}

export function formatInspectStats(s: InspectStats): string {
  const lost = s.dropped > 0 ? `, ${s.dropped} DROPPED` : ', none dropped'
  const how = s.connections > 0 ? '' : ' (no inspector connected)'
  return `inspect: ${s.sent} events sent to ${s.url}${lost}${how}`
}

/** `ws://host:port` (or bare host:port), checked; `where` names the flag or key in the error. */
export function parseInspectUrl(raw: string | true | undefined, where = '--inspect'): string {
  if (raw === undefined || raw === true || raw === '') return DEFAULT_INSPECT_URL
  const m = /^(wss?):\/\/([^/]+)\/?$/.exec(raw)
  const hostPort = m ? m[2]! : raw
  if (!m && raw.includes('://'))
    throw new InputError(`${where}: '${raw}' is not a ws:// URL (e.g. ws://127.0.0.1:8080)`)
  const hp = parseHostPort(hostPort)
  if (!hp) throw new InputError(`${where}: '${raw}' is not ws://HOST:PORT (e.g. ws://127.0.0.1:8080)`)
  const host = hp.host.includes(':') ? `[${hp.host}]` : hp.host
  return `${m ? m[1] : 'ws'}://${host}:${hp.port}`
}

/** The part of `ws`'s WebSocket this module uses (the `ws` package ships no types here). */
interface Socket {
  readonly readyState: number
  readonly bufferedAmount: number
  send(data: string): void
  close(): void
  terminate(): void
  on(ev: 'open' | 'close', fn: () => void): void
  on(ev: 'error', fn: (err: Error) => void): void
}
type SocketCtor = new (url: string) => Socket
const OPEN = 1
// `ws` is the package @statelyai/inspect itself sends with; a variable keeps tsc from wanting its types
const WS_MODULE: string = 'ws'

/** The inspector's adapter: a bounded queue before a socket, with counts. */
class BoundedSocketAdapter {
  private socket: Socket | null = null
  private queue: string[] = []
  private retry: NodeJS.Timeout | null = null
  private stopped = false
  private waiters: Array<() => void> = []
  readonly counts = { sent: 0, dropped: 0, connections: 0 }

  constructor(
    private readonly Ctor: SocketCtor,
    private readonly url: string,
    private readonly o: Required<Omit<InspectOptions, 'url'>>,
  ) {}

  get connected(): boolean {
    return this.socket?.readyState === OPEN
  }

  get queued(): number {
    return this.queue.length
  }

  whenConnected(): Promise<void> {
    return this.connected ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve))
  }

  bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0
  }

  start(): void {
    if (this.stopped || this.socket) return
    let s: Socket
    try {
      s = new this.Ctor(this.url)
    } catch {
      this.scheduleRetry()
      return
    }
    this.socket = s
    s.on('open', () => {
      this.counts.connections++
      const waiting = this.queue
      this.queue = []
      for (const text of waiting) this.write(text)
      for (const w of this.waiters.splice(0)) w()
    })
    s.on('error', () => {}) // a refused connection also closes: retried there
    s.on('close', () => {
      if (this.socket === s) this.socket = null
      this.scheduleRetry()
    })
  }

  stop(): void {
    this.stopped = true
    if (this.retry) clearTimeout(this.retry)
    this.retry = null
    const s = this.socket
    this.socket = null
    if (s) {
      try {
        if (s.readyState === OPEN) s.close()
        else s.terminate()
      } catch {}
    }
    this.counts.dropped += this.queue.length
    this.queue = []
  }

  send(event: StatelyInspectionEvent): void {
    if (this.stopped) return
    let text: string
    try {
      text = JSON.stringify(event)
    } catch {
      this.counts.dropped++
      return
    }
    if (this.connected) this.write(text)
    else {
      this.queue.push(text)
      if (this.queue.length > this.o.maxQueued) {
        this.queue.shift()
        this.counts.dropped++
      }
    }
  }

  private write(text: string): void {
    const s = this.socket!
    if (s.bufferedAmount > this.o.maxBufferedBytes) {
      this.counts.dropped++
      return
    }
    try {
      s.send(text)
      this.counts.sent++
    } catch {
      this.counts.dropped++
    }
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retry) return
    this.retry = setTimeout(() => {
      this.retry = null
      this.start()
    }, this.o.retryMs)
    // a run that ends while no inspector listens exits at once
    this.retry.unref()
  }
}

/** What the package's `createInspector` reads of an actor: ids, parent chain, and the definition. */
interface InspectedRef {
  sessionId: string
  id: string
  _parent?: InspectedRef
  logic?: { config: unknown }
  send: () => void
}

interface Machine {
  ref: InspectedRef
  probes: readonly StateProbe[] | null
  names: readonly string[]
  active: Set<string>
}

const catalog = new Map<string, { config: unknown; probes: StateProbe[]; names: string[] }>()
function definitionOf(type: string): { config: unknown; probes: StateProbe[]; names: string[] } | undefined {
  if (catalog.size === 0) {
    for (const e of machineCatalog()) {
      const d = deriveMachine(e.machine as Parameters<typeof deriveMachine>[0])
      catalog.set(e.type, { config: e.machine.config, probes: d.probes, names: d.schema.states.map((s) => s.name) })
    }
  }
  return catalog.get(type)
}

/** The machine's xstate value (regions and groups) and its flags, from the set of active states. */
function inspectedState(m: Machine): { value: Record<string, string>; context: { active: string[]; flags: string[] } } {
  const value: Record<string, string> = {}
  const flags: string[] = []
  if (m.probes) {
    m.probes.forEach((p, i) => {
      const name = m.names[i]!
      const on = m.active.has(name)
      if (p.kind === 'region') value[p.region] = on ? ACTIVE : INACTIVE
      else if (p.kind === 'group') {
        if (on) value[p.region] = p.member
        else value[p.region] ??= NONE
      } else if (p.kind === 'flag' && on) flags.push(name)
    })
  }
  return { value, context: { active: [...m.active], flags } }
}

export async function createInspectStream(opts: InspectOptions = {}): Promise<InspectStream> {
  const url = opts.url ?? DEFAULT_INSPECT_URL
  const { WebSocket } = (await import(WS_MODULE)) as { WebSocket: SocketCtor }
  const adapter = new BoundedSocketAdapter(WebSocket, url, {
    maxQueued: opts.maxQueued ?? INSPECT_DEFAULTS.maxQueued,
    maxBufferedBytes: opts.maxBufferedBytes ?? INSPECT_DEFAULTS.maxBufferedBytes,
    retryMs: opts.retryMs ?? INSPECT_DEFAULTS.retryMs,
  })
  const inspector = createInspector(adapter, { autoStart: false })
  inspector.start()
  const machines = new Map<string, Machine>()
  const offs = new Set<() => void>()
  let closed: Promise<InspectStats> | null = null

  const stats = (): InspectStats => ({
    url,
    ...adapter.counts,
    queued: adapter.queued,
    connected: adapter.connected,
  })

  function onRecord(r: PsmRecord): void {
    switch (r.kind) {
      case 'machine': {
        const def = definitionOf(r.type)
        const parent = r.parent !== null ? machines.get(r.parent)?.ref : undefined
        const ref: InspectedRef = { sessionId: r.id, id: r.id, send: () => {} }
        if (parent) ref._parent = parent
        if (def) ref.logic = { config: def.config }
        const m: Machine = { ref, probes: def?.probes ?? null, names: def?.names ?? [], active: new Set() }
        machines.set(r.id, m)
        inspector.actor(ref as never, { status: 'active', ...inspectedState(m) })
        return
      }
      case 'tx': {
        const m = machines.get(r.machine)
        if (!m) return
        const event = { type: r.event, ...(r.args ? { args: r.args } : {}), accepted: r.accepted }
        inspector.event(m.ref as never, event)
        if (!r.accepted || (r.added.length === 0 && r.removed.length === 0 && r.touched.length === 0)) return
        for (const s of r.removed) m.active.delete(s)
        for (const s of r.added) m.active.add(s)
        inspector.snapshot(m.ref as never, { status: 'active', ...inspectedState(m) }, { event })
        return
      }
      case 'snapshot': {
        const m = machines.get(r.machine)
        if (m) m.active = new Set(r.active)
        return
      }
      case 'stop': {
        const m = machines.get(r.machine)
        if (!m) return
        inspector.snapshot(m.ref as never, { status: 'stopped', ...inspectedState(m) })
        machines.delete(r.machine)
        return
      }
      default:
    }
  }

  const take = (r: PsmRecord) => {
    if (closed) return
    try {
      onRecord(r)
    } catch {
      // an event the inspector cannot take costs that event, never the machine
    }
  }

  return {
    sink: () => ({
      name: 'inspect',
      write: take,
      dropped: () => adapter.counts.dropped,
      close: async () => {
        await closeStream()
      },
    }),
    attach(recorder) {
      const off = recorder.subscribe(take)
      offs.add(off)
      return () => {
        offs.delete(off)
        off()
      }
    },
    stats,
    connected: () => adapter.whenConnected(),
    close: () => closeStream(),
  }

  function closeStream(): Promise<InspectStats> {
    closed ??= (async () => {
      for (const off of offs) off()
      offs.clear()
      // what is written reaches the socket before it closes; real time, as a virtual clock may stand still
      const deadline = realPerformanceNow() + 2_000
      while (adapter.connected && adapter.bufferedAmount() > 0 && realPerformanceNow() < deadline) {
        await new Promise((r) => realSetTimeout(r, 5))
      }
      inspector.stop()
      return stats()
    })()
    return closed
  }
}
