// One character per state per transition, for the matrix and rain views:
// + added, - removed (deactivated), * touched or Multi fired, x touched by a refused tx, | active, . inactive.

import { applyTicks, fireMask } from '../../telemetry/ticks.js'
import type { MachineTrack } from '../model/machine-track.js'
import type { DbgModel } from '../model/model.js'
import { FLAG_ACCEPTED } from '../model/tx-store.js'

export interface TxCells {
  local: number
  g: number
  seq: number
  event: string
  accepted: boolean
  /** one character per state, schema order */
  chars: string
}

export const CELL_LEGEND = '+ added  - removed  * touched/fired  x refused  | active  . inactive'

/** Cells of the machine's txs at local positions [from, to] (clamped to what is held). */
export function txCells(model: DbgModel, t: MachineTrack, from: number, to: number): TxCells[] {
  const lo = Math.max(from, t.dropped)
  const hi = Math.min(to, t.total - 1)
  const out: TxCells[] = []
  if (hi < lo) return out
  const st = model.stateAfter(t, lo)
  let active = st.active
  const ticks = st.ticks
  const s = model.store
  for (let local = lo; local <= hi; local++) {
    const g = model.globalOf(t, local)
    const slot = g - s.base
    const added = s.added[slot]!
    const removed = s.removed[slot]!
    const touched = s.touched[slot]!
    const accepted = (s.flags[slot]! & FLAG_ACCEPTED) !== 0
    active = applyTicks(ticks, active, added, removed, fireMask(s.fire[slot]!))
    let chars = ''
    for (let i = 0; i < t.nStates; i++) {
      const b = 1 << i
      if (!accepted && touched & b) chars += 'x'
      else if (added & b) chars += '+'
      else if (removed & b) chars += '-'
      else if (touched & b) chars += '*'
      else if (active & b) chars += '|'
      else chars += '.'
    }
    out.push({ local, g, seq: s.seq[slot]!, event: model.events[s.event[slot]!]!, accepted, chars })
  }
  return out
}
