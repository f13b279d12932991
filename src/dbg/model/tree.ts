// The machine list as a tree by parent (sim → peers → ps → disc → bootstrap flows): rows in display
// order, with collapsed subtrees hidden. A machine whose parent is unknown is a root.
import type { MachineTrack } from './machine-track.js'

export interface TreeRow {
  t: MachineTrack
  depth: number
  hasChildren: boolean
  collapsed: boolean
}

export function childrenIndex(machines: readonly MachineTrack[]): Map<string | null, MachineTrack[]> {
  const ids = new Set(machines.map((m) => m.id))
  const out = new Map<string | null, MachineTrack[]>()
  for (const m of machines) {
    const key = m.parent !== null && ids.has(m.parent) && m.parent !== m.id ? m.parent : null
    const list = out.get(key)
    if (list) list.push(m)
    else out.set(key, [m])
  }
  return out
}

/** Rows of the tree under `root` (every root when undefined). */
export function treeRows(
  machines: readonly MachineTrack[],
  collapsed: ReadonlySet<number>,
  root?: MachineTrack,
): TreeRow[] {
  const kids = childrenIndex(machines)
  const out: TreeRow[] = []
  const seen = new Set<number>()
  const walk = (t: MachineTrack, depth: number): void => {
    if (seen.has(t.index)) return
    seen.add(t.index)
    const children = kids.get(t.id) ?? []
    const isCollapsed = collapsed.has(t.index)
    out.push({ t, depth, hasChildren: children.length > 0, collapsed: isCollapsed })
    if (!isCollapsed) for (const c of children) walk(c, depth + 1)
  }
  if (root) walk(root, 0)
  else {
    const roots = [...(kids.get(null) ?? [])]
    // parents that form a cycle leave machines unreachable from any root: list them as roots too
    const reach = new Set<number>()
    const mark = (t: MachineTrack): void => {
      if (reach.has(t.index)) return
      reach.add(t.index)
      for (const c of kids.get(t.id) ?? []) mark(c)
    }
    for (const r of roots) mark(r)
    for (const m of machines) {
      if (!reach.has(m.index)) {
        roots.push(m)
        mark(m)
      }
    }
    for (const r of roots) walk(r, 0)
  }
  return out
}
