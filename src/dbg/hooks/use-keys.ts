// Routes key presses to the controller.
import { useInput } from 'ink'
import { useCallback } from 'react'
import type { DbgController } from '../ui/controller.js'
import type { KeyLike } from '../ui/ui-state.js'

export function useKeys(c: DbgController): void {
  // one handler for the controller's life: a new one per render would make Ink re-subscribe on every frame
  const onKey = useCallback((input: string, key: KeyLike) => c.handleKey(input, key), [c])
  useInput(onKey)
}
