// The virtual clock: simulated time for a whole run. Timers live in a heap ordered by (due, seq); a
// driver running on the real setImmediate waits until the process has nothing runnable left (microtasks
// drained, immediates run, ready I/O handled), then jumps simulated time to the next due timer and fires
// every timer due at that instant, each in its own real immediate so microtasks drain between them as
// they do between Node's own timers. A run of ten simulated minutes costs its CPU work, not ten minutes.
// Paced mode is the same clock never allowed ahead of the wall clock: the driver sleeps (real time)
// until the wall clock reaches the next timer, and when the CPU falls behind, simulated time lags.
import { type HeapNode, TimerHeap } from './virtual-heap.js'
import {
  realClearImmediate,
  realClearTimeout,
  realPerformanceNow,
  realSetImmediate,
  realSetTimeout,
} from './virtual-real.js'

/** Node's largest timer delay; longer (or invalid) delays become 1 ms, as in Node. */
const TIMEOUT_MAX = 2 ** 31 - 1

/** firing: popped, its real immediate queued; running: an interval's callback is executing */
type Callback = (...args: unknown[]) => unknown

type TimerState = 'idle' | 'scheduled' | 'firing' | 'running'

/** A timer of the virtual clock, shaped like Node's Timeout (ref, unref, hasRef, refresh, close, numeric id). */
export class VirtualTimeout implements HeapNode {
  due = 0
  seq = 0
  heapIndex = -1
  state: TimerState = 'idle'
  refed = true
  id = 0

  constructor(
    private readonly clock: VirtualClock,
    readonly callback: Callback,
    readonly args: unknown[],
    /** the delay in ms (after Node's coercion) */
    readonly after: number,
    /** true for setInterval */
    readonly repeat: boolean,
  ) {}

  ref(): this {
    this.clock.setRef(this, true)
    return this
  }

  unref(): this {
    this.clock.setRef(this, false)
    return this
  }

  hasRef(): boolean {
    return this.refed
  }

  /** Restarts the timer from now with its original delay (Node's refresh). */
  refresh(): this {
    this.clock.schedule(this)
    return this
  }

  close(): this {
    this.clock.clear(this)
    return this
  }

  [Symbol.toPrimitive](): number {
    return this.clock.idOf(this)
  }

  [Symbol.dispose](): void {
    this.clock.clear(this)
  }
}

/** An immediate of the virtual clock: a real immediate the driver counts as pending work. */
export class VirtualImmediate {
  done = false
  real: NodeJS.Immediate | undefined

  ref(): this {
    this.real?.ref()
    return this
  }

  unref(): this {
    this.real?.unref()
    return this
  }

  hasRef(): boolean {
    return this.real?.hasRef() ?? false
  }

  [Symbol.dispose](): void {
    this.cancel()
  }

  cancel(): void {
    if (this.done) return
    this.done = true
    VirtualClock.pendingImmediates--
    if (this.real) realClearImmediate(this.real)
  }
}

export interface VirtualClockOptions {
  /** simulated epoch milliseconds at the start (Date.now() of the first instant) */
  startMs: number
  /** never run ahead of the wall clock */
  paced?: boolean
}

export interface ClockStats {
  /** timers fired */
  fired: number
  /** instants the clock jumped to */
  jumps: number
  /** timers scheduled now */
  pending: number
}

export class VirtualClock {
  /** immediates queued and not yet run, process-wide (there is one event loop) */
  static pendingImmediates = 0

  readonly startMs: number
  readonly paced: boolean
  private nowMs: number
  private readonly heap = new TimerHeap<VirtualTimeout>()
  private seq = 0
  private nextId = 1
  private readonly ids = new Map<number, VirtualTimeout>()
  /** ref'd timers scheduled or firing */
  private refs = 0
  /** timers popped and waiting for their real immediate */
  private firing = 0
  /** runs in progress (their main promise has not settled): unref'd timers still fire */
  private holds = 0
  private driver: 'parked' | 'queued' | 'sleeping' = 'parked'
  private sleepTimer: NodeJS.Timeout | undefined
  private sleepUntil = 0
  private stopped = false
  private readonly wallStart: number
  private fired = 0
  private jumps = 0

  constructor(opts: VirtualClockOptions) {
    this.startMs = Math.floor(opts.startMs)
    this.nowMs = this.startMs
    this.paced = opts.paced ?? false
    this.wallStart = realPerformanceNow()
  }

  /** Simulated epoch milliseconds (Date.now). */
  now(): number {
    return this.nowMs
  }

  /** Simulated milliseconds since the clock started (performance.now). */
  elapsed(): number {
    return this.nowMs - this.startMs
  }

  stats(): ClockStats {
    return { fired: this.fired, jumps: this.jumps, pending: this.heap.size + this.firing }
  }

  setTimeout<A extends unknown[]>(callback: (...args: A) => unknown, delay?: number, ...args: A): VirtualTimeout {
    return this.create(callback as Callback, delay, args, false)
  }

  setInterval<A extends unknown[]>(callback: (...args: A) => unknown, delay?: number, ...args: A): VirtualTimeout {
    return this.create(callback as Callback, delay, args, true)
  }

