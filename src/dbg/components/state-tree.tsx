// The state tree of the selected machine at the cursor: each state active (●) or not (○), added (+),
// removed (-) or touched (*) by the current transition, Multi (M), its tick, and its relations
// (require, add, remove, group, auto) expanded under it with enter.
import type { StateSchema } from '../../../machines/schema.js'
import type { DbgModel } from '../model/model.js'
import { fitText, type Line, scrollTop, seg, titleLine } from '../ui/format.js'
import type { UiState } from '../ui/ui-state.js'
import { Lines } from './lines.js'

export interface StateTreeProps {
  model: DbgModel
  ui: UiState
  width: number
  height: number
}

function relations(s: StateSchema): string[] {
  const out: string[] = []
  if (s.multi) out.push('multi: fires on each accepted event of its name')
  if (s.auto) out.push('auto')
  if (s.group) out.push(`group ${s.group}`)
  if (s.require?.length) out.push(`require ${s.require.join(', ')}`)
  if (s.add?.length) out.push(`add ${s.add.join(', ')}`)
  if (s.remove?.length) out.push(`remove ${s.remove.join(', ')}`)
  if (out.length === 0) out.push('no relations')
  return out
}

export function stateTreeLines({ model, ui, width, height }: StateTreeProps): Line[] {
  const t = model.machines[ui.selected]
  if (!t) return [titleLine('states', ui.focus === 'states')]
  const upTo = model.countUpTo(t, ui.cursor)
  const st = model.stateAfter(t, upTo)
  const tx = upTo > t.dropped ? model.tx(model.globalOf(t, upTo - 1)) : undefined
  const body: Line[] = []
  let selRow = 0
  // marks (3) + space + name + 'M ' + tick (6) + arrow (2): the name gets what is left
  const nameW = Math.max(6, Math.min(width - 14, Math.max(...t.states.map((s) => s.name.length)) + 2))
  t.states.forEach((s, i) => {
    const b = 1 << i
    const isActive = (st.active & b) !== 0
    const change = !tx
      ? ' '
      : tx.added & b
        ? '+'
        : tx.removed & b
          ? '-'
          : tx.touched & b
            ? tx.accepted
              ? '*'
              : 'x'
            : ' '
    const changeColor = change === '+' ? 'green' : change === '-' || change === 'x' ? 'red' : 'yellow'
    const selected = i === ui.stateRow
    if (selected) selRow = body.length
    const sel = selected ? (ui.focus === 'states' ? { inverse: true } : { underline: true, bold: true }) : {}
    const expanded = ui.expanded.has(s.name)
    body.push([
      seg(selected ? '>' : ' ', sel),
      seg(change, { color: changeColor, bold: true }),
      seg(s.multi ? (tx?.touched && tx.touched & b && tx.accepted ? '◆' : '◇') : isActive ? '●' : '○', {
        color: s.multi ? 'magenta' : isActive ? 'green' : 'gray',
      }),
      seg(` ${fitText(s.name, nameW)}`, { ...sel, ...(isActive ? { bold: true } : {}) }),
      seg(s.multi ? 'M ' : '  ', { color: 'magenta' }),
      seg(String(st.ticks[i]).padStart(6), { dim: !isActive }),
      seg(expanded ? ' ▾' : ' ▸', { dim: true }),
    ])
    if (expanded) for (const r of relations(s)) body.push([seg(`     ${r}`, { color: 'cyan' })])
  })
  const title = `states of ${t.id}`
  const lines: Line[] = [titleLine(title, ui.focus === 'states')]
  const top = scrollTop(selRow, body.length, height - 1)
  for (const l of body.slice(top, top + height - 1)) lines.push(l)
  return lines
}

export function StateTree(props: StateTreeProps) {
  return <Lines lines={stateTreeLines(props)} width={props.width} height={props.height} />
}
