// The recorder: observes actors from outside (xstate inspection) and turns every processed event
// into one transition record, which it hands to its sinks and subscribers. Machines never call it.
import type { AnyActorRef, InspectionEvent } from 'xstate'
import { compileProbe, type DerivedMachine, deriveMachine, type MachineSchema } from '../../machines/schema.js'
import { realPerformanceNow } from '../clock/virtual-real.js'
import type { LogRecord, MsgRecord, NetworkLogEntry, PsmRecord, Sink, WriteTx } from './records.js'
import { LOG_FORMAT, LOG_VERSION, recordArgs, txRecord } from './records.js'
import { applyTicks } from './ticks.js'

export interface RecorderOptions {
  /** what produced the log, written in the header */
  source?: string
  /** a snapshot record every N txs of a machine (default 1000) */
  snapshotEvery?: number
  /** wall clock in ms (tests pass a fake one) */
  now?: () => number
  /** the run's network model, written in the header */
  network?: NetworkLogEntry
}

interface Tracked {
  id: string
  parent: string | null
  schema: MachineSchema
  probe: (s: { value: unknown; context: unknown }) => number
  /** bit of each Multi state by event name */
  multiBit: Map<string, number>
  /** bit of each state by `add.X` / `remove.X` event name */
  namedBit: Map<string, number>
  /** state names by mask, shared by every machine of the same schema */
  names: Map<number, readonly string[]>
  flagsOnly: boolean
  /** `context.flags` the mask was last probed from (flag-only machines; -1: none yet) */
  probedFlags: number
  probedMask: number
  mask: number
  seq: number
  ticks: Uint32Array
  // per event in progress
  eventType: string | null
  eventArgs: unknown
  accepted: boolean
  startedAt: number
  stopped: boolean
}

interface CachedDerivation {
  derived: DerivedMachine
  probe: Tracked['probe']
  multiBit: Map<string, number>
  namedBit: Map<string, number>
  names: Map<number, readonly string[]>
  /** every state is a context flag (or Multi): the mask is a function of `context.flags` alone */
  flagsOnly: boolean
}

/** What the recorder reads of xstate's system to dispatch inspection itself (xstate 5 internals). */
interface InspectedSystem {
  _sendInspectionEvent?: (ev: InspectionEvent) => void
  inspect?: (observer: unknown) => unknown
}

/**
 * Short names for xstate's internal events: `xstate.done.actor.connect` → `done.connect`,
 * `xstate.after.heartbeat.sim.Start.active` → `after.heartbeat`, `xstate.error.actor.x` → `error.x`.
 */
export function eventName(type: string): string {
  if (!type.startsWith('xstate.')) return type
  if (type === 'xstate.init') return 'init'
  if (type.startsWith('xstate.done.actor.')) return `done.${type.slice(18)}`
  if (type.startsWith('xstate.error.actor.')) return `error.${type.slice(19)}`
  if (type.startsWith('xstate.after.')) return `after.${type.slice(13).split('.')[0]}`
  return type.slice(7)
}

function bitsToNames(mask: number, schema: MachineSchema): string[] {
  const out: string[] = []
  for (let i = 0; mask !== 0 && i < schema.states.length; i++) {
    if (mask & (1 << i)) {
      out.push(schema.states[i]!.name)
      mask &= ~(1 << i)
    }
  }
  return out
}

export { recordArgs }

const NO_NAMES: readonly string[] = Object.freeze([])

/**
 * State names of a mask, one frozen array per mask and schema: a machine meets few distinct masks, so
 * tx records share them instead of building three arrays per event (consumers only read them, and
 * the file sink serialises each shared array once).
 */
function namesOf(mask: number, schema: MachineSchema, cache: Map<number, readonly string[]>): string[] {
  if (mask === 0) return NO_NAMES as string[]
  let names = cache.get(mask)
  if (!names) {
    names = Object.freeze(bitsToNames(mask, schema))
    cache.set(mask, names)
  }
  return names as string[]
}

export class Recorder {
  private readonly sinks: Sink[] = []
  /** the sinks' `writeTx`, bound: they take tx records field by field */
  private readonly txWriters: WriteTx[] = []
  /** sinks without `writeTx`: they take a tx record object */
  private readonly recordSinks: Sink[] = []
  private readonly subscribers = new Set<(r: PsmRecord) => void>()
  private readonly pending = new Map<string, string | null>()
  private readonly bySession = new Map<string, Tracked>()
  private readonly byId = new Map<string, Tracked>()
  private readonly derivations = new WeakMap<object, CachedDerivation>()
  private readonly notMachines = new WeakSet<object>()
  private readonly snapshotEvery: number
  private readonly now: () => number
  private readonly source: string | undefined
  private headerSent = false
  private network: NetworkLogEntry | undefined
  private closed = false
  private txCount = 0
  /** machine id by libp2p peer id, and back: args name peers by machine id */
  private readonly machineOfPeer = new Map<string, string>()
  private readonly peerOfMachine = new Map<string, string>()
  readonly inspect: (ev: InspectionEvent) => void

