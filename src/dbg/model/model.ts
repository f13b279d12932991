// The debugger's model: machines and their transitions as loaded from a file or a live socket, held
// outside React. Producers call `ingest` per record and `changed()` per batch; the UI subscribes.
// Memory is bounded by `budgetBytes`: past it the oldest transitions are dropped (and counted).
import type { MachineSchema } from '../../../machines/schema.js'
import type { HeaderRecord, MachineRecord, MsgRecord, PsmRecord, TxRecord } from '../../telemetry/records.js'
import { applyTicks, fireMask } from '../../telemetry/ticks.js'
import { CHECKPOINT_EVERY, type LogLine, type MachineState, MachineTrack } from './machine-track.js'
import { BYTES_PER_MARK, MessageIndex } from './messages.js'
import { BYTES_PER_TX, FLAG_ACCEPTED, FLAG_MULTI_ONLY, type TxArgs, TxStore } from './tx-store.js'

export interface ModelOptions {
  /** bytes the model may hold (typed arrays, args, log lines) before dropping the oldest txs */
  budgetBytes?: number
  /** 'file' or 'live', shown in the status bar */
  mode?: 'file' | 'live'
  /** the file name or the listen address */
  source?: string
}

export interface TxView {
  g: number
  machine: MachineTrack
  /** 0-based position among the machine's txs (dropped ones included) */
  local: number
  seq: number
  time: number
  event: string
  args: TxArgs | undefined
  accepted: boolean
  added: number
  removed: number
  touched: number
  durationUs: number
  logs: readonly LogLine[]
}

export interface LoadProgress {
  done: boolean
  bytes: number
  totalBytes: number
}

const NOTICES_KEPT = 50

export class DbgModel {
  readonly store = new TxStore()
  readonly machines: MachineTrack[] = []
  readonly byId = new Map<string, MachineTrack>()
  readonly events: string[] = []
  private readonly eventIds = new Map<string, number>()
  /** log lines by the absolute index of the tx they follow */
  private readonly logs = new Map<number, LogLine[]>()
  header: HeaderRecord | undefined
  /** messages followed across machines (msg records) */
  readonly messages = new MessageIndex()
  /** machine id by libp2p peer id (machine records that carry one) */
  readonly peerNames = new Map<string, string>()
  readonly mode: 'file' | 'live'
  readonly source: string
  budgetBytes: number
  /** lines or records skipped as malformed */
  malformed = 0
  firstMalformed: { line: number; why: string } | undefined
  /** transitions dropped to stay under the memory budget */
  droppedTxs = 0
  readonly notices: string[] = []
  progress: LoadProgress = { done: true, bytes: 0, totalBytes: 0 }
  /** bumps on every change; the UI re-renders when it moves */
  version = 0
  /** bumps when a machine is added or changes parent/connection */
  machinesVersion = 0
  private varBytes = 0
  private readonly listeners = new Set<() => void>()
  private soon: ReturnType<typeof setTimeout> | undefined

  constructor(opts: ModelOptions = {}) {
    this.budgetBytes = opts.budgetBytes ?? Number.POSITIVE_INFINITY
    this.mode = opts.mode ?? 'file'
    this.source = opts.source ?? ''
  }

  // --- change notification -------------------------------------------------------------------

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Tells subscribers something changed (producers call it once per batch). */
  changed(): void {
    this.version++
    for (const fn of this.listeners) fn()
  }

  /** Coalesces changes: subscribers hear about them at most once per `ms`. */
  changedSoon(ms = 50): void {
    if (this.soon) return
    this.soon = setTimeout(() => {
      this.soon = undefined
      this.changed()
    }, ms)
    this.soon.unref?.()
  }

  notice(text: string): void {
    this.notices.push(text)
    if (this.notices.length > NOTICES_KEPT) this.notices.shift()
    this.changed()
  }

  skip(line: number, why: string): void {
    this.malformed++
    this.firstMalformed ??= { line, why }
  }

  // --- ingestion -----------------------------------------------------------------------------

