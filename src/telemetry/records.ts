// The transition record: one shape for every consumer (log file, live socket, OTel, Prometheus).
import type { MachineSchema } from '../../machines/schema.js'

export const LOG_FORMAT = 'psm-log'
export const LOG_VERSION = 1

/** The network model a run used (src/net/model/provenance.ts): a file and its hash, or the section inline. */
export interface NetworkLogEntry {
  /** the model file, as the run was given it */
  file?: string
  /** sha256 of that file, hex */
  sha256?: string
  /** the checked `network:` section (a model given inline or by --latency / --bandwidth) */
  inline?: Record<string, unknown>
  /** sha256 of the matrix, graph and shadow files an inline section names, by path */
  files?: Record<string, string>
  /** the seed the model's draws come from */
  seed: number
}

export interface HeaderRecord {
  kind: 'header'
  format: typeof LOG_FORMAT
  version: number
  /** ms since epoch */
  time: number
  /** what produced the log, e.g. "psm sim" */
  source?: string
  /** snapshot interval in txs per machine */
  snapshotEvery?: number
  /** the run's network model; absent: no model (in-process pipes) */
  network?: NetworkLogEntry
}

export interface MachineRecord {
  kind: 'machine'
  id: string
  parent: string | null
  type: string
  schema: MachineSchema
  time: number
}

export interface TxRecord {
  kind: 'tx'
  machine: string
  /** per-machine sequence number, from 1 */
  seq: number
  time: number
  event: string
  args?: Record<string, string | number | boolean | null>
  accepted: boolean
  added: string[]
  removed: string[]
  touched: string[]
  durationUs: number
}

export interface SnapshotRecord {
  kind: 'snapshot'
  machine: string
  /** state after tx `seq` */
  seq: number
  active: string[]
  /** tick per state, in schema order */
  ticks: number[]
}

export interface LogRecord {
  kind: 'log'
  machine: string
  seq: number
  level: 'debug' | 'info' | 'warn' | 'error'
  text: string
}

/** Sent by a machine that stopped (not in the seed's format; readers that do not know it skip it). */
export interface StopRecord {
  kind: 'stop'
  machine: string
  seq: number
  time: number
}

export type PsmRecord = HeaderRecord | MachineRecord | TxRecord | SnapshotRecord | LogRecord | StopRecord

/** A consumer of records. `write` must never block or throw into the machine that produced it. */
export interface Sink {
  readonly name: string
  write(record: PsmRecord): void
  /** records this sink had to drop */
  dropped(): number
  close(): Promise<void>
}
