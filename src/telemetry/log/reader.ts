// Reads transition logs back: streams records (gunzip for `.gz`), checks their shape, and rebuilds
// any machine's active set and ticks at any seq by replay from the nearest snapshot.
import type { MachineSchema } from '../../../machines/schema.js'
import { InputError } from '../../errors.js'
import type { MachineRecord, NetworkLogEntry, SnapshotRecord, TxRecord } from '../records.js'
import { applyTicks } from '../ticks.js'
import { type LineResult, openLogFile, parseRecordLine, readLines } from './jsonl.js'

export type { LineResult } from './jsonl.js'

/**
 * Streams a log's records. Yields an error result for each malformed line; a truncated end
 * (a last line without newline that does not parse, or a cut gzip stream) is reported as such.
 */
export async function* readLogFile(path: string): AsyncGenerator<LineResult> {
  const { input } = openLogFile(path)
  let prev: { text: string; line: number } | undefined
  let lines = 0
  let streamError: Error | undefined
  const parse = (text: string, line: number, last: boolean): LineResult => {
    const res = parseRecordLine(text, line)
    return last && 'error' in res && res.notJson ? { line, error: 'truncated: the last line is incomplete' } : res
  }
  try {
    for await (const l of readLines(input)) {
      lines = l.line
      if (prev !== undefined) yield parse(prev.text, prev.line, false)
      prev = l
    }
  } catch (err) {
    streamError = err as Error
  }
  // a trailing blank line is tolerated
  if (prev !== undefined && prev.text.trim() !== '') yield parse(prev.text, prev.line, true)
  if (streamError) {
    const msg = /unexpected end of file/i.test(streamError.message)
      ? 'truncated: the gzip stream ends early'
      : `read error: ${streamError.message}`
    yield { line: lines + 1, error: msg }
  }
}

/** One machine's history, replayable to any seq. */
export class MachineHistory {
  readonly txs: TxRecord[] = []
  readonly snapshots: SnapshotRecord[] = []
  private readonly index: Map<string, number>

  constructor(
    readonly id: string,
    readonly type: string,
    readonly parent: string | null,
    readonly schema: MachineSchema,
  ) {
    this.index = new Map(schema.states.map((s, i) => [s.name, i]))
  }

  /** Active states and ticks (schema order) after tx `seq` (0 = before the first tx). */
  stateAt(seq: number): { active: string[]; ticks: number[] } {
    const n = this.schema.states.length
    let ticks = new Array<number>(n).fill(0)
    let from = 0
    // nearest snapshot at or before seq
    let lo = 0
    let hi = this.snapshots.length - 1
    let snap: SnapshotRecord | undefined
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const s = this.snapshots[mid]!
      if (s.seq <= seq) {
        snap = s
        lo = mid + 1
      } else hi = mid - 1
    }
    if (snap) {
      ticks = [...snap.ticks]
      from = snap.seq
    }
    for (const tx of this.txs) {
      if (tx.seq <= from) continue
      if (tx.seq > seq) break
      this.apply(tx, ticks)
    }
    const active = this.schema.states.filter((_, i) => (ticks[i]! & 1) === 1).map((s) => s.name)
    return { active, ticks }
  }

  /** Applies one tx to a ticks vector (odd = active), by the log's one tick rule. */
  apply(tx: TxRecord, ticks: number[]): void {
    const fire = tx.accepted ? this.index.get(tx.event) : undefined
    const fired = fire !== undefined && this.schema.states[fire]!.multi ? 1 << fire : 0
    applyTicks(ticks, 0, this.mask(tx.added), this.mask(tx.removed), fired)
  }

  /** The mask of the named states; names not in the schema are left out (the scan reports them). */
  private mask(names: readonly string[]): number {
    let m = 0
    for (const name of names) {
      const i = this.index.get(name)
      if (i !== undefined) m |= 1 << i
    }
    return m
  }
}

export interface LogProblem {
  line: number
  message: string
}

export interface LogStats {
  file: string
  source?: string
  /** the network model the run used (header), absent without one */
  network?: NetworkLogEntry
  lines: number
  malformed: number
  machines: number
  machinesByType: Record<string, number>
  txs: number
  accepted: number
  refused: number
  snapshots: number
  logs: number
  /** the header's format version */
  version?: number
  /** v2 msg records by mark (publish, deliver, duplicate, reject) */
  msgs: Record<string, number>
  /** per machine type: activations (bool/group) or fires (Multi) per state */
  activations: Record<string, Record<string, number>>
  firstTime?: number
  lastTime?: number
}

export interface ScanResult {
  stats: LogStats
  /** the first problem that makes the log ill-formed */
  problem?: LogProblem
  histories?: Map<string, MachineHistory>
}

/**
 * One pass over a log: statistics, the first problem (if any), and optionally the histories.
 * Checks: a header first, machines declared before their txs, per-machine seq 1, 2, 3…, state names
 * in the schema, and snapshots that agree with replay.
 */
