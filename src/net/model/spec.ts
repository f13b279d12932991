// What a network model says, once parsed and checked (src/config/network.ts builds it from YAML, an
// oar-p2p matrix or a Shadow GML graph): plain data, so it can be logged, hashed and shown.
import type { GmlGraph } from './gml.js'
import type { RegionTable } from './regions.js'

/** Where the one-way latency of an ordered host pair comes from. */
export type LatencySpec =
  | { kind: 'constant'; ms: number }
  /** drawn once per ordered pair, uniform in [minMs, maxMs] (py-dht's delay range) */
  | { kind: 'uniform'; minMs: number; maxMs: number }
  /** drawn once per ordered pair, clamped at 0 */
  | { kind: 'normal'; meanMs: number; stddevMs: number }
  /** drawn once per ordered pair: exp(ln(median) + sigma·N(0,1)) */
  | { kind: 'lognormal'; medianMs: number; sigma: number }
  /** oar-p2p's N×N matrix: host i uses row/column i mod N */
  | { kind: 'matrix'; file: string; ms: number[][] }
  /** a Shadow graph; `nodeOf[i]` is host i's graph node (from shadow.yaml), else round robin */
  | { kind: 'graph'; file: string; graph: GmlGraph; nodeOf?: number[] }
  /** hosts placed in weighted regions; latency from the table between their regions */
  | { kind: 'regions'; table: RegionTable }

/** A bandwidth class: hosts draw one by weight. Rates in bits per second (Infinity: unlimited). */
export interface BandwidthClass {
  name: string
  upBps: number
  downBps: number
  weight: number
}

export interface NetworkSpec {
  latency: LatencySpec
  /** extra delay per write (one send on the raw connection), uniform in [0, jitterMs], seeded; order kept */
  jitterMs: number
  /** probability a segment is lost on any link (a graph's edges may set their own) */
  loss: number
  /** probability a dial fails */
  dialFailure: number
  /** empty: unlimited (a graph's node rates apply when it has them) */
  bandwidth: BandwidthClass[]
  /** the file the model came from, or 'inline' */
  source: string
}
