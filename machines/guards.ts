// Guard builders for relations: `Require: [A, B]` becomes a guard that A and B are active.
import { and, stateIn } from 'xstate'
import { ACTIVE } from './schema.js'

/** Where a state lives: its own bool region (undefined) or a group region (its name). */
export type GroupOf = Readonly<Record<string, string>>

/** xstate state value that is true while `state` is active. */
export function activeValue(state: string, groupOf: GroupOf): Record<string, string> {
  const g = groupOf[state]
  return g === undefined ? { [state]: ACTIVE } : { [g]: state }
}

/** A guard that every state in `states` is active (asyncmachine's Require). */
export function requires(states: readonly string[], groupOf: GroupOf = {}) {
  const checks = states.map((s) => stateIn(activeValue(s, groupOf)))
  return and(checks)
}