  /** clearTimeout and clearInterval: a timer, its numeric id, or anything else (ignored, as in Node). */
  clear(timer: unknown): void {
    const t = timer instanceof VirtualTimeout ? timer : typeof timer === 'number' ? this.ids.get(timer) : undefined
    if (!t) return
    if (t.state === 'scheduled') this.heap.remove(t)
    if (t.state === 'firing') this.firing--
    this.deactivate(t)
  }

  setImmediate<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): VirtualImmediate {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function')
    const im = new VirtualImmediate()
    VirtualClock.pendingImmediates++
    im.real = realSetImmediate(() => {
      if (im.done) return
      im.done = true
      VirtualClock.pendingImmediates--
      callback(...args)
    })
    this.kick()
    return im
  }

  clearImmediate(im: unknown): void {
    if (im instanceof VirtualImmediate) im.cancel()
  }

  /** A run in progress: until release() the clock also advances to unref'd timers. */
  hold(): () => void {
    this.holds++
    this.kick()
    let released = false
    return () => {
      if (released) return
      released = true
      this.holds--
    }
  }

  /** Stops the driver for good (tests; the CLI exits instead). */
  stop(): void {
    this.stopped = true
    if (this.sleepTimer) realClearTimeout(this.sleepTimer)
  }

  /** @internal */
  idOf(t: VirtualTimeout): number {
    if (t.id === 0) t.id = this.nextId++
    if (t.state !== 'idle') this.ids.set(t.id, t)
    return t.id
  }

  /** @internal (re)schedules a timer `after` ms from now */
  schedule(t: VirtualTimeout): void {
    if (t.state === 'scheduled') this.heap.remove(t)
    else if (t.state === 'firing') this.firing--
    else if (t.state === 'idle' && t.refed) this.refs++
    t.state = 'scheduled'
    t.due = Math.ceil(this.nowMs + t.after)
    t.seq = this.seq++
    this.heap.push(t)
    if (t.id !== 0) this.ids.set(t.id, t)
    this.kick(t.due)
  }

  /** @internal */
  setRef(t: VirtualTimeout, ref: boolean): void {
    if (t.refed === ref) return
    t.refed = ref
    if (t.state !== 'idle') this.refs += ref ? 1 : -1
    if (ref) this.kick()
  }

  private create(callback: Callback, delay: number | undefined, args: unknown[], repeat: boolean): VirtualTimeout {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function')
    let after = Number(delay)
    if (!(after >= 1 && after <= TIMEOUT_MAX)) after = 1
    const t = new VirtualTimeout(this, callback, args, after, repeat)
    this.schedule(t)
    return t
  }

  private deactivate(t: VirtualTimeout): void {
    if (t.state === 'idle') return
    if (t.refed) this.refs--
    t.state = 'idle'
    if (t.id !== 0) this.ids.delete(t.id)
  }

  /** Wakes the driver: something was scheduled (due at `due`, when a timer). */
  private kick(due?: number): void {
    if (this.stopped) return
    if (this.driver === 'parked') {
      this.driver = 'queued'
      realSetImmediate(this.turn)
    } else if (this.driver === 'sleeping' && due !== undefined && due < this.sleepUntil) {
      // paced: an earlier timer than the one we sleep for
      if (this.sleepTimer) realClearTimeout(this.sleepTimer)
      this.sleepTimer = undefined
      this.driver = 'queued'
      realSetImmediate(this.turn)
    }
  }

  private requeue(): void {
    this.driver = 'queued'
    realSetImmediate(this.turn)
  }

  /** One driver turn; runs in the real check phase, so microtasks and ready I/O came first. */
  private readonly turn = (): void => {
    this.driver = 'parked'
    this.sleepTimer = undefined
    if (this.stopped) return
    // runnable work left: let it run first
    if (VirtualClock.pendingImmediates > 0 || this.firing > 0) {
      this.requeue()
      return
    }
    const next = this.heap.peek()
    // nothing scheduled, or only unref'd timers and no run waiting: park (the process may exit, as Node's would)
    if (next === undefined || (this.refs === 0 && this.holds === 0)) return
    if (next.due > this.nowMs) {
      if (this.paced) {
        const wait = this.wallStart + (next.due - this.startMs) - realPerformanceNow()
        if (wait > 0) {
          this.driver = 'sleeping'
          this.sleepUntil = next.due
          this.sleepTimer = realSetTimeout(this.turn, Math.ceil(wait))
          return
        }
      }
      this.nowMs = next.due
      this.jumps++
    }
    // every timer due at this instant, in (due, seq) order, each in its own real immediate
    for (let t = this.heap.peek(); t !== undefined && t.due <= this.nowMs; t = this.heap.peek()) {
      this.heap.pop()
      t.state = 'firing'
      this.firing++
      realSetImmediate(this.fire, t)
    }
    this.requeue()
  }

  private readonly fire = (t: VirtualTimeout): void => {
    // cleared or rescheduled since it was popped
    if (t.state !== 'firing') return
    this.firing--
    this.fired++
    if (t.repeat) t.state = 'running'
    else this.deactivate(t)
    try {
      t.callback.apply(t, t.args)
    } finally {
      // an interval starts its next period when its callback returns, unless the callback cleared or refreshed it
      if (t.state === 'running') this.schedule(t)
    }
  }
}
