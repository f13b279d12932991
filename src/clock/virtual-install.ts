// Installs a virtual clock for the whole process: global setTimeout/setInterval/setImmediate and their
// clear functions, Date (Date.now and `new Date()`), performance.now, AbortSignal.timeout, node:timers
// and node:timers/promises, plus the seeded random sources. It must run before libp2p and gossipsub
// load (gossipsub seeds message sequence numbers from Date.now() at import): the psm dispatcher calls
// it once, after reading --clock and before importing the command module. The real functions stay
// available from virtual-real.ts for the driver and for CPU-time figures.
import { syncBuiltinESMExports } from 'node:module'
import { performance } from 'node:perf_hooks'
import timers from 'node:timers'
import timersPromises from 'node:timers/promises'
import { promisify } from 'node:util'
import { VirtualClock } from './virtual.js'
import type { ClockMode } from './virtual-mode.js'
import { installSeededRandom } from './virtual-random.js'
import { RealDate, realDateNow } from './virtual-real.js'

/** Where a virtual run's time starts (2030-01-01T00:00:00Z): fixed, so that Date.now() repeats too. */
export const VIRTUAL_EPOCH_MS = RealDate.UTC(2030, 0, 1)

let active: { mode: ClockMode; clock: VirtualClock } | undefined

/** The installed clock, or undefined for real time. */
export function activeClock(): VirtualClock | undefined {
  return active?.clock
}

/** The mode the process runs on ('real' when no clock was installed). */
export function activeClockMode(): ClockMode {
  return active?.mode ?? 'real'
}

type Callback = (...args: unknown[]) => void

function virtualDate(clock: VirtualClock): DateConstructor {
  // a function, not a class: Date() without `new` returns the current time as a string
  function VDate(this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) return new RealDate(clock.now()).toString()
    return Reflect.construct(RealDate, args.length === 0 ? [clock.now()] : args, new.target)
  }
  VDate.prototype = RealDate.prototype
  Object.assign(VDate, { now: () => clock.now(), parse: RealDate.parse, UTC: RealDate.UTC })
  return VDate as unknown as DateConstructor
}

function timeoutSignal(clock: VirtualClock, ms: number): AbortSignal {
  const ctl = new AbortController()
  // Node's own is unref'd too: it never keeps a process alive
  clock
    .setTimeout(() => ctl.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms)
    .unref()
  return ctl.signal
}

function abortable<T>(clock: VirtualClock, ms: number | undefined, value: T, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      clock.clear(t)
      reject(signal?.reason)
    }
    const t = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve(value)
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Installs the clock (mode 'virtual' or 'paced'); 'real' installs nothing. Idempotent for the same mode.
 * Throws when a different mode was installed already: one process, one clock.
 */
export function installClock(mode: ClockMode): VirtualClock | undefined {
  if (active) {
    if (active.mode !== mode) throw new Error(`the ${active.mode} clock is installed already`)
    return active.clock
  }
  if (mode === 'real') return undefined
  const clock = new VirtualClock({
    startMs: mode === 'paced' ? realDateNow() : VIRTUAL_EPOCH_MS,
    paced: mode === 'paced',
  })
  active = { mode, clock }

  const setTimeoutV = (cb: Callback, ms?: number, ...args: unknown[]) => clock.setTimeout(cb, ms, ...args)
  const setIntervalV = (cb: Callback, ms?: number, ...args: unknown[]) => clock.setInterval(cb, ms, ...args)
  const setImmediateV = (cb: Callback, ...args: unknown[]) => clock.setImmediate(cb, ...args)
  const clearV = (t: unknown) => clock.clear(t)
  const clearImmediateV = (im: unknown) => clock.clearImmediate(im)
  Object.assign(setTimeoutV, {
    [promisify.custom]: <T>(ms?: number, value?: T) => abortable(clock, ms, value),
  })
  Object.assign(setImmediateV, {
    [promisify.custom]: <T>(value?: T) => new Promise((resolve) => clock.setImmediate(resolve, value)),
  })
  const g = globalThis as unknown as Record<string, unknown>
  g.setTimeout = setTimeoutV
  g.setInterval = setIntervalV
  g.setImmediate = setImmediateV
  g.clearTimeout = clearV
  g.clearInterval = clearV
  g.clearImmediate = clearImmediateV
  Object.assign(timers, {
    setTimeout: setTimeoutV,
    setInterval: setIntervalV,
    setImmediate: setImmediateV,
    clearTimeout: clearV,
    clearInterval: clearV,
    clearImmediate: clearImmediateV,
  })
  Object.assign(timersPromises, {
    setTimeout: <T>(ms?: number, value?: T, opts?: { signal?: AbortSignal }) =>
      abortable(clock, ms, value, opts?.signal),
    setImmediate: <T>(value?: T) => new Promise((resolve) => clock.setImmediate(resolve, value)),
  })
  g.Date = virtualDate(clock)
  Object.defineProperty(performance, 'now', { value: () => clock.elapsed(), configurable: true, writable: true })
  Object.defineProperty(AbortSignal, 'timeout', {
    value: (ms: number) => timeoutSignal(clock, ms),
    configurable: true,
    writable: true,
  })
  installSeededRandom()
  syncBuiltinESMExports()
  return clock
}
