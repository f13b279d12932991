// Ticks and active sets by replay: the asyncmachine clock as the reader (src/telemetry/log/reader.ts)
// defines it: +1 per state added or removed, +2 when an accepted event fires a Multi state.

/** Applies one tx to `ticks` in place and returns the new active mask. */
export function applyTx(active: number, ticks: Int32Array, added: number, removed: number, fire: number): number {
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
  if (fire >= 0) ticks[fire]! += 2
  return (active | added) & ~removed
}
