// Test helper: runs a machine under a Recorder with a ring sink and exposes its records.
import { type AnyStateMachine, createActor } from 'xstate'
import { createRingSink } from '../../src/telemetry/log/ring-sink.js'
import { Recorder } from '../../src/telemetry/recorder.js'
import type { PsmRecord, TxRecord } from '../../src/telemetry/records.js'

export function recorded<M extends AnyStateMachine>(machine: M, id: string, input?: unknown) {
  const recorder = new Recorder({ snapshotEvery: 5 })
  const ring = createRingSink(100_000)
  recorder.addSink(ring)
  const actor = createActor(machine, {
    ...(input !== undefined ? { input } : {}),
    ...recorder.actorOptions(id),
  } as Parameters<typeof createActor<M>>[1])
  actor.start()
  const records = (): PsmRecord[] => ring.records()
  const txs = (): TxRecord[] => records().filter((r): r is TxRecord => r.kind === 'tx' && r.machine === id)
  const last = (): TxRecord => {
    const all = txs()
    return all[all.length - 1]!
  }
  /** active states after the last tx, rebuilt from the records alone */
  const active = (): Set<string> => {
    const set = new Set<string>()
    for (const tx of txs()) {
      for (const a of tx.added) set.add(a)
      for (const r of tx.removed) set.delete(r)
    }
    return set
  }
  return { actor, recorder, records, txs, last, active }
}

export const tick = (ms = 0) => new Promise<void>((r) => setTimeout(r, ms))

/** Waits until `cond` holds, checking after each macrotask, for at most `ms`. */
export async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await tick(2)
  }
}