  /** Adds one well-formed record. Returns why it was refused, or undefined. */
  ingest(r: PsmRecord, client = 0): string | undefined {
    switch (r.kind) {
      case 'header':
        this.header ??= r
        return undefined
      case 'machine': {
        const t = this.declare(r, client)
        if (!t) return `machine ${r.id} declared twice with another type`
        if (r.peer !== undefined) {
          t.peer = r.peer
          this.peerNames.set(r.peer, t.id)
        }
        return undefined
      }
      case 'msg':
        return this.addMsg(r)
      case 'tx':
        return this.addTx(r)
      case 'snapshot': {
        const t = this.byId.get(r.machine)
        if (!t) return `snapshot for undeclared machine ${r.machine}`
        const active = t.mask(r.active)
        if (active < 0 || r.ticks.length !== t.nStates) return `snapshot of ${r.machine} does not match its schema`
        t.curActive = active
        t.curTicks.set(r.ticks)
        t.lastSeq = r.seq
        t.pushCheckpoint(t.total, active, t.curTicks)
        return undefined
      }
      case 'log': {
        const t = this.byId.get(r.machine)
        if (!t) return `log for undeclared machine ${r.machine}`
        const line: LogLine = { level: r.level, text: r.text }
        // the transition the line names (a line may come after later ones, e.g. when a publish settles)
        const local = r.seq > 0 && r.seq < t.lastSeq ? this.findSeq(t, r.seq) : -1
        const g = local >= t.dropped ? this.globalOf(t, local) : t.txs.last()
        if (g === undefined) t.logsBefore.push(line)
        else {
          const list = this.logs.get(g)
          if (list) list.push(line)
          else this.logs.set(g, [line])
        }
        this.varBytes += 64 + r.text.length
        return undefined
      }
      case 'stop': {
        const t = this.byId.get(r.machine)
        if (!t) return `stop for undeclared machine ${r.machine}`
        t.stopped = true
        if (typeof r.time === 'number') this.messages.stoppedAt.set(t.index, r.time)
        this.machinesVersion++
        return undefined
      }
    }
  }

  /**
   * Declares a machine (or finds it again: a reconnecting live client re-sends its machines).
   * Returns undefined when the id exists with another type.
   */
  declare(r: Pick<MachineRecord, 'id' | 'parent' | 'type' | 'schema' | 'time'>, client = 0): MachineTrack | undefined {
    const known = this.byId.get(r.id)
    if (known) {
      if (known.type !== r.type) return undefined
      known.disconnected = false
      known.client = client
      this.machinesVersion++
      return known
    }
    const t = new MachineTrack(this.machines.length, r.id, r.parent, r.type, r.schema as MachineSchema, client)
    t.time = r.time
    this.machines.push(t)
    this.byId.set(r.id, t)
    this.machinesVersion++
    return t
  }

  private eventId(name: string): number {
    let id = this.eventIds.get(name)
    if (id === undefined) {
      id = this.events.length
      this.events.push(name)
      this.eventIds.set(name, id)
      this.varBytes += 64 + name.length * 2
    }
    return id
  }

  private addMsg(r: MsgRecord): string | undefined {
    const t = this.byId.get(r.machine)
    if (!t) return `msg for undeclared machine ${r.machine}`
    // the transition it belongs to is normally the machine's latest or close to it
    const local = r.seq > 0 ? this.findSeq(t, r.seq) : -1
    const from = r.from === undefined ? undefined : this.byId.get(r.from)
    this.messages.add(r.id, r.topic, {
      machine: t.index,
      g: local >= t.dropped ? this.globalOf(t, local) : -1,
      time: r.time,
      mark: r.mark,
      from: from ? from.index : -1,
      fromName: from ? undefined : r.from,
      netMs: r.netMs,
      queueMs: r.queueMs,
      reason: r.reason,
    })
    return undefined
  }

