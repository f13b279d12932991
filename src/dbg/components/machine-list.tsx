// The machine list: every machine as a tree by parent, with its transitions up to the cursor, whether
// more follow, and marks: S Start active, R Ready active, ! Exception active, ⌁ disconnected (live).
import type { DbgModel } from '../model/model.js'
import type { TreeRow } from '../model/tree.js'
import { fitText, type Line, scrollTop, seg, titleLine } from '../ui/format.js'
import type { UiState } from '../ui/ui-state.js'
import { Lines } from './lines.js'

export interface MachineListProps {
  model: DbgModel
  ui: UiState
  rows: readonly TreeRow[]
  width: number
  height: number
}

function bit(active: number, t: TreeRow['t'], name: string): boolean {
  const i = t.stateIndex.get(name)
  return i !== undefined && (active & (1 << i)) !== 0
}

export function machineListLines({ model, ui, rows, width, height }: MachineListProps): Line[] {
  const filtered = ui.filters.onlySubtree ? ' (subtree)' : ''
  const lines: Line[] = [titleLine(`machines ${rows.length}${filtered}`, ui.focus === 'machines')]
  const body = height - 1
  const sel = rows.findIndex((r) => r.t.index === ui.selected)
  const top = scrollTop(sel, rows.length, body)
  for (let i = top; i < Math.min(rows.length, top + body); i++) {
    const r = rows[i]!
    const t = r.t
    const upTo = model.countUpTo(t, ui.cursor)
    const more = upTo < t.total
    const active = model.stateAfter(t, upTo).active
    const marks =
      (bit(active, t, 'Start') ? 'S' : ' ') +
      (bit(active, t, 'Ready') ? 'R' : ' ') +
      (bit(active, t, 'Exception') ? '!' : ' ') +
      (t.disconnected ? '⌁' : t.stopped && !more ? '■' : ' ')
    const count = `${upTo}/${t.total}${more ? '›' : ' '}`
    const arrow = r.hasChildren ? (r.collapsed ? '▸' : '▾') : ' '
    const right = ` ${count} ${marks}`
    const left = fitText(`${'  '.repeat(Math.min(r.depth, 8))}${arrow} ${t.id}`, Math.max(4, width - right.length))
    const selected = t.index === ui.selected
    const style = selected ? { inverse: true } : {}
    lines.push([
      seg(left, { ...style, ...(t.disconnected ? { dim: true } : {}) }),
      seg(` ${count} `, { ...style, dim: !selected && upTo === 0 }),
      seg(marks, { ...style, color: bit(active, t, 'Exception') ? 'red' : 'green' }),
    ])
  }
  if (rows.length === 0)
    lines.push([seg(model.mode === 'live' ? ' waiting for machines…' : ' no machines', { dim: true })])
  return lines
}

export function MachineList(props: MachineListProps) {
  return <Lines lines={machineListLines(props)} width={props.width} height={props.height} />
}