export async function scanLog(path: string, opts: { keepHistories?: boolean } = {}): Promise<ScanResult> {
  const stats: LogStats = {
    file: path,
    lines: 0,
    malformed: 0,
    machines: 0,
    machinesByType: {},
    txs: 0,
    accepted: 0,
    refused: 0,
    snapshots: 0,
    logs: 0,
    msgs: {},
    activations: {},
  }
  let problem: LogProblem | undefined
  const fail = (line: number, message: string) => {
    problem ??= { line, message }
  }
  const machines = new Map<string, { rec: MachineRecord; seq: number; ticks: number[]; hist: MachineHistory }>()
  let sawHeader = false
  for await (const res of readLogFile(path)) {
    stats.lines = res.line
    if ('error' in res) {
      stats.malformed++
      if (!sawHeader && res.line === 1) {
        throw new InputError(`${path}: line 1: not a psm log (${res.error})`)
      }
      fail(res.line, res.error)
      continue
    }
    const r = res.record
    if (!sawHeader) {
      if (r.kind !== 'header') throw new InputError(`${path}: line ${res.line}: not a psm log (no header first)`)
      sawHeader = true
      stats.version = r.version
      if (r.source) stats.source = r.source
      if (r.network) stats.network = r.network
      continue
    }
    switch (r.kind) {
      case 'header':
        fail(res.line, 'a second header')
        break
      case 'machine': {
        const known = machines.get(r.id)
        if (known) {
          // v2: a host's machine comes again to add its peer id (same type and parent)
          const samePeerAdd =
            r.peer !== undefined && known.rec.type === r.type && known.rec.parent === r.parent && !known.rec.peer
          if (samePeerAdd) known.rec = { ...known.rec, peer: r.peer }
          else fail(res.line, `machine ${r.id} declared twice`)
          break
        }
        const hist = new MachineHistory(r.id, r.type, r.parent, r.schema)
        machines.set(r.id, { rec: r, seq: 0, ticks: new Array(r.schema.states.length).fill(0), hist })
        stats.machines++
        stats.machinesByType[r.type] = (stats.machinesByType[r.type] ?? 0) + 1
        stats.activations[r.type] ??= Object.fromEntries(r.schema.states.map((s) => [s.name, 0]))
        break
      }
      case 'tx': {
        const m = machines.get(r.machine)
        if (!m) {
          fail(res.line, `tx for undeclared machine ${r.machine}`)
          break
        }
        if (r.seq !== m.seq + 1) fail(res.line, `machine ${r.machine}: seq ${r.seq} follows ${m.seq}`)
        m.seq = r.seq
        stats.txs++
        if (r.accepted) stats.accepted++
        else stats.refused++
        stats.firstTime ??= r.time
        stats.lastTime = r.time
        const names = new Set(m.rec.schema.states.map((s) => s.name))
        for (const n of [...r.added, ...r.removed, ...r.touched]) {
          if (!names.has(n)) fail(res.line, `state '${n}' is not in the schema of ${r.machine}`)
        }
        const act = stats.activations[m.rec.type]!
        for (const n of r.added) act[n] = (act[n] ?? 0) + 1
        const ev = m.rec.schema.states.find((s) => s.name === r.event)
        if (r.accepted && ev?.multi) act[ev.name] = (act[ev.name] ?? 0) + 1
        m.hist.apply(r, m.ticks)
        if (opts.keepHistories) m.hist.txs.push(r)
        break
      }
      case 'snapshot': {
        stats.snapshots++
        const m = machines.get(r.machine)
        if (!m) {
          fail(res.line, `snapshot for undeclared machine ${r.machine}`)
          break
        }
        if (m.seq === 0 && r.seq > 0 && r.ticks.length === m.ticks.length) {
          // a history that starts mid-way (a range exported by psm dbg): the snapshot is its base
          m.seq = r.seq
          m.ticks = [...r.ticks]
        } else if (r.seq !== m.seq) fail(res.line, `snapshot of ${r.machine} at seq ${r.seq}, last tx was ${m.seq}`)
        else if (r.ticks.length !== m.ticks.length || r.ticks.some((t, i) => t !== m.ticks[i])) {
          fail(res.line, `snapshot of ${r.machine} at seq ${r.seq} disagrees with replay`)
        }
        if (opts.keepHistories) m.hist.snapshots.push(r)
        break
      }
      case 'log':
        stats.logs++
        break
      case 'stop':
        break
      case 'msg': {
        const m = machines.get(r.machine)
        if (!m) fail(res.line, `msg for undeclared machine ${r.machine}`)
        else if (r.seq > m.seq) fail(res.line, `msg of ${r.machine} names seq ${r.seq}, past its last tx ${m.seq}`)
        stats.msgs[r.mark] = (stats.msgs[r.mark] ?? 0) + 1
        break
      }
    }
  }
  if (!sawHeader) throw new InputError(`${path}: empty file, not a psm log`)
  const out: ScanResult = { stats }
  if (problem) out.problem = problem
  if (opts.keepHistories) out.histories = new Map([...machines].map(([id, m]) => [id, m.hist]))
  return out
}

/** Loads every machine's history (for replay in tests and tools). */
export async function loadHistories(path: string): Promise<Map<string, MachineHistory>> {
  const res = await scanLog(path, { keepHistories: true })
  return res.histories ?? new Map()
}
