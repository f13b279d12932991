// What keys do while the search prompt or the filter menu is open: pure functions from the UI
// state and a key to the change of state.
import type { MachineTrack } from '../model/machine-track.js'
import type { DbgModel } from '../model/model.js'
import { machineMatches } from '../model/search.js'
import type { KeyLike, UiState } from './ui-state.js'

/** The collapsed set with every ancestor of t expanded, so that t shows in the list. */
export function revealed(model: DbgModel, collapsed: ReadonlySet<number>, t: MachineTrack): ReadonlySet<number> {
  const c = new Set(collapsed)
  let p = t.parent === null ? undefined : model.byId.get(t.parent)
  for (let guard = 0; p && guard < 64; guard++) {
    c.delete(p.index)
    p = p.parent === null ? undefined : model.byId.get(p.parent)
  }
  return c
}

/** Search prompt: type to jump to the first match, ↑/↓ for the others, enter keeps, esc goes back. */
export function searchPatch(
  model: DbgModel,
  s: UiState,
  input: string,
  key: KeyLike,
  selectedBefore: number,
): Partial<UiState> {
  if (key.escape) return { overlay: null, query: '', selected: selectedBefore >= 0 ? selectedBefore : s.selected }
  if (key.return) return { overlay: null }
  let query = s.query
  let dir = 0
  if (key.backspace || key.delete) query = query.slice(0, -1)
  else if (key.downArrow || key.tab) dir = 1
  else if (key.upArrow) dir = -1
  else if (input && !key.ctrl && !key.meta) query += input
  const found = machineMatches(model.machines, query)
  if (found.length === 0) return { query, message: query ? `no machine matches '${query}'` : '' }
  const cur = found.findIndex((t) => t.index === s.selected)
  let pick: MachineTrack
  if (dir !== 0 && cur >= 0) pick = found[(cur + dir + found.length) % found.length]!
  else pick = cur >= 0 ? found[cur]! : found[0]!
  return {
    query,
    selected: pick.index,
    collapsed: revealed(model, s.collapsed, pick),
    stateRow: 0,
    message: `${found.length} match${found.length === 1 ? '' : 'es'}`,
  }
}

/** Filter menu: 1/r, 2/m, 3/c toggle; f, enter or esc close. */
export function filterPatch(s: UiState, input: string, key: KeyLike): Partial<UiState> {
  const f = s.filters
  if (key.escape || key.return || input === 'f') return { overlay: null }
  if (input === 'r' || input === '1') return { filters: { ...f, hideRefused: !f.hideRefused } }
  if (input === 'm' || input === '2') return { filters: { ...f, hideMultiOnly: !f.hideMultiOnly } }
  if (input === 'c' || input === '3') return { filters: { ...f, onlySubtree: !f.onlySubtree }, subtreeRoot: s.selected }
  return {}
}
