// Export: a machine with its children and a range of transitions, as a new psm log that `psm dbg`
// opens and `psm log validate` accepts. A machine with history before the range starts with a
// snapshot of its state there, so replay from the exported file gives the same ticks.
import { open } from 'node:fs/promises'
import { LOG_FORMAT, LOG_VERSION, type LogRecord, type PsmRecord } from '../../telemetry/records.js'
import type { MachineTrack } from './machine-track.js'
import type { DbgModel } from './model.js'
import { FLAG_ACCEPTED } from './tx-store.js'

export interface ExportResult {
  path: string
  machines: number
  txs: number
}

const BATCH_BYTES = 1 << 20

/** Writes the subtree of `root` with its txs whose absolute index is in [fromG, toG]. */
export async function exportRange(
  model: DbgModel,
  root: MachineTrack,
  fromG: number,
  toG: number,
  path: string,
): Promise<ExportResult> {
  const from = Math.max(fromG, model.firstGlobal)
  const to = Math.min(toG, model.lastGlobal)
  const tracks = model.subtree(root)
  const inSet = new Uint8Array(model.machines.length)
  for (const t of tracks) inSet[t.index] = 1
  const fh = await open(path, 'wx')
  let buf: string[] = []
  let bytes = 0
  const put = async (r: PsmRecord): Promise<void> => {
    const line = `${JSON.stringify(r)}\n`
    buf.push(line)
    bytes += line.length
    if (bytes >= BATCH_BYTES) await flush()
  }
  const flush = async (): Promise<void> => {
    if (buf.length === 0) return
    await fh.write(buf.join(''))
    buf = []
    bytes = 0
  }
  let txs = 0
  try {
    await put({
      kind: 'header',
      format: LOG_FORMAT,
      version: LOG_VERSION,
      time: Date.now(),
      source: `psm dbg export of ${root.id}${model.source ? ` from ${model.source}` : ''}`,
      ...(model.header?.snapshotEvery ? { snapshotEvery: model.header.snapshotEvery } : {}),
    })
    for (const t of tracks) {
      await put({ kind: 'machine', id: t.id, parent: t.parent, type: t.type, schema: t.schema, time: t.time })
    }
    for (const t of tracks) {
      const before = model.countUpTo(t, from - 1)
      const st = model.stateAfter(t, before)
      const hasHistory = before > 0 || st.active !== 0 || st.ticks.some((x) => x !== 0)
      if (hasHistory) {
        await put({
          kind: 'snapshot',
          machine: t.id,
          seq: seqBefore(model, t, before),
          active: t.names(st.active),
          ticks: Array.from(st.ticks),
        })
      }
      if (before === 0) for (const l of t.logsBefore) await put(logRecord(t, 0, l.level, l.text))
    }
    const s = model.store
    for (let g = from; g <= to; g++) {
      const slot = g - s.base
      const mi = s.machine[slot]!
      if (inSet[mi] !== 1) continue
      const t = model.machines[mi]!
      const args = s.argsAt(slot)
      const seq = s.seq[slot]!
      await put({
        kind: 'tx',
        machine: t.id,
        seq,
        time: s.time[slot]!,
        event: model.events[s.event[slot]!]!,
        ...(args ? { args } : {}),
        accepted: (s.flags[slot]! & FLAG_ACCEPTED) !== 0,
        added: t.names(s.added[slot]!),
        removed: t.names(s.removed[slot]!),
        touched: t.names(s.touched[slot]!),
        durationUs: s.durationUs[slot]!,
      })
      txs++
      for (const l of model.logsOf(g)) await put(logRecord(t, seq, l.level, l.text))
    }
    for (const t of tracks) {
      const lastG = t.txs.last()
      if (t.stopped && (lastG === undefined || lastG <= to)) {
        await put({
          kind: 'stop',
          machine: t.id,
          seq: t.lastSeq,
          time: lastG === undefined ? t.time : model.timeOf(lastG),
        })
      }
    }
    await flush()
  } finally {
    await fh.close()
  }
  return { path, machines: tracks.length, txs }
}

/** The seq of the machine's tx number `count` (1-based), as far as the log tells. */
function seqBefore(model: DbgModel, t: MachineTrack, count: number): number {
  if (count > t.dropped) return model.store.seq[model.globalOf(t, count - 1) - model.store.base]!
  if (count < t.total) return model.store.seq[model.globalOf(t, count) - model.store.base]! - 1
  return t.lastSeq
}

function logRecord(t: MachineTrack, seq: number, level: LogRecord['level'], text: string): PsmRecord {
  return { kind: 'log', machine: t.id, seq, level, text }
}
