// dht.yml: the knobs of `psm dht run`, their defaults and limits, and the flags that override them.
// Checked like sim.yml (src/config/load.ts): a bad key is one line with file:line:key, exit 2.
//
// py-dht's parameters and what they are here:
//   k (k-bucket size)   → k: kad-dht's kBucketSize
//   alpha (concurrency) → alpha: kad-dht's alpha (queries in flight per path)
//   beta (nodes a peer returns for a hash) → no knob of its own: a kad-dht server answers with the k
//                         closest peers it knows (`routingTable.closestPeers(key)` counts kBucketSize), so
//                         beta = k here
//   steps-to-stop       → no knob: a kad-dht query path stops when no queued peer can enter the k closest
//                         peers that have answered (the libp2p spec's convergence rule); `disjointPaths`
//                         is the knob kad-dht adds instead (S/Kademlia's d, default alpha)
//   error rate          → errorRate: each dial fails with this probability (the network model's dialFailure)
//   delay range         → delayRange: [min, max], each ordered pair's one-way latency drawn uniform in it
import { CLOCK_MODES, type ClockMode } from '../clock/virtual-mode.js'
import { type FlagValues, loadConfig, type Override } from '../config/load.js'
import { latencySchema, loadNetworkSpec, networkSchema } from '../config/network.js'
import { type NetworkSource, networkFromFlags, rebaseNetwork } from '../config/network-flags.js'
import {
  ConfigIssue,
  duration,
  hostPort,
  type Infer,
  int,
  nullable,
  number,
  object,
  oneOf,
  type Schema,
  show,
  string,
} from '../config/schema.js'
import { networkLogEntry } from '../net/model/provenance.js'
import type { NetworkSpec } from '../net/model/spec.js'
import type { NetworkLogEntry } from '../telemetry/records.js'

/** vanilla: the schedule calls kad-dht; machine: through each node's discovery machine (src/dht/machine.ts) */
export const DHT_IMPLS = ['vanilla', 'machine'] as const
export type DhtImpl = (typeof DHT_IMPLS)[number]

/** `[20ms, 80ms]`: py-dht's delay range. */
const delayRangeSchema: Schema<[number, number]> = {
  kind: 'delayRange',
  expected: '[min, max] latencies (e.g. [20ms, 80ms])',
  defaultValue: undefined,
  check(value, path) {
    if (!Array.isArray(value) || value.length !== 2) throw new ConfigIssue(path, `${show(value)} is not [min, max]`)
    const l = latencySchema.check({ uniform: value }, path)
    if (l.kind !== 'uniform') throw new ConfigIssue(path, `${show(value)} is not [min, max]`)
    return [l.minMs, l.maxMs]
  },
  fromText(text, path) {
    // `20ms-80ms` or `20ms,80ms` on the command line
    const parts = text.split(/[,-]/).map((p) => p.trim())
    if (parts.length !== 2) throw new ConfigIssue(path, `'${text}' is not MIN-MAX (e.g. 20ms-80ms)`)
    return delayRangeSchema.check(parts, path)
  },
}

export const dhtSchema = object({
  nodes: int({ default: 30, min: 2, max: 100_000 }),
  rounds: int({ default: 10, min: 1, max: 1_000_000 }),
  /** M: how many other nodes look up each provided CID */
  retrievers: int({ default: 5, min: 1, max: 100_000 }),
  seed: nullable(int({ min: 0, max: 2 ** 32 - 1 })),
  /** default: virtual, or real with procs (TCP between processes runs on wall time) */
  clock: nullable(oneOf(CLOCK_MODES)),
  k: int({ default: 20, min: 1, max: 1000 }),
  alpha: int({ default: 3, min: 1, max: 100 }),
  disjointPaths: nullable(int({ min: 1, max: 100 })),
  /** peers each node dials when it joins, before its self-lookup */
  bootstrapPeers: int({ default: 3, min: 1, max: 100 }),
  /** self-lookups in flight while the network initialises */
  initConcurrency: int({ default: 32, min: 1, max: 10_000 }),
  /** a provide or a retrieval still running after this is a failure ('timeout') */
  opTimeout: duration({ default: '60s', min: 1 }),
  /** libp2p's connection limit per node */
  maxConnections: int({ default: 200, min: 1, max: 1_000_000 }),
  errorRate: nullable(number({ min: 0, max: 1 })),
  delayRange: nullable(delayRangeSchema),
  network: nullable(networkSchema),
  /** `psm dht run --procs P`: the nodes run in P `psm dht serve` processes over TCP */
  procs: int({ default: 0, min: 0, max: 256 }),
  metrics: nullable(hostPort()),
  /**
   * vanilla: the schedule calls kad-dht directly; machine: each node's provide and retrieve go through
   * its discovery machine (src/dht/machine.ts). Default: machine when there is a log, else vanilla.
   */
  impl: nullable(oneOf(DHT_IMPLS)),
  /** the transition log of the discovery machines (.jsonl or .jsonl.gz; a folder: a new DIR/dht-<time>.jsonl.gz) */
  log: nullable(string({ nonEmpty: true })),
})

type DhtFile = Infer<typeof dhtSchema>
/** dht.yml as checked, its clock resolved */
export type DhtConfig = Omit<DhtFile, 'clock' | 'impl'> & { clock: ClockMode; impl: DhtImpl }

