// The timeline: "tx i / N" of the selected machine with a slider, then the global position and time.
import type { DbgModel } from '../model/model.js'
import { clock, type Line, offset, seg, slider } from '../ui/format.js'
import type { UiState } from '../ui/ui-state.js'
import { Lines } from './lines.js'

export interface TimelineProps {
  model: DbgModel
  ui: UiState
  width: number
}

export function timelineLines({ model, ui, width }: TimelineProps): Line[] {
  const t = model.machines[ui.selected]
  const upTo = t ? model.countUpTo(t, ui.cursor) : 0
  const total = t?.total ?? 0
  const label = ` tx ${upTo} / ${total} `
  const name = t ? ` ${t.id}` : ''
  const bar = slider(upTo, total, Math.max(10, width - label.length - name.length - 1))
  const g = Math.max(0, ui.cursor - model.firstGlobal + 1)
  const time = model.timeOf(Math.max(model.firstGlobal, ui.cursor))
  const t0 = model.timeOf(model.firstGlobal)
  const f = ui.filters
  const filters = [
    f.hideRefused ? 'refused hidden' : '',
    f.hideMultiOnly ? 'Multi-only hidden' : '',
    f.onlySubtree ? 'subtree only' : '',
  ]
    .filter(Boolean)
    .join(', ')
  return [
    [seg(label, { bold: true }), seg(bar, { color: 'cyan' }), seg(name, { bold: true })],
    [
      seg(` global ${g} / ${model.txCount}`),
      seg(`   ${clock(time)} ${offset(time - t0)}`, { dim: !Number.isFinite(time) }),
      seg(filters ? `   filters: ${filters}` : '', { color: 'yellow' }),
    ],
  ]
}

export function Timeline(props: TimelineProps) {
  return <Lines lines={timelineLines(props)} width={props.width} height={2} />
}
