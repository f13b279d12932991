// A clock that moves only when told to: unit tests of the model's queues, and the core a virtual clock
// (issue 13) can drive — it holds the due timers in order and fires them as time advances.
import type { Clock, TimerHandle } from './clock.js'

interface ManualTimer extends TimerHandle {
  due: number
  fn: () => void
}

export class ManualClock implements Clock {
  readonly kind = 'manual'
  private time: number
  private seq = 0
  /** sorted by due time, then by the order set (ids grow) */
  private timers: ManualTimer[] = []

  constructor(start = 0) {
    this.time = start
  }

  now(): number {
    return this.time
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { id: ++this.seq, due: this.time + Math.max(0, ms), fn }
    // insert after every timer due at or before it: equal due times keep the order they were set in
    let lo = 0
    let hi = this.timers.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.timers[mid]!.due <= timer.due) lo = mid + 1
      else hi = mid
    }
    this.timers.splice(lo, 0, timer)
    return timer
  }

  clearTimer(handle: TimerHandle): void {
    const i = this.timers.findIndex((t) => t.id === handle.id)
    if (i >= 0) this.timers.splice(i, 1)
  }

  timeoutSignal(ms: number): AbortSignal {
    const controller = new AbortController()
    this.setTimer(() => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')), ms)
    return controller.signal
  }

  /** the due time of the next timer, if any */
  nextDue(): number | undefined {
    return this.timers[0]?.due
  }

  /** how many timers are pending */
  pending(): number {
    return this.timers.length
  }

  /** moves time forward by `ms`, firing every timer due on the way (and timers those set, if due) */
  advance(ms: number): void {
    const until = this.time + ms
    for (;;) {
      const next = this.timers[0]
      if (next === undefined || next.due > until) break
      this.timers.shift()
      this.time = Math.max(this.time, next.due)
      next.fn()
    }
    this.time = until
  }
}
