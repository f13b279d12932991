// One machine as the debugger holds it: its schema (as bits), the absolute indices of its txs, and
// checkpoints of its active set and ticks every CHECKPOINT_EVERY txs (and at every snapshot record), so
// the state at any tx is a replay of at most that many deltas.
import type { MachineSchema, StateSchema } from '../../../machines/schema.js'
import type { LogRecord } from '../../telemetry/records.js'
import { IntList } from './int-list.js'

export const CHECKPOINT_EVERY = 64

export interface LogLine {
  level: LogRecord['level']
  text: string
}

export interface MachineState {
  /** bitmask over the schema order */
  active: number
  ticks: Int32Array
}

export class MachineTrack {
  readonly nStates: number
  readonly stateIndex: Map<string, number>
  readonly multiMask: number
  /** event id → bit index of the Multi state it fires, or -1 (filled as events are seen) */
  readonly eventFire = new Map<number, number>()
  /** absolute global indices of the txs still held, ascending */
  readonly txs = new IntList()
  /** how many of this machine's oldest txs were dropped */
  dropped = 0
  /** checkpoint j: the state after ckCount[j] txs */
  readonly ckCount = new IntList()
  readonly ckActive = new IntList()
  readonly ckTicks = new IntList()
  /** the state after every tx held */
  curActive = 0
  readonly curTicks: Int32Array
  lastSeq = 0
  stopped = false
  /** the libp2p peer id a host machine drives (v2 machine records) */
  peer: string | undefined
  /** live mode: the client that sent it is gone */
  disconnected = false
  /** time of its machine record */
  time = 0
  /** live client that sent it (0 for a file) */
  client: number
  /** log lines sent before the machine's first tx */
  readonly logsBefore: LogLine[] = []
  /** cache of the last state computed, to make single steps cheap */
  private cacheCount = -1
  private cacheActive = 0
  private cacheTicks: Int32Array

  constructor(
    readonly index: number,
    readonly id: string,
    readonly parent: string | null,
    readonly type: string,
    readonly schema: MachineSchema,
    client = 0,
  ) {
    this.client = client
    if (schema.states.length > 31) throw new Error(`machine ${id} has more than 31 states`)
    this.nStates = schema.states.length
    this.stateIndex = new Map(schema.states.map((s, i) => [s.name, i]))
    let multi = 0
    schema.states.forEach((s, i) => {
      if (s.multi) multi |= 1 << i
    })
    this.multiMask = multi
    this.curTicks = new Int32Array(this.nStates)
    this.cacheTicks = new Int32Array(this.nStates)
    this.pushCheckpoint(0, 0, this.curTicks)
  }

  /** txs ever seen (held + dropped) */
  get total(): number {
    return this.dropped + this.txs.length
  }

  get states(): readonly StateSchema[] {
    return this.schema.states
  }

  /** Bitmask of the named states; unknown names make it return -1. */
  mask(names: readonly string[]): number {
    let m = 0
    for (const n of names) {
      const i = this.stateIndex.get(n)
      if (i === undefined) return -1
      m |= 1 << i
    }
    return m
  }

  names(mask: number): string[] {
    const out: string[] = []
    for (let i = 0; i < this.nStates; i++) if (mask & (1 << i)) out.push(this.schema.states[i]!.name)
    return out
  }

  pushCheckpoint(count: number, active: number, ticks: Int32Array): void {
    const last = this.ckCount.length - 1
    if (last >= 0 && this.ckCount.get(last) === count) {
      this.ckActive.set(last, active)
      for (let s = 0; s < this.nStates; s++) this.ckTicks.set(last * this.nStates + s, ticks[s]!)
      return
    }
    this.ckCount.push(count)
    this.ckActive.push(active)
    for (let s = 0; s < this.nStates; s++) this.ckTicks.push(ticks[s]!)
    this.invalidateCache()
  }

  /** Drops checkpoints before `count` (the first kept one must be at `count`). */
  trimCheckpoints(count: number): void {
    const keepFrom = this.ckCount.countAtMost(count) - 1
    if (keepFrom <= 0) return
    this.ckCount.shift(keepFrom)
    this.ckActive.shift(keepFrom)
    this.ckTicks.shift(keepFrom * this.nStates)
  }

  /** After trimCheckpoints(count): makes checkpoint 0 the state after exactly `count` txs. */
  setFirstCheckpoint(count: number, active: number, ticks: Int32Array): void {
    this.ckCount.set(0, count)
    this.ckActive.set(0, active)
    for (let s = 0; s < this.nStates; s++) this.ckTicks.set(s, ticks[s]!)
    this.invalidateCache()
  }

  /** The checkpoint at or before `count`: its index. */
  checkpointBefore(count: number): number {
    return Math.max(0, this.ckCount.countAtMost(count) - 1)
  }

  cached(count: number, ck: number): { active: number; ticks: Int32Array; count: number } | undefined {
    if (this.cacheCount < 0 || this.cacheCount > count || this.cacheCount < ck) return undefined
    return { active: this.cacheActive, ticks: this.cacheTicks.slice(), count: this.cacheCount }
  }

  remember(count: number, active: number, ticks: Int32Array): void {
    this.cacheCount = count
    this.cacheActive = active
    this.cacheTicks.set(ticks)
  }

  invalidateCache(): void {
    this.cacheCount = -1
  }

  get bytes(): number {
    return this.txs.bytes + this.ckCount.bytes + this.ckActive.bytes + this.ckTicks.bytes + 400 + this.nStates * 200
  }
}