export const DHT_FLAGS: readonly Override<DhtFile>[] = [
  { name: 'nodes', path: 'nodes' },
  { name: 'rounds', path: 'rounds' },
  { name: 'retrievers', path: 'retrievers' },
  { name: 'seed', path: 'seed' },
  { name: 'clock', path: 'clock' },
  { name: 'k', path: 'k' },
  { name: 'alpha', path: 'alpha' },
  { name: 'disjoint-paths', path: 'disjointPaths' },
  { name: 'init-concurrency', path: 'initConcurrency' },
  { name: 'error-rate', path: 'errorRate' },
  { name: 'delay-range', path: 'delayRange' },
  { name: 'op-timeout', path: 'opTimeout' },
  { name: 'max-connections', path: 'maxConnections' },
  { name: 'procs', path: 'procs' },
  { name: 'metrics', path: 'metrics' },
  { name: 'impl', path: 'impl' },
  { name: 'log', path: 'log' },
]

export interface LoadDhtOptions {
  path?: string | undefined
  flags?: FlagValues
}

export function loadDhtConfig(opts: LoadDhtOptions = {}): DhtConfig {
  const flags = opts.flags ?? {}
  const loaded = loadConfig(dhtSchema, {
    name: 'dht.yml',
    ...(opts.path !== undefined ? { file: opts.path } : {}),
    flags,
    flagOverrides: DHT_FLAGS,
    checks: [
      {
        paths: ['retrievers', 'nodes'],
        test: (c) =>
          c.retrievers > c.nodes - 1
            ? `retrievers ${c.retrievers} needs at least ${c.retrievers + 1} nodes (nodes is ${c.nodes})`
            : undefined,
      },
      {
        paths: ['procs', 'clock'],
        test: (c) =>
          c.procs > 0 && c.clock !== null && c.clock !== 'real'
            ? `procs ${c.procs} runs nodes in other processes over TCP: it needs clock real (got ${c.clock})`
            : undefined,
      },
      {
        paths: ['impl', 'log'],
        test: (c) =>
          c.impl === 'vanilla' && c.log !== null
            ? "log needs impl machine: the log holds the discovery machines' transitions (vanilla has none)"
            : undefined,
      },
      {
        paths: ['impl', 'procs'],
        test: (c) =>
          c.impl === 'machine' && c.procs > 0
            ? `impl machine runs the discovery machines in this process: it cannot run with procs ${c.procs}`
            : undefined,
      },
      {
        paths: ['procs', 'nodes'],
        test: (c) => (c.procs > c.nodes ? `procs ${c.procs} exceeds nodes ${c.nodes}` : undefined),
      },
    ],
  })
  const config: DhtConfig = {
    ...loaded,
    clock: loaded.clock ?? (loaded.procs > 0 ? 'real' : 'virtual'),
    impl: loaded.impl ?? (loaded.log !== null ? 'machine' : 'vanilla'),
  }
  if (config.network !== null && opts.path !== undefined) config.network = rebaseNetwork(config.network, opts.path)
  const text = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined)
  const fromFlags = networkFromFlags({
    network: text('network'),
    latency: text('latency'),
    bandwidth: text('bandwidth'),
  })
  if (fromFlags !== undefined) config.network = fromFlags as NetworkSource
  // read the model now, so that a bad one stops the command before anything starts
  if (config.network !== null) loadNetworkSpec(config.network)
  return config
}

/** The run's network model: `network:` (or none: zero latency), then errorRate and delayRange over it. */
export function dhtNetworkSpec(c: DhtConfig): NetworkSpec | undefined {
  if (c.network === null && c.errorRate === null && c.delayRange === null) return undefined
  const spec: NetworkSpec =
    c.network !== null
      ? loadNetworkSpec(c.network)
      : {
          latency: { kind: 'constant', ms: 0 },
          jitterMs: 0,
          loss: 0,
          dialFailure: 0,
          bandwidth: [],
          source: 'dht.yml',
        }
  if (c.errorRate !== null) spec.dialFailure = c.errorRate
  if (c.delayRange !== null) spec.latency = { kind: 'uniform', minMs: c.delayRange[0], maxMs: c.delayRange[1] }
  return spec
}

/** The smallest one-way latency the model can give a pair, when the model says (constant or uniform). */
export function minDelayMs(spec: NetworkSpec | undefined): number | undefined {
  if (spec === undefined) return 0
  if (spec.latency.kind === 'constant') return spec.latency.ms
  if (spec.latency.kind === 'uniform') return spec.latency.minMs
  return undefined
}

/** The run's network model for the log header: the model file or section, with errorRate and delayRange over it. */
export function dhtNetworkEntry(c: DhtConfig, seed = c.seed ?? 0): NetworkLogEntry | undefined {
  if (c.network === null && c.errorRate === null && c.delayRange === null) return undefined
  const base = c.network !== null ? networkLogEntry(c.network, seed) : { seed }
  if (c.errorRate === null && c.delayRange === null) return base
  return {
    ...base,
    inline: {
      ...(base.inline ?? {}),
      ...(c.errorRate !== null ? { dialFailure: c.errorRate } : {}),
      ...(c.delayRange !== null ? { latency: { uniform: [`${c.delayRange[0]}ms`, `${c.delayRange[1]}ms`] } } : {}),
    },
  }
}
