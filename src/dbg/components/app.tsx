// The debugger's screen, a function of the model and the UI state: the machine list at the left,
// then the view (state tree + transition, matrix, or rain), the timeline and the status bar.
import { Box } from 'ink'
import type { ReactNode } from 'react'
import type { LateMessage, MessagePath } from '../model/message-path.js'
import type { DbgModel } from '../model/model.js'
import type { TreeRow } from '../model/tree.js'
import type { UiState } from '../ui/ui-state.js'
import { FilterMenu } from './filter-menu.js'
import { HelpOverlay } from './help-overlay.js'
import { LateList } from './late-list.js'
import { MachineList } from './machine-list.js'
import { MatrixView } from './matrix-view.js'
import { MessageView } from './message-view.js'
import { RainView } from './rain-view.js'
import { StateTree } from './state-tree.js'
import { StatusBar } from './status-bar.js'
import { Timeline } from './timeline.js'
import { TxPane } from './tx-pane.js'

export interface AppProps {
  model: DbgModel
  ui: UiState
  rows: readonly TreeRow[]
  width: number
  height: number
  /** the open message's path (message view) */
  path?: MessagePath | undefined
  /** messages by lateness (late list), computed only while it is open */
  late?: () => readonly LateMessage[]
}

export function App({ model, ui, rows, width, height, path, late }: AppProps) {
  const mainH = Math.max(4, height - 3)
  const leftW = Math.max(24, Math.min(44, Math.floor(width * 0.3)))
  const rest = Math.max(20, width - leftW - 1)
  const midW = Math.floor(rest * 0.45)
  const rightW = rest - midW - 1
  let main: ReactNode
  if (ui.overlay === 'help') main = <HelpOverlay notices={model.notices} width={width} height={mainH} />
  else if (ui.overlay === 'filters') main = <FilterMenu model={model} ui={ui} width={width} height={mainH} />
  else if (ui.overlay === 'message')
    main = <MessageView model={model} ui={ui} path={path} width={width} height={mainH} />
  else if (ui.overlay === 'late') {
    main = <LateList model={model} ui={ui} list={late?.() ?? []} width={width} height={mainH} />
  } else {
    let view: ReactNode
    if (ui.view === 'matrix') view = <MatrixView model={model} ui={ui} width={rest} height={mainH} />
    else if (ui.view === 'rain') view = <RainView model={model} ui={ui} width={rest} height={mainH} />
    else {
      view = (
        <>
          <StateTree model={model} ui={ui} width={midW} height={mainH} />
          <Box width={1} />
          <TxPane model={model} ui={ui} width={rightW} height={mainH} />
        </>
      )
    }
    main = (
      <>
        <MachineList model={model} ui={ui} rows={rows} width={leftW} height={mainH} />
        <Box width={1} />
        {view}
      </>
    )
  }
  return (
    <Box flexDirection="column" width={width} height={mainH + 3}>
      <Box flexDirection="row" width={width} height={mainH}>
        {main}
      </Box>
      <Timeline model={model} ui={ui} width={width} />
      <StatusBar model={model} ui={ui} width={width} />
    </Box>
  )
}
