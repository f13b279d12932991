// The wall clock: Clock on Node's timers and performance.now(). Timers stay ref'd: a model delay is
// pending work (bytes in flight), and on the memory transport it may be the only thing keeping a run alive.
import { performance } from 'node:perf_hooks'
import type { Clock, TimerHandle } from './clock.js'

interface RealTimer extends TimerHandle {
  timeout: NodeJS.Timeout
}

let timerSeq = 0

// performance.now() is monotonic and sub-millisecond; anchored to the epoch once so now() reads like Date.now()
const origin = Date.now() - performance.now()

export const realClock: Clock = {
  kind: 'real',
  now: () => origin + performance.now(),
  setTimer(fn, ms) {
    const timeout = setTimeout(fn, Math.max(0, ms))
    return { id: ++timerSeq, timeout } as RealTimer
  },
  clearTimer(handle) {
    clearTimeout((handle as RealTimer).timeout)
  },
  timeoutSignal(ms) {
    return AbortSignal.timeout(Math.max(0, ms))
  },
}
