// The debugger's UI state: an immutable snapshot the controller replaces on every change, and the
// key shape it reads (as Ink reports keys).
import type { Filters } from '../model/navigate.js'
import type { actionOf } from './keys.js'

export type Focus = 'machines' | 'states' | 'tx'

export type View = 'tree' | 'matrix' | 'rain'

export type Overlay = 'help' | 'filters' | 'search' | 'message' | 'late' | null

export interface UiState {
  /** absolute index of the global cursor; `model.firstGlobal - 1` is before every tx */
  cursor: number
  /** selected machine index, -1 while there is none */
  selected: number
  focus: Focus
  view: View
  tail: boolean
  playing: boolean
  filters: Filters
  /** the machine whose subtree the machine list shows with the onlySubtree filter */
  subtreeRoot: number
  /** selected state (index in the selected machine's schema) */
  stateRow: number
  /** states whose relations are expanded, by name */
  expanded: ReadonlySet<string>
  /** machines whose children are hidden */
  collapsed: ReadonlySet<number>
  overlay: Overlay
  /** the search query; kept after enter for n / N */
  query: string
  /** the message view's message (index in model.messages) and selected row */
  msg: { index: number; row: number } | null
  /** selected row of the late-messages list */
  lateRow: number
  /** first log line shown in the transition pane */
  txScroll: number
  message: string
  /** bumps with the model, so that a model change is a new snapshot */
  modelVersion: number
}

/** Key shape as Ink reports it (only the fields the controller reads). */

export type KeyLike = Parameters<typeof actionOf>[1]
