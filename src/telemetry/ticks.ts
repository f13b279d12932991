// The tick rule of the transition log, as asyncmachine counts: per state a counter that is odd while the
// state is active, +1 per activation or deactivation, +2 each time an accepted event fires a Multi state.
// The recorder writes ticks by this rule; the reader (`psm log`) and the debugger replay by it, so a
// snapshot in a log and a replay of its transitions agree.

/** A tick vector in schema order: number[], Uint32Array or Int32Array. */
export interface Ticks {
  [state: number]: number
}

/**
 * Applies one transition to `ticks` in place and returns the new active mask. Masks have bit i for the
 * i-th state of the schema: `added` and `removed` states, and the Multi state `fired` (0 for none).
 */
export function applyTicks(ticks: Ticks, active: number, added: number, removed: number, fired: number): number {
  let m = added
  while (m !== 0) {
    const b = 31 - Math.clz32(m)
    ticks[b]! += 1
    m &= ~(1 << b)
  }
  m = removed
  while (m !== 0) {
    const b = 31 - Math.clz32(m)
    ticks[b]! += 1
    m &= ~(1 << b)
  }
  m = fired
  while (m !== 0) {
    const b = 31 - Math.clz32(m)
    ticks[b]! += 2
    m &= ~(1 << b)
  }
  return (active | added) & ~removed
}

/** The mask of the Multi state a transition fires, from its index (-1 for none), as the debugger stores it. */
export function fireMask(fire: number): number {
  return fire < 0 ? 0 : 1 << fire
}
