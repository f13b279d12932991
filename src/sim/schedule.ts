// Which random actions a heartbeat fires: each fires unless it fired within its period × a random
// factor in [jitter.min, jitter.max]. Time is counted in heartbeats, so a seed repeats the schedule
// however long each heartbeat's work takes.
import { SIM_RANDOM_ACTIONS, type SimRandomAction } from '../../machines/simulator.js'
import type { Rng } from '../rng.js'

export interface ScheduleOptions {
  heartbeatMs: number
  /** period per action in ms; 0 disables it */
  periods: Readonly<Record<SimRandomAction, number>>
  jitter: { min: number; max: number }
}

export class ActionSchedule {
  private readonly last = new Map<SimRandomAction, number>()
  private readonly due = new Map<SimRandomAction, number>()
  /** while true no action fires (a test holds the network still to inspect it) */
  paused = false

  constructor(
    private readonly opts: ScheduleOptions,
    private readonly rng: Rng,
  ) {}

  /** Actions to fire at heartbeat `beat` (from 1), in a fixed order. */
  select(beat: number): SimRandomAction[] {
    const out: SimRandomAction[] = []
    if (this.paused) return out
    for (const action of SIM_RANDOM_ACTIONS) {
      const period = this.opts.periods[action]
      if (!period) continue
      let wait = this.due.get(action)
      if (wait === undefined) {
        wait = this.draw(period)
        this.due.set(action, wait)
      }
      const since = (beat - (this.last.get(action) ?? 0)) * this.opts.heartbeatMs
      if (since >= wait) {
        out.push(action)
        this.last.set(action, beat)
        this.due.set(action, this.draw(period))
      }
    }
    return out
  }

  private draw(period: number): number {
    return period * this.rng.range(this.opts.jitter.min, this.opts.jitter.max)
  }
}
