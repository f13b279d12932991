// The transition record: one shape for every consumer (log file, live socket, OTel, Prometheus).
import type { MachineSchema } from '../../machines/schema.js'

export const LOG_FORMAT = 'psm-log'
/**
 * The version this psm writes. Version 2 adds `msg` records (a message's fate at one host) and a
 * machine's `peer` (its libp2p peer id; a machine record may come again to add it). Version 1 logs are
 * version 2 logs without either, so every reader takes both.
 */
export const LOG_VERSION = 2
/** every version this psm reads */
export const LOG_VERSIONS: readonly number[] = [1, 2]

/** Whether this psm reads logs of header version `v`. */
export function readsVersion(v: unknown): boolean {
  return typeof v === 'number' && LOG_VERSIONS.includes(v)
}

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
  /**
   * v2: the libp2p peer id of the host a pubsub-host machine drives. Args name peers by machine id
   * (`ps-3`); this is where the raw id stays. Known after the machine was declared (a spawned host
   * actor): the machine record comes again, same id, type and parent, with `peer`.
   */
  peer?: string
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

/** What a host did with one message (gossipsub's validation result, or its own publish). */
export type MsgMark = 'publish' | 'deliver' | 'duplicate' | 'reject'

export const MSG_MARKS: readonly MsgMark[] = ['publish', 'deliver', 'duplicate', 'reject']

/**
 * v2: one message at one host. `deliver`: the first copy, valid (handed to subscribers when the host
 * subscribes, forwarded either way); `duplicate`: a copy already seen; `reject`: validation failed or
 * ignored it; `publish`: the host published it. Written when gossipsub decides (after validation), so
 * `time` is when the copy was taken in; `seq` is the machine's transition it belongs to (the IncomingRPC
 * that carried it, or the PublishMessage).
 */
export interface MsgRecord {
  kind: 'msg'
  machine: string
  seq: number
  time: number
  mark: MsgMark
  /** gossipsub's message id (msgIdToStrFn: base64 by default) */
  id: string
  topic: string
  /** the machine id of the peer it came from (its peer id when no machine has it); absent for publish */
  from?: string
  /** validation's reason (reject) */
  reason?: string
  /** with a network model: the modelled one-way delay of the link from `from`, ms (latency + jitter) */
  netMs?: number
  /** with a network model: how long the write waited in the sender's uplink queue, ms */
  queueMs?: number
}

export type PsmRecord = HeaderRecord | MachineRecord | TxRecord | SnapshotRecord | LogRecord | StopRecord | MsgRecord

/** Strings in a tx's args are cut to this many UTF-16 units (and an ellipsis). */
export const MAX_ARG_STRING = 200

/**
 * A tx's args from an event's: primitives only (the log is for reading, not for replaying payloads),
 * bigints as strings, long strings cut; undefined when nothing is left. Own keys in for-in order, the
 * order JSON.stringify writes them.
 */
export function recordArgs(args: unknown): TxRecord['args'] | undefined {
  if (args === null || typeof args !== 'object') return undefined
  let out: NonNullable<TxRecord['args']> | undefined
  const obj = args as Record<string, unknown>
  // for-in over own keys: no entries array per event
  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue
    const v = obj[k]
    let val: string | number | boolean | null | undefined
    if (v === null || typeof v === 'number' || typeof v === 'boolean') val = v
    else if (typeof v === 'string') val = v.length > MAX_ARG_STRING ? `${v.slice(0, MAX_ARG_STRING)}…` : v
    else if (typeof v === 'bigint') val = v.toString()
    else continue
    out ??= {}
    out[k] = val
  }
  return out
}

/**
 * A tx record handed over field by field, without a record object: what `txRecord` would build from the
 * same arguments. `args` are the event's own (not yet filtered by `recordArgs`); the name lists are the
 * recorder's shared frozen arrays, read during the call only.
 */
export type WriteTx = (
  machine: string,
  seq: number,
  time: number,
  event: string,
  args: unknown,
  accepted: boolean,
  added: readonly string[],
  removed: readonly string[],
  touched: readonly string[],
  durationUs: number,
) => void

/** The tx record of `WriteTx`'s arguments, keys in the order every writer of the log uses. */
export const txRecord: (...a: Parameters<WriteTx>) => TxRecord = (
  machine,
  seq,
  time,
  event,
  eventArgs,
  accepted,
  added,
  removed,
  touched,
  durationUs,
) => {
  const args = recordArgs(eventArgs)
  // two literals rather than a spread of `args`: one fixed shape each, no temporary object
  return args
    ? {
        kind: 'tx',
        machine,
        seq,
        time,
        event,
        args,
        accepted,
        added: added as string[],
        removed: removed as string[],
        touched: touched as string[],
        durationUs,
      }
    : {
        kind: 'tx',
        machine,
        seq,
        time,
        event,
        accepted,
        added: added as string[],
        removed: removed as string[],
        touched: touched as string[],
        durationUs,
      }
}

/** A consumer of records. `write` must never block or throw into the machine that produced it. */
export interface Sink {
  readonly name: string
  write(record: PsmRecord): void
  /**
   * Optional: takes tx records field by field (the bulk of a log), so the recorder builds no record
   * object for a sink that only serialises it. Same rules as `write`.
   */
  writeTx?: WriteTx
  /** records this sink had to drop */
  dropped(): number
  close(): Promise<void>
}
