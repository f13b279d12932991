// The matrix view: the selected machine's states (rows) × its recent transitions up to the cursor
// (columns, the cursor's column last), one character per cell (see CELL_LEGEND), ticks at the right.
import type { DbgModel } from '../model/model.js'
import { CELL_LEGEND, txCells } from '../ui/cells.js'
import { fitText, type Line, seg, titleLine } from '../ui/format.js'
import type { UiState } from '../ui/ui-state.js'
import { Lines } from './lines.js'

export interface MatrixViewProps {
  model: DbgModel
  ui: UiState
  width: number
  height: number
}

export function matrixLines({ model, ui, width }: MatrixViewProps): Line[] {
  const t = model.machines[ui.selected]
  const lines: Line[] = [titleLine(`matrix: ${t ? t.id : '—'}   ${CELL_LEGEND}`, false)]
  if (!t) return lines
  const pos = model.countUpTo(t, ui.cursor) - 1
  const nameW = Math.min(24, Math.max(...t.states.map((s) => s.name.length)) + 1)
  const cols = Math.max(1, width - nameW - 9)
  const cells = txCells(model, t, pos - cols + 1, pos)
  const st = model.stateAfter(t, pos + 1)
  const first = cells[0]
  const lastCell = cells[cells.length - 1]
  lines.push([
    seg(fitText(first && lastCell ? `seq ${first.seq}…${lastCell.seq}` : 'no transitions', nameW + cols), {
      dim: true,
    }),
    seg('   tick', { dim: true }),
  ])
  t.states.forEach((s, i) => {
    let row = ''
    for (const c of cells) row += c.chars[i]
    const active = (st.active & (1 << i)) !== 0
    lines.push([
      seg(fitText(s.name, nameW), {
        ...(active ? { bold: true, color: 'green' } : {}),
        ...(s.multi ? { color: 'magenta' } : {}),
      }),
      seg(row.slice(0, -1)),
      seg(row.slice(-1), { inverse: true }),
      seg(' '.repeat(cols - row.length)),
      seg(String(st.ticks[i]).padStart(7), { dim: !active }),
    ])
  })
  if (lastCell)
    lines.push([seg(`cursor: seq ${lastCell.seq} ${lastCell.event}${lastCell.accepted ? '' : ' (refused)'}`)])
  return lines
}

export function MatrixView(props: MatrixViewProps) {
  return <Lines lines={matrixLines(props)} width={props.width} height={props.height} />
}