  constructor(opts: RecorderOptions = {}) {
    this.snapshotEvery = Math.max(1, opts.snapshotEvery ?? 1000)
    this.now = opts.now ?? Date.now
    this.source = opts.source
    this.network = opts.network
    this.inspect = (ev) => this.onInspect(ev)
  }

  /** The network model of the run, for the header; ignored once the header is out (call before the run). */
  setNetwork(entry: NetworkLogEntry): void {
    if (!this.headerSent) this.network = entry
  }

  addSink(sink: Sink): void {
    this.sinks.push(sink)
    if (sink.writeTx) this.txWriters.push(sink.writeTx.bind(sink))
    else this.recordSinks.push(sink)
  }

  /** In-process consumers (metrics, traces). Returns the unsubscribe function. */
  subscribe(fn: (r: PsmRecord) => void): () => void {
    this.subscribers.add(fn)
    return () => this.subscribers.delete(fn)
  }

  /**
   * Options for `createActor`: the root actor is recorded as machine `id` (under `parent`, a label for
   * trees built by hand). Actors it spawns are recorded under it without being named here.
   */
  actorOptions(id: string, parent: string | null = null): { id: string; inspect: (ev: InspectionEvent) => void } {
    this.pending.set(id, parent)
    return { id, inspect: this.inspect }
  }

  /**
   * Names a host: machine `machine` drives the libp2p peer `peer`. From then on `peerName(peer)` is the
   * machine id, and the machine record carries the peer id (sent again when the machine was already out).
   */
  namePeer(machine: string, peer: string): void {
    this.machineOfPeer.set(peer, machine)
    this.peerOfMachine.set(machine, peer)
    const t = this.byId.get(machine)
    if (t && !t.stopped && !this.closed) {
      // to the sinks only (the log's readers take a machine record again that adds `peer`): in-process
      // subscribers (traces, metrics) would take a second machine record for a restart; they can ask
      // `peerName` instead
      const r: PsmRecord = {
        kind: 'machine',
        id: t.id,
        parent: t.parent,
        type: t.schema.type,
        schema: t.schema,
        time: this.now(),
        peer,
      }
      for (const s of this.sinks) {
        try {
          s.write(r)
        } catch {}
      }
    }
  }

  /** The machine id of a peer id when a host of this recorder drives it; else the peer id itself. */
  peerName(peer: string): string {
    return this.machineOfPeer.get(peer) ?? peer
  }

  /** The machine's last transition seq (0 before its first). */
  seqOf(machine: string): number {
    return this.byId.get(machine)?.seq ?? 0
  }

  /** A message's fate at a host (see MsgRecord); `seq` defaults to the machine's last transition. */
  msg(m: Omit<MsgRecord, 'kind' | 'time' | 'seq'> & { seq?: number }): void {
    const rec: MsgRecord = { kind: 'msg', ...m, seq: m.seq ?? this.seqOf(m.machine), time: this.now() }
    this.emit(rec)
  }

  /** A log line for a machine, at its current seq (or at `seq`, a transition it wrote earlier). */
  log(machine: string, level: LogRecord['level'], text: string, seq?: number): void {
    this.emit({ kind: 'log', machine, seq: seq ?? this.byId.get(machine)?.seq ?? 0, level, text })
  }

  /**
   * Whether events of this actor may be recorded without xstate's step (`recordUnstepped`): the actor is
   * recorded here, running, and this recorder is its system's only observer (so skipping the step hides
   * nothing from anyone else, e.g. a Stately inspector).
   */
  canRecordUnstepped(ref: AnyActorRef): boolean {
    const t = this.bySession.get(ref.sessionId)
    if (!t || t.stopped || t.eventType !== null || this.closed) return false
    return (ref.system as unknown as InspectedSystem)._sendInspectionEvent === this.inspect
  }

  /**
   * The record xstate's step would have produced for an event whose transition cannot change the snapshot
   * (no target, guard or assign: the pubsub host's trivial Multi events, see `trivialMultiEvents`), written
   * by a caller that ran the event's action itself: accepted, the same active states, the event's own
   * multi state fired. `startedAt` is when the action began (real ms). Call only when `canRecordUnstepped`.
   */
  recordUnstepped(ref: AnyActorRef, type: string, args: unknown, startedAt: number): void {
    const t = this.bySession.get(ref.sessionId)
    if (!t) return
    t.eventType = eventName(type)
    t.eventArgs = args
    t.accepted = true
    t.startedAt = startedAt
    this.onTx(t, ref.getSnapshot() as { value: unknown; context: unknown })
  }

