// The filter menu (f): toggles for hiding refused and Multi-only transitions when stepping, and for
// listing only the selected machine and its children.
import type { DbgModel } from '../model/model.js'
import { type Line, seg, titleLine } from '../ui/format.js'
import type { UiState } from '../ui/ui-state.js'
import { Lines } from './lines.js'

export interface FilterMenuProps {
  model: DbgModel
  ui: UiState
  width: number
  height: number
}

export function filterLines({ model, ui }: FilterMenuProps): Line[] {
  const f = ui.filters
  const box = (on: boolean): string => (on ? '[x]' : '[ ]')
  const root = model.machines[f.onlySubtree ? ui.subtreeRoot : ui.selected]?.id ?? '—'
  return [
    titleLine('filters (f, enter or esc closes)', true),
    [],
    [seg(`  1 r  ${box(f.hideRefused)} hide refused transitions when stepping`)],
    [seg(`  2 m  ${box(f.hideMultiOnly)} hide Multi-only transitions (no state added or removed)`)],
    [seg(`  3 c  ${box(f.onlySubtree)} only ${root} and its children in the machine list`)],
  ]
}

export function FilterMenu(props: FilterMenuProps) {
  return <Lines lines={filterLines(props)} width={props.width} height={props.height} />
}
