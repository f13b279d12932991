// Wires the controller to the screen: UI state, keys, playback and terminal size go in as props.

import { useController } from '../hooks/use-controller.js'
import { useKeys } from '../hooks/use-keys.js'
import { usePlay } from '../hooks/use-play.js'
import { type Size, useTerminalSize } from '../hooks/use-terminal-size.js'
import type { DbgController } from '../ui/controller.js'
import { App } from './app.js'
import { ColorContext } from './color-context.js'

export interface RootProps {
  controller: DbgController
  /** ms between playback steps */
  playMs?: number
  size?: Partial<Size>
  /** use colours (bold and inverse stay) */
  color?: boolean
}

export function Root({ controller, playMs = 100, size, color = true }: RootProps) {
  const ui = useController(controller)
  useKeys(controller)
  usePlay(controller, ui.playing, playMs)
  const { width, height } = useTerminalSize(size)
  return (
    <ColorContext.Provider value={color}>
      <App
        model={controller.model}
        ui={ui}
        rows={controller.rows(ui)}
        width={width}
        height={height}
        path={controller.messagePath(ui)}
        late={() => controller.lateList()}
      />
    </ColorContext.Provider>
  )
}
