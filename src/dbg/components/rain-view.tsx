// The rain view: one line per transition of the selected machine, one character per state
// (see CELL_LEGEND), the cursor's line highlighted; the lines around the cursor are shown.
import type { DbgModel } from '../model/model.js'
import { CELL_LEGEND, txCells } from '../ui/cells.js'
import { type Line, seg, titleLine } from '../ui/format.js'
import type { UiState } from '../ui/ui-state.js'
import { Lines } from './lines.js'

export interface RainViewProps {
  model: DbgModel
  ui: UiState
  width: number
  height: number
}

export function rainLines({ model, ui, height }: RainViewProps): Line[] {
  const t = model.machines[ui.selected]
  const lines: Line[] = [titleLine(`rain: ${t ? t.id : '—'}   ${CELL_LEGEND}`, false)]
  if (!t) return lines
  const pos = model.countUpTo(t, ui.cursor) - 1
  const body = height - 2
  const before = Math.floor((body * 2) / 3)
  const from = Math.max(t.dropped, pos - before)
  const cells = txCells(model, t, from, from + body - 1)
  const seqW = 8
  lines.push([
    seg(`${'seq'.padStart(seqW)} `, { dim: true }),
    seg(t.states.map((s) => s.name[0] ?? '?').join(''), { dim: true }),
  ])
  for (const c of cells) {
    const at = c.local === pos
    const style = at ? { inverse: true } : {}
    lines.push([
      seg(at ? '▶ ' : '  ', { bold: true }),
      seg(`${String(c.seq).padStart(seqW)} `, { ...style, dim: !at }),
      seg(c.chars, { ...style, color: c.accepted ? 'green' : 'red' }),
      seg(` ${c.event}`, { ...style, ...(c.accepted ? {} : { color: 'red' }) }),
    ])
  }
  if (cells.length === 0) lines.push([seg(`${t.id} has no transitions`, { dim: true })])
  return lines
}

export function RainView(props: RainViewProps) {
  return <Lines lines={rainLines(props)} width={props.width} height={props.height} />
}