  /** Records that the actor with this id stopped (xstate does not inspect a stop). */
  detach(id: string): void {
    const t = this.byId.get(id)
    if (t) {
      this.stopMachine(t)
      this.byId.delete(id)
      for (const [session, x] of this.bySession) if (x === t) this.bySession.delete(session)
    }
    this.pending.delete(id)
  }

  /** Number of tx records emitted so far. */
  transitions(): number {
    return this.txCount
  }

  /** Records dropped by sinks, by sink name. */
  dropped(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const s of this.sinks) out[s.name] = s.dropped()
    return out
  }

  /** Emits stop records for live machines, then flushes and closes every sink. */
  async close(): Promise<void> {
    if (this.closed) return
    for (const t of this.bySession.values()) this.stopMachine(t)
    this.closed = true
    await Promise.all(this.sinks.map((s) => s.close().catch(() => {})))
  }

  private emit(r: PsmRecord): void {
    if (this.closed) return
    if (!this.headerSent) {
      this.headerSent = true
      const header: PsmRecord = {
        kind: 'header',
        format: LOG_FORMAT,
        version: LOG_VERSION,
        time: this.now(),
        snapshotEvery: this.snapshotEvery,
        ...(this.source ? { source: this.source } : {}),
        ...(this.network ? { network: this.network } : {}),
      }
      this.dispatch(header)
    }
    this.dispatch(r)
  }

  /** Hands a record to the sinks (or, `all` false, to those without `writeTx`) and the subscribers. */
  private dispatch(r: PsmRecord, all = true): void {
    for (const s of all ? this.sinks : this.recordSinks) {
      try {
        s.write(r)
      } catch {
        // a sink never throws into a machine
      }
    }
    for (const fn of this.subscribers) {
      try {
        fn(r)
      } catch {}
    }
  }

  private derive(logic: object): CachedDerivation {
    let d = this.derivations.get(logic)
    if (!d) {
      const derived = deriveMachine(logic as Parameters<typeof deriveMachine>[0])
      const multiBit = new Map<string, number>()
      const namedBit = new Map<string, number>()
      derived.schema.states.forEach((s, i) => {
        if (s.multi) multiBit.set(s.name, 1 << i)
        namedBit.set(`add.${s.name}`, 1 << i)
        namedBit.set(`remove.${s.name}`, 1 << i)
        if (s.name === 'Exception') namedBit.set('Exception', 1 << i)
      })
      const flagsOnly = derived.probes.every((p) => p.kind === 'flag' || p.kind === 'multi')
      d = { derived, probe: compileProbe(derived.probes), multiBit, namedBit, names: new Map(), flagsOnly }
      this.derivations.set(logic, d)
    }
    return d
  }

  /**
   * xstate's system copies every inspection event (`{ ...event, rootId }`) before handing it to its
   * observers, four copies per processed event; the copies were the recorder's largest single cost. A
   * root actor created with `actorOptions` has this recorder as its system's only observer, so the
   * system may hand events straight to it. Adding any other observer puts xstate's dispatch back.
   */
  private dispatchDirectly(ref: AnyActorRef): void {
    const actor = ref as unknown as { _parent?: unknown; options?: { inspect?: unknown } }
    // only a root actor whose own inspect option is this recorder: then nobody else observes its system
    if (actor._parent !== undefined || actor.options?.inspect !== this.inspect) return
    const system = ref.system as unknown as InspectedSystem
    const send = system._sendInspectionEvent
    const inspect = system.inspect
    if (typeof send !== 'function' || typeof inspect !== 'function') return
    system._sendInspectionEvent = this.inspect
    system.inspect = (observer) => {
      system._sendInspectionEvent = send
      system.inspect = inspect
      return inspect.call(system, observer)
    }
  }

  private onInspect(ev: InspectionEvent): void {
    const ref = ev.actorRef as AnyActorRef
    switch (ev.type) {
      case '@xstate.actor': {
        // recorded: the actors named to `actorOptions` and every psm machine spawned under a recorded one
        const up = (ref as { _parent?: AnyActorRef })._parent
        const named = this.pending.has(ref.id)
        if (!named && !(up && this.bySession.has(up.sessionId))) return
        // the parent is the actor that spawned this one; only a root actor keeps the label it was given
        const parent = up ? up.id : (this.pending.get(ref.id) ?? null)
        if (named) this.pending.delete(ref.id)
        const logic = (ref as unknown as { logic: object }).logic
        if (this.notMachines.has(logic)) return
        let d: CachedDerivation
        try {
          d = this.derive(logic)
        } catch {
          this.notMachines.add(logic) // not a psm machine (e.g. a machine's invoked work)
          return
        }
        const schema = d.derived.schema
        const t: Tracked = {
          id: ref.id,
          parent,
          schema,
          probe: d.probe,
          multiBit: d.multiBit,
          namedBit: d.namedBit,
          names: d.names,
          flagsOnly: d.flagsOnly,
          probedFlags: -1,
          probedMask: 0,
          mask: 0,
          seq: 0,
          ticks: new Uint32Array(schema.states.length),
          eventType: null,
          eventArgs: undefined,
          accepted: false,
          startedAt: 0,
          stopped: false,
        }
        this.bySession.set(ref.sessionId, t)
        this.byId.set(t.id, t)
        this.dispatchDirectly(ref)
        const peer = this.peerOfMachine.get(t.id)
        this.emit({
          kind: 'machine',
          id: t.id,
          parent,
          type: schema.type,
          schema,
          time: this.now(),
          ...(peer ? { peer } : {}),
        })
        return
      }
      case '@xstate.microstep': {
        // xstate inspects `@xstate.event` when an event is *sent*; an event queued while the actor is
        // busy would be taken for the one in progress. Microsteps and snapshots carry the event being
        // processed, so a transition starts at its first microstep.
        const t = this.bySession.get(ref.sessionId)
        if (!t || t.stopped) return
        if (t.eventType === null) {
          const e = ev.event as { type: string; args?: unknown }
          t.eventType = eventName(e.type)
          t.eventArgs = e.args
          t.accepted = false
          t.startedAt = realPerformanceNow()
        }
        if (ev._transitions.length > 0) t.accepted = true
        return
      }
      case '@xstate.snapshot': {
        const t = this.bySession.get(ref.sessionId)
        if (!t || t.stopped) return
        const snap = ev.snapshot as unknown as { value: unknown; context: unknown; status: string }
        if (t.eventType === null) {
          // no microstep: the initial snapshot, or an event that selected nothing
          const e = ev.event as { type: string; args?: unknown }
          t.eventType = eventName(e.type)
          t.eventArgs = e.args
          t.accepted = e.type === 'xstate.init'
          t.startedAt = realPerformanceNow()
        }
        this.onTx(t, snap)
        if (snap.status !== 'active') this.stopMachine(t)
        return
      }
    }
  }

  private onTx(t: Tracked, snap: { value: unknown; context: unknown }): void {
    const type = t.eventType!
    const durationUs = Math.round((realPerformanceNow() - t.startedAt) * 1000)
    const mask = this.probe(t, snap)
    const addedMask = mask & ~t.mask
    const removedMask = t.mask & ~mask
    const fired = t.accepted ? (t.multiBit.get(type) ?? 0) : 0
    const touchedMask = addedMask | removedMask | fired | (t.namedBit.get(type) ?? 0)
    t.mask = mask
    t.seq++
    this.txCount++
    applyTicks(t.ticks, t.mask, addedMask, removedMask, fired)
    const added = namesOf(addedMask, t.schema, t.names)
    const removed = namesOf(removedMask, t.schema, t.names)
    const touched = namesOf(touchedMask, t.schema, t.names)
    const time = this.now()
    const args = t.eventArgs
    t.eventType = null
    t.eventArgs = undefined
    if (!this.closed) {
      // sinks that serialise take the fields; a record object only for those that keep or read one
      for (const w of this.txWriters) {
        try {
          w(t.id, t.seq, time, type, args, t.accepted, added, removed, touched, durationUs)
        } catch {
          // a sink never throws into a machine
        }
      }
      if (this.recordSinks.length > 0 || this.subscribers.size > 0) {
        this.dispatch(txRecord(t.id, t.seq, time, type, args, t.accepted, added, removed, touched, durationUs), false)
      }
    }
    if (t.seq % this.snapshotEvery === 0) {
      this.emit({
        kind: 'snapshot',
        machine: t.id,
        seq: t.seq,
        active: bitsToNames(t.mask, t.schema),
        ticks: Array.from(t.ticks),
      })
    }
  }

  /** The active mask; a flag-only machine is probed again only when its flags changed. */
  private probe(t: Tracked, snap: { value: unknown; context: unknown }): number {
    if (!t.flagsOnly) return t.probe(snap)
    const flags = ((snap.context as { flags?: number } | undefined)?.flags ?? 0) | 0
    if (flags !== t.probedFlags) {
      t.probedFlags = flags
      t.probedMask = t.probe(snap)
    }
    return t.probedMask
  }

  private stopMachine(t: Tracked): void {
    if (t.stopped) return
    t.stopped = true
    this.emit({ kind: 'stop', machine: t.id, seq: t.seq, time: this.now() })
  }
}
