// Moving through one machine's transitions: filtered steps, jumps, and the previous/next change of
// a state. Positions are 0-based local indices; `t.dropped - 1` means "before the first tx held".
import type { MachineTrack } from './machine-track.js'
import type { DbgModel } from './model.js'
import { FLAG_ACCEPTED, FLAG_MULTI_ONLY } from './tx-store.js'

export interface Filters {
  hideRefused: boolean
  hideMultiOnly: boolean
  /** only the machine selected when the filter was turned on, and its children, in the machine list */
  onlySubtree: boolean
}

export const NO_FILTERS: Filters = { hideRefused: false, hideMultiOnly: false, onlySubtree: false }

function hiddenMask(f: Filters): number {
  return f.hideRefused || f.hideMultiOnly ? 1 : 0
}

/** Whether the tx at absolute index g is shown under the filters. */
export function passes(model: DbgModel, g: number, f: Filters): boolean {
  if (hiddenMask(f) === 0) return true
  const flags = model.store.flags[g - model.store.base]!
  if (f.hideRefused && (flags & FLAG_ACCEPTED) === 0) return false
  if (f.hideMultiOnly && (flags & FLAG_MULTI_ONLY) !== 0) return false
  return true
}

/**
 * Moves `steps` shown txs from `local` in direction `dir`. Stops at the ends: forward at the last
 * shown tx, backward at `t.dropped - 1` (before the first tx).
 */
export function step(model: DbgModel, t: MachineTrack, local: number, dir: 1 | -1, steps: number, f: Filters): number {
  let pos = local
  let left = steps
  let q = local + dir
  const last = t.total - 1
  while (left > 0 && q >= t.dropped && q <= last) {
    if (passes(model, model.globalOf(t, q), f)) {
      pos = q
      left--
    }
    q += dir
  }
  if (dir < 0 && left > 0 && q < t.dropped) pos = t.dropped - 1
  return pos
}

/** The first shown tx, or before the first tx when none is shown. */
export function first(model: DbgModel, t: MachineTrack, f: Filters): number {
  return step(model, t, t.dropped - 1, 1, 1, f)
}

/** The last shown tx. */
export function last(model: DbgModel, t: MachineTrack, f: Filters): number {
  for (let q = t.total - 1; q >= t.dropped; q--) if (passes(model, model.globalOf(t, q), f)) return q
  return t.dropped - 1
}

/** The previous/next tx that activates, deactivates or fires state `bit`; -1 when there is none. */
export function nextChange(model: DbgModel, t: MachineTrack, local: number, dir: 1 | -1, bit: number): number {
  const s = model.store
  const mask = 1 << bit
  for (let q = local + dir; q >= t.dropped && q < t.total; q += dir) {
    const slot = model.globalOf(t, q) - s.base
    if (((s.added[slot]! | s.removed[slot]!) & mask) !== 0 || s.fire[slot] === bit) return q
  }
  return -1
}
