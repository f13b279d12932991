// The debugger's transition store: every tx of every machine, in arrival order, as columns of typed
// arrays (a few dozen bytes per tx instead of a JS object). A tx is addressed by its absolute global
// index `g`, which never changes; dropping the oldest txs (the --max-mem bound) raises `base`.
// Args are kept as UTF-8 JSON in one byte buffer (decoded only for the tx on screen): a million JS
// objects would cost memory and, worse, long garbage-collection pauses while stepping.
import type { TxRecord } from '../../telemetry/records.js'

export type TxArgs = NonNullable<TxRecord['args']>

export const FLAG_ACCEPTED = 1
/** accepted, no state added or removed, only Multi states touched */
export const FLAG_MULTI_ONLY = 2

/** Fixed bytes per stored tx (every column), used by the memory estimate. */
export const BYTES_PER_TX = 4 + 4 + 8 + 4 + 4 + 4 + 4 + 4 + 1 + 1 + 4

export class TxStore {
  /** absolute index of slot 0 */
  base = 0
  /** txs held */
  length = 0
  machine: Int32Array
  seq: Int32Array
  time: Float64Array
  event: Int32Array
  added: Int32Array
  removed: Int32Array
  touched: Int32Array
  durationUs: Float32Array
  flags: Uint8Array
  /** bit index of the Multi state the tx fired, or -1 */
  fire: Int8Array
  /** end offset of each tx's args JSON in `argBytes` (empty range: no args) */
  argsEnd: Int32Array
  argBytes = new Uint8Array(64 * 1024)
  /** bytes of `argBytes` in use */
  argLength = 0

  constructor(capacity = 1024) {
    this.machine = new Int32Array(capacity)
    this.seq = new Int32Array(capacity)
    this.time = new Float64Array(capacity)
    this.event = new Int32Array(capacity)
    this.added = new Int32Array(capacity)
    this.removed = new Int32Array(capacity)
    this.touched = new Int32Array(capacity)
    this.durationUs = new Float32Array(capacity)
    this.flags = new Uint8Array(capacity)
    this.fire = new Int8Array(capacity)
    this.argsEnd = new Int32Array(capacity)
  }

  get capacity(): number {
    return this.machine.length
  }

  /** one past the newest absolute index */
  get end(): number {
    return this.base + this.length
  }

  has(g: number): boolean {
    return g >= this.base && g < this.base + this.length
  }

  /** Appends one tx; returns its absolute index. */
  push(
    machine: number,
    seq: number,
    time: number,
    event: number,
    added: number,
    removed: number,
    touched: number,
    durationUs: number,
    flags: number,
    fire: number,
    args: TxArgs | undefined,
  ): number {
    if (this.length === this.capacity) this.grow()
    const i = this.length++
    this.machine[i] = machine
    this.seq[i] = seq
    this.time[i] = time
    this.event[i] = event
    this.added[i] = added
    this.removed[i] = removed
    this.touched[i] = touched
    this.durationUs[i] = durationUs
    this.flags[i] = flags
    this.fire[i] = fire
    if (args !== undefined) this.putArgs(JSON.stringify(args))
    this.argsEnd[i] = this.argLength
    return this.base + i
  }

  /** The args of the tx in `slot`, decoded. */
  argsAt(slot: number): TxArgs | undefined {
    const start = slot === 0 ? 0 : this.argsEnd[slot - 1]!
    const end = this.argsEnd[slot]!
    if (end === start) return undefined
    return JSON.parse(Buffer.from(this.argBytes.buffer, start, end - start).toString('utf8')) as TxArgs
  }

  private putArgs(json: string): void {
    const need = this.argLength + json.length * 3
    if (need > this.argBytes.length) {
      const next = new Uint8Array(Math.max(need, Math.ceil(this.argBytes.length * 1.5)))
      next.set(this.argBytes.subarray(0, this.argLength))
      this.argBytes = next
    }
    this.argLength += Buffer.from(this.argBytes.buffer).write(json, this.argLength, 'utf8')
  }

  /** Forgets the `n` oldest txs. */
  dropOldest(n: number): void {
    const k = Math.min(n, this.length)
    if (k <= 0) return
    const cut = this.argsEnd[k - 1]!
    for (const a of this.columns()) a.copyWithin(0, k, this.length)
    this.length -= k
    this.base += k
    if (cut > 0) {
      this.argLength -= cut
      if (this.argLength < this.argBytes.length / 2) {
        // give memory back: the budget counts the buffer, not what is used of it
        this.argBytes = this.argBytes.slice(cut, cut + Math.max(64 * 1024, Math.ceil(this.argLength * 1.25)))
      } else this.argBytes.copyWithin(0, cut, cut + this.argLength)
      for (let i = 0; i < this.length; i++) this.argsEnd[i]! -= cut
    }
  }

  private columns(): Array<Int32Array | Float64Array | Float32Array | Uint8Array | Int8Array> {
    return [
      this.machine,
      this.seq,
      this.time,
      this.event,
      this.added,
      this.removed,
      this.touched,
      this.durationUs,
      this.flags,
      this.fire,
      this.argsEnd,
    ]
  }

  private grow(): void {
    // 1.5× keeps the transient copy small next to a --max-mem bound
    const cap = Math.max(1024, Math.ceil(this.capacity * 1.5))
    const grown = <T extends Int32Array | Float64Array | Float32Array | Uint8Array | Int8Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(cap)
      b.set(a.subarray(0, this.length) as never)
      return b
    }
    this.machine = grown(this.machine, (n) => new Int32Array(n))
    this.seq = grown(this.seq, (n) => new Int32Array(n))
    this.time = grown(this.time, (n) => new Float64Array(n))
    this.event = grown(this.event, (n) => new Int32Array(n))
    this.added = grown(this.added, (n) => new Int32Array(n))
    this.removed = grown(this.removed, (n) => new Int32Array(n))
    this.touched = grown(this.touched, (n) => new Int32Array(n))
    this.durationUs = grown(this.durationUs, (n) => new Float32Array(n))
    this.flags = grown(this.flags, (n) => new Uint8Array(n))
    this.fire = grown(this.fire, (n) => new Int8Array(n))
    this.argsEnd = grown(this.argsEnd, (n) => new Int32Array(n))
  }
}