  private addTx(r: TxRecord): string | undefined {
    const t = this.byId.get(r.machine)
    if (!t) return `tx for undeclared machine ${r.machine}`
    const added = t.mask(r.added)
    const removed = t.mask(r.removed)
    const touched = t.mask(r.touched)
    if (added < 0 || removed < 0 || touched < 0) return `tx of ${r.machine} names a state not in its schema`
    const ev = this.eventId(r.event)
    let fire = -1
    if (r.accepted) {
      let f = t.eventFire.get(ev)
      if (f === undefined) {
        const i = t.stateIndex.get(r.event)
        f = i !== undefined && t.schema.states[i]!.multi ? i : -1
        t.eventFire.set(ev, f)
      }
      fire = f
    }
    let flags = r.accepted ? FLAG_ACCEPTED : 0
    if (r.accepted && (added | removed) === 0 && (touched & ~t.multiMask) === 0 && touched !== 0) {
      flags |= FLAG_MULTI_ONLY
    }
    this.ensureRoom()
    const total = t.total
    if (total > 0 && total % CHECKPOINT_EVERY === 0) t.pushCheckpoint(total, t.curActive, t.curTicks)
    const g = this.store.push(t.index, r.seq, r.time, ev, added, removed, touched, r.durationUs, flags, fire, r.args)
    t.txs.push(g)
    if ((r.event === 'AddSubscription' || r.event === 'RemoveSubscription') && r.accepted) {
      const topic = r.args?.topic
      if (typeof topic === 'string') this.messages.subscription(topic, t.index, r.time, r.event === 'AddSubscription')
    }
    t.curActive = applyTicks(t.curTicks, t.curActive, added, removed, fireMask(fire))
    t.lastSeq = r.seq
    if ((g & 255) === 0 && this.budgetBytes !== Number.POSITIVE_INFINITY) this.enforceBudget()
    return undefined
  }

  // --- memory --------------------------------------------------------------------------------

  estimateBytes(): number {
    let tracks = 0
    for (const t of this.machines) tracks += t.bytes
    return (
      this.store.capacity * BYTES_PER_TX +
      this.store.argBytes.length +
      tracks +
      this.varBytes +
      this.messages.marks * BYTES_PER_MARK
    )
  }

  private ensureRoom(): void {
    if (this.store.length < this.store.capacity || this.budgetBytes === Number.POSITIVE_INFINITY) return
    const grown = Math.ceil(this.store.capacity * 1.5) * BYTES_PER_TX
    if (this.estimateBytes() - this.store.capacity * BYTES_PER_TX + grown > this.budgetBytes) {
      this.dropOldest(Math.ceil(this.store.length / 4))
    }
  }

  /** Drops the oldest quarter while the estimate is over budget. */
  enforceBudget(): void {
    while (this.estimateBytes() > this.budgetBytes && this.store.length > 0) {
      this.dropOldest(Math.ceil(this.store.length / 4))
    }
  }

  /** Forgets the `n` oldest txs; every machine keeps its state at the new start as a checkpoint. */
  dropOldest(n: number): void {
    const k = Math.min(n, this.store.length)
    if (k <= 0) return
    const newBase = this.store.base + k
    for (const t of this.machines) {
      const d = t.txs.countAtMost(newBase - 1)
      if (d === 0) continue
      const st = this.stateAfter(t, t.dropped + d)
      t.txs.shift(d)
      t.dropped += d
      t.trimCheckpoints(t.dropped)
      t.setFirstCheckpoint(t.dropped, st.active, st.ticks)
      t.logsBefore.length = 0
      t.invalidateCache()
    }
    const held = this.store.length
    this.store.dropOldest(k)
    // keys arrive nearly but not exactly in order (a log follows its machine's latest tx): check all
    for (const g of this.logs.keys()) if (g < newBase) this.logs.delete(g)
    this.messages.dropBefore(newBase)
    this.varBytes = Math.round((this.varBytes * (held - k)) / held)
    this.droppedTxs += k
    this.machinesVersion++
  }

  // --- queries -------------------------------------------------------------------------------

