// Machine search: ids containing the query (case-insensitive), in tree order ignoring collapse.
import type { MachineTrack } from './machine-track.js'
import { childrenIndex } from './tree.js'

export function machineMatches(machines: readonly MachineTrack[], query: string): MachineTrack[] {
  const q = query.toLowerCase()
  if (q === '') return []
  const kids = childrenIndex(machines)
  const out: MachineTrack[] = []
  const seen = new Set<number>()
  const walk = (t: MachineTrack): void => {
    if (seen.has(t.index)) return
    seen.add(t.index)
    if (t.id.toLowerCase().includes(q)) out.push(t)
    for (const c of kids.get(t.id) ?? []) walk(c)
  }
  for (const r of kids.get(null) ?? []) walk(r)
  for (const t of machines) walk(t)
  return out
}
