// The process's real time functions, captured when this module first loads (before any clock is
// installed): the virtual clock's driver runs on them, and CPU-time figures (durationUs, cpuMs, wall
// time of a run) read them so that they stay real whatever clock the run uses.
import { performance } from 'node:perf_hooks'

export const realSetTimeout = globalThis.setTimeout
export const realClearTimeout = globalThis.clearTimeout
export const realSetInterval = globalThis.setInterval
export const realClearInterval = globalThis.clearInterval
export const realSetImmediate = globalThis.setImmediate
export const realClearImmediate = globalThis.clearImmediate
export const RealDate = globalThis.Date
export const realMathRandom = Math.random

const perfNow = performance.now.bind(performance)
const dateNow = RealDate.now

/** Real monotonic milliseconds (performance.now before any clock was installed). */
export function realPerformanceNow(): number {
  return perfNow()
}

/** Real wall-clock epoch milliseconds (Date.now before any clock was installed). */
export function realDateNow(): number {
  return dateNow()
}