  /** Number of txs held. */
  get txCount(): number {
    return this.store.length
  }

  get firstGlobal(): number {
    return this.store.base
  }

  get lastGlobal(): number {
    return this.store.end - 1
  }

  /** The machine's txs up to and including absolute index g (dropped ones counted). */
  countUpTo(t: MachineTrack, g: number): number {
    return t.dropped + t.txs.countAtMost(g)
  }

  /** Absolute index of the machine's tx at 0-based position `local` (which must be held). */
  globalOf(t: MachineTrack, local: number): number {
    return t.txs.get(local - t.dropped)
  }

  /** The state after the machine's first `count` txs (count >= t.dropped). */
  stateAfter(t: MachineTrack, count: number): MachineState {
    const n = Math.max(t.dropped, Math.min(count, t.total))
    const ck = t.checkpointBefore(n)
    const ckCount = t.ckCount.get(ck)
    let active: number
    let ticks: Int32Array
    let from: number
    const c = t.cached(n, ckCount)
    if (c) {
      active = c.active
      ticks = c.ticks
      from = c.count
    } else {
      active = t.ckActive.get(ck)
      ticks = t.ckTicks.data.slice(ck * t.nStates, ck * t.nStates + t.nStates)
      from = ckCount
    }
    const s = this.store
    for (let local = from; local < n; local++) {
      const slot = t.txs.get(local - t.dropped) - s.base
      active = applyTicks(ticks, active, s.added[slot]!, s.removed[slot]!, fireMask(s.fire[slot]!))
    }
    t.remember(n, active, ticks)
    return { active, ticks }
  }

  tx(g: number): TxView | undefined {
    const s = this.store
    if (!s.has(g)) return undefined
    const slot = g - s.base
    const t = this.machines[s.machine[slot]!]!
    return {
      g,
      machine: t,
      local: t.dropped + t.txs.countAtMost(g) - 1,
      seq: s.seq[slot]!,
      time: s.time[slot]!,
      event: this.events[s.event[slot]!]!,
      args: s.argsAt(slot),
      accepted: (s.flags[slot]! & FLAG_ACCEPTED) !== 0,
      added: s.added[slot]!,
      removed: s.removed[slot]!,
      touched: s.touched[slot]!,
      durationUs: s.durationUs[slot]!,
      logs: this.logs.get(g) ?? [],
    }
  }

  /** Event name and seq of the tx at absolute index g, without decoding its args (undefined when not held). */
  eventAndSeq(g: number): { event: string; seq: number } | undefined {
    const s = this.store
    if (!s.has(g)) return undefined
    const slot = g - s.base
    return { event: this.events[s.event[slot]!]!, seq: s.seq[slot]! }
  }

  /** Time of the tx at absolute index g (NaN when not held). */
  timeOf(g: number): number {
    return this.store.has(g) ? this.store.time[g - this.store.base]! : Number.NaN
  }

  /** Local position of the machine's tx with this seq, or -1. */
  findSeq(t: MachineTrack, seq: number): number {
    const s = this.store
    let lo = 0
    let hi = t.txs.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const v = s.seq[t.txs.get(mid) - s.base]!
      if (v === seq) return t.dropped + mid
      if (v < seq) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }

  childrenOf(t: MachineTrack): MachineTrack[] {
    return this.machines.filter((m) => m.parent === t.id)
  }

  /** The machine and every machine below it, parents first. */
  subtree(t: MachineTrack): MachineTrack[] {
    const out = [t]
    for (let i = 0; i < out.length; i++) out.push(...this.childrenOf(out[i]!))
    return out
  }

  logsOf(g: number): readonly LogLine[] {
    return this.logs.get(g) ?? []
  }

  /** Absolute indices of the txs that carry log lines (search). */
  logKeys(): IterableIterator<number> {
    return this.logs.keys()
  }

  /** A peer as a machine id when a machine record names it. */
  peerName(peer: string): string {
    return this.peerNames.get(peer) ?? peer
  }
}
