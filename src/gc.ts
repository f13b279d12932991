// V8's collector on demand, without starting node with --expose-gc: the flag is set at run time and
// `gc` is taken from a fresh context (V8 installs it on contexts created after the flag is set).
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void

let gcFunction: GcFunction | undefined

/** A full collection ('major') or a young-generation one ('minor', a scavenge), now. */
export function collectGarbage(type: 'major' | 'minor' = 'major'): void {
  if (gcFunction === undefined) {
    setFlagsFromString('--expose-gc')
    gcFunction = runInNewContext('gc') as GcFunction
  }
  // Node 20's V8 runs a scavenge for { type: 'major' }: a full collection is the call without options
  if (type === 'major') gcFunction()
  else gcFunction({ type: 'minor' })
}
