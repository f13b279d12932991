// The one clock interface of psm: every delay the network model (and later the whole run) schedules
// goes through a Clock, so a virtual or paced clock can replace wall time without touching its users.
// Timers fire in due-time order; timers due at the same time fire in the order they were set (the
// network model relies on this to keep bytes in order on a connection).

/** An opaque handle for `clearTimer`. */
export interface TimerHandle {
  readonly id: number
}

export interface Clock {
  /** 'real' (wall time), 'virtual' or 'paced' (issue 13) */
  readonly kind: string
  /** milliseconds since the epoch, like `Date.now()` but possibly fractional */
  now(): number
  /** calls `fn` once after `ms` milliseconds (0 or less: as soon as possible, after the current task) */
  setTimer(fn: () => void, ms: number): TimerHandle
  /** cancels a timer; a fired or cleared timer is ignored */
  clearTimer(handle: TimerHandle): void
  /** a signal aborted with a TimeoutError after `ms`, like `AbortSignal.timeout` on this clock */
  timeoutSignal(ms: number): AbortSignal
}
