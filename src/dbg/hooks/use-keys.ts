// Routes key presses to the controller.
import { useInput } from 'ink'
import type { DbgController } from '../ui/controller.js'

export function useKeys(c: DbgController): void {
  useInput((input, key) => c.handleKey(input, key))
}
