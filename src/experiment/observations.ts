// What a run observed besides its deliveries: per-node counters (bytes, control messages, mesh degree,
// scores), samples over time, and the attack windows. Everything optional beyond `deliveries`, so a run
// that only has deliveries (an interop log) feeds the same report; missing parts leave their tables out.
import type { Deliveries } from './deliveries.js'

export const CONTROL_KINDS = ['graft', 'prune', 'ihave', 'iwant', 'idontwant'] as const
export type ControlKind = (typeof CONTROL_KINDS)[number]

export interface NodeCounters {
  node: number
  /** gossipsub RPC bytes (its own count of encoded RPCs) */
  rpcBytesIn: number
  rpcBytesOut: number
  /** bytes on the modelled wire (every protocol), when a network model ran */
  wireBytesIn?: number
  wireBytesOut?: number
  /** control entries sent; received (gossipsub 17.1.1 does not count IDONTWANT received: 0) */
  controlSent: Record<ControlKind, number>
  controlRecv: Record<ControlKind, number>
  /** invalid (spam) messages this node's validator rejected */
  invalidRejected: number
  /** mesh degree at the end (mean over the node's topics) */
  meshDegree: number
  /** mean score honest peers gave this node at the last sample (null: no honest peer saw it) */
  scoreSeen: number | null
}

export interface Sample {
  tMs: number
  mesh: { mean: number; min: number; max: number }
  connections: { mean: number }
  /** scores honest nodes give their peers, by the kind of peer */
  scores: {
    honest: { mean: number; min: number; n: number }
    attacker: { mean: number; max: number; n: number; belowGraylist: number }
  }
  /** eclipse targets: their mean mesh degree and honest mesh peers */
  targets?: { mesh: number; honestMesh: number }
}

export interface AttackWindow {
  kind: string
  group: string
  startMs: number
  /** null: to the end of the run */
  stopMs: number | null
  targets: number[]
  spamRate: number
  censor: boolean
}

export interface Observations {
  deliveries: Deliveries
  counters?: NodeCounters[]
  samples?: Sample[]
  attacks?: AttackWindow[]
  /** the graylist threshold honest nodes used (for the score table) */
  graylistThreshold?: number
}
