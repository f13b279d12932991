// Subscribes a component to the controller's UI state (held outside React).
import { useSyncExternalStore } from 'react'
import type { DbgController } from '../ui/controller.js'
import type { UiState } from '../ui/ui-state.js'

export function useController(c: DbgController): UiState {
  return useSyncExternalStore((fn) => c.subscribe(fn), c.getState, c.getState)
}
