// sim.yml: the simulator's knobs, their defaults and limits, the seed's env names and the `psm sim` flags.
// sim.yml at the repository root spells out the same defaults with a comment per knob (a test keeps
// the two equal); without --config the simulator runs on these embedded defaults.
import { CLOCK_MODES } from '../clock/virtual-mode.js'
import { DEFAULT_FIND_LIMIT } from '../discovery/constants.js'
import { DISCOVERY_BACKENDS } from '../discovery/types.js'
import { DEFAULT_MAX_CONNECTIONS } from '../net/constants.js'
import { DEFAULT_DBG_ADDRESS, DEFAULT_METRICS_LISTEN } from './addresses.js'
import { type Check, type FlagValues, loadConfig, type Override } from './load.js'
import { loadNetworkSpec, networkSchema } from './network.js'
import { type NetworkSource, networkFromFlags, rebaseNetwork } from './network-flags.js'
import {
  boolean,
  duration,
  hostPort,
  type Infer,
  int,
  nullable,
  number,
  object,
  oneOf,
  type Path,
  string,
} from './schema.js'

export const TRANSPORTS = ['memory', 'tcp'] as const
export const ENCRYPTERS = ['plaintext', 'noise'] as const
export const MUXERS = ['mplex', 'yamux'] as const
export const SIGNING = ['unsigned', 'signed'] as const
export const TRACE_EXPORTERS = ['otlp', 'jaeger', 'file', 'off'] as const

/** Host options shared by sim.yml and bench.yml. */
export const hostOptionsSchema = object({
  transport: oneOf(TRANSPORTS, 'memory'),
  encrypter: oneOf(ENCRYPTERS, 'plaintext'),
  muxer: oneOf(MUXERS, 'mplex'),
  signing: oneOf(SIGNING, 'unsigned'),
})
export type HostOptions = Infer<typeof hostOptionsSchema>

/**
 * `discovery:` — a mapping, or just the backend's name (`discovery: dht`) with the other keys at their
 * defaults. backend registry: the in-process registry; dht: kad-dht provider records (peers numbered a
 * multiple of dhtServerEvery are DHT servers and the only bootstrap peers; the rest are DHT clients).
 */
function discoverySchema() {
  const inner = object({
    backend: oneOf(DISCOVERY_BACKENDS, 'registry'),
    findLimit: int({ default: DEFAULT_FIND_LIMIT, min: 0, max: 10_000 }),
    maxConnections: int({ default: DEFAULT_MAX_CONNECTIONS, min: 1, max: 1_000_000 }),
    dhtServerEvery: int({ default: 2, min: 1, max: 100_000 }),
    dhtTimeout: duration({ default: '10s', min: 1, max: 600_000 }),
  })
  return {
    ...inner,
    check: (value: unknown, path: Path) => inner.check(typeof value === 'string' ? { backend: value } : value, path),
  } as typeof inner
}

/** A random action's period: 0 disables the action. */
const period = (def: string) => duration({ default: def, min: 0, max: 24 * 3_600_000 })
const count = (def: number, min = 0) => int({ default: def, min, max: 100_000 })
const logLevel = () => int({ default: 0, min: 0, max: 4 })

export const simSchema = object({
  duration: duration({ default: '60s', min: 0 }),
  heartbeat: duration({ default: '1s', min: 10, max: 60_000 }),
  seed: nullable(int({ min: 0, max: 2 ** 32 - 1 })),
  clock: oneOf(CLOCK_MODES, 'real'),
  initial: object({
    peers: count(10),
    topics: count(5),
    peersPerTopic: count(5),
  }),
  limits: object({
    maxPeers: count(20, 1),
    maxTopics: count(10, 1),
    maxTopicsPerPeer: count(15, 1),
    maxPeersPerTopic: count(10, 2),
    maxFriendsPerPeer: count(10),
    maxMsgsPerPeer: count(100, 1),
  }),
  periods: object({
    AddRandomFriend: period('2s'),
    JoinRandomTopic: period('2s'),
    JoinFriendsTopic: period('4s'),
    MsgRandomTopic: period('3s'),
    AddPeer: period('3s'),
    AddTopic: period('3s'),
    PeakRandTopic: period('10s'),
    RemovePeer: period('50s'),
    RemoveTopic: period('80s'),
    GC: period('100s'),
  }),
  periodJitter: object({
    min: number({ default: 0.75, min: 0.01, max: 10 }),
    max: number({ default: 1.25, min: 0.01, max: 10 }),
  }),
  verifyDelay: duration({ default: '100ms', min: 0, max: 60_000 }),
  deliveryTimeout: duration({ default: '5s', min: 1 }),
  peaking: object({
    threshold: count(10, 1),
    peersAdded: count(5, 1),
  }),
  activeWindow: duration({ default: '60s', min: 1 }),
  metricsInterval: duration({ default: '5s', min: 100 }),
  printInterval: duration({ default: '10s', min: 0 }),
  host: hostOptionsSchema,
  network: nullable(networkSchema),
  // bounded degree, like real nodes: what a discovery round hands a peer to dial, and the most
  // connections a peer keeps (its dial budget and libp2p's connection manager limit)
  discovery: discoverySchema(),
  telemetry: object({
    metrics: object({
      enabled: boolean(false),
      listen: hostPort(DEFAULT_METRICS_LISTEN),
      hostLabelLimit: int({ default: 10, min: 0, max: 10_000 }),
    }),
    trace: object({
      exporter: oneOf(TRACE_EXPORTERS, 'off'),
      am: int({ default: 1, min: 0, max: 2 }),
      host: int({ default: 0, min: 0, max: 1 }),
      endpoint: nullable(string({ pattern: /^https?:\/\/\S+$/, expected: 'an http(s) URL' })),
      file: string({ default: 'traces.jsonl', nonEmpty: true }),
    }),
    log: nullable(string({ nonEmpty: true })),
    dbg: object({
      address: nullable(hostPort()),
      sim: boolean(true),
      pubsub: boolean(true),
    }),
    logLevel: object({
      sim: logLevel(),
      pubsub: logLevel(),
    }),
  }),
})

export type SimConfig = Infer<typeof simSchema>

// a debugger switch from env without an address streams to the debugger's default address
const dbgOn = (config: SimConfig, on: unknown): void => {
  if (on === true) config.telemetry.dbg.address ??= DEFAULT_DBG_ADDRESS
}
// the seed's tracing levels switched tracing on by themselves: a level above 0 with the exporter off picks OTLP
const traceOn = (config: SimConfig, level: unknown): void => {
  if (typeof level === 'number' && level > 0 && config.telemetry.trace.exporter === 'off') {
    config.telemetry.trace.exporter = 'otlp'
  }
}

export const SIM_ENV: readonly Override<SimConfig>[] = [
  { name: 'SIM_DURATION', path: 'duration' },
  { name: 'SIM_MAX_PEERS', path: 'limits.maxPeers' },
  { name: 'SIM_METRICS', path: 'telemetry.metrics.enabled' },
  { name: 'SIM_AM_DEBUG', path: 'telemetry.dbg.sim', implies: dbgOn },
  { name: 'SIM_AM_LOG_LEVEL', path: 'telemetry.logLevel.sim' },
  { name: 'PS_AM_DEBUG', path: 'telemetry.dbg.pubsub', implies: dbgOn },
  { name: 'PS_AM_LOG_LEVEL', path: 'telemetry.logLevel.pubsub' },
  { name: 'PS_TRACING_HOST', path: 'telemetry.trace.host', implies: traceOn },
  { name: 'PS_TRACING_AM', path: 'telemetry.trace.am', implies: traceOn },
]

/** `--metrics` alone switches metrics on; `--metrics=host:port` also says where to serve them. */
const metricsFlag = (value: string | boolean, _path: Path): boolean => value !== false

export const SIM_FLAGS: readonly Override<SimConfig>[] = [
  { name: 'duration', path: 'duration' },
  { name: 'max-peers', path: 'limits.maxPeers' },
  { name: 'initial-peers', path: 'initial.peers' },
  { name: 'seed', path: 'seed' },
  { name: 'clock', path: 'clock' },
  {
    name: 'metrics',
    path: 'telemetry.metrics.enabled',
    parse: metricsFlag,
    implies: (config, _on, given) => {
      if (typeof given === 'string' && given.trim() !== '') {
        config.telemetry.metrics.listen = hostPort().fromText(given, ['telemetry', 'metrics', 'listen'])
      }
    },
  },
  { name: 'trace', path: 'telemetry.trace.exporter' },
  { name: 'log', path: 'telemetry.log' },
  { name: 'dbg', path: 'telemetry.dbg.address' },
  { name: 'discovery', path: 'discovery.backend' },
]

export const SIM_CHECKS: readonly Check<SimConfig>[] = [
  {
    paths: ['clock', 'host.transport'],
    test: (c) =>
      c.clock !== 'real' && c.host.transport === 'tcp'
        ? `clock ${c.clock} needs host.transport memory (TCP runs on real sockets and wall time: use clock real)`
        : undefined,
  },
  {
    paths: ['initial.peers', 'limits.maxPeers'],
    test: (c) =>
      c.initial.peers > c.limits.maxPeers
        ? `initial.peers ${c.initial.peers} exceeds limits.maxPeers ${c.limits.maxPeers} (RemovePeer could never fire)`
        : undefined,
  },
  {
    paths: ['initial.topics', 'limits.maxTopics'],
    test: (c) =>
      c.initial.topics > c.limits.maxTopics
        ? `initial.topics ${c.initial.topics} exceeds limits.maxTopics ${c.limits.maxTopics}`
        : undefined,
  },
  {
    paths: ['initial.peersPerTopic', 'limits.maxPeersPerTopic'],
    test: (c) =>
      c.initial.peersPerTopic > c.limits.maxPeersPerTopic
        ? `initial.peersPerTopic ${c.initial.peersPerTopic} exceeds limits.maxPeersPerTopic ${c.limits.maxPeersPerTopic}`
        : undefined,
  },
  {
    paths: ['peaking.threshold', 'limits.maxPeersPerTopic'],
    test: (c) =>
      c.peaking.threshold > c.limits.maxPeersPerTopic
        ? `peaking.threshold ${c.peaking.threshold} exceeds limits.maxPeersPerTopic ${c.limits.maxPeersPerTopic} (no topic could peak)`
        : undefined,
  },
  {
    paths: ['periodJitter.min', 'periodJitter.max'],
    test: (c) =>
      c.periodJitter.min > c.periodJitter.max
        ? `periodJitter.min ${c.periodJitter.min} exceeds periodJitter.max ${c.periodJitter.max}`
        : undefined,
  },
]

export interface SimFlags {
  duration?: string
  'max-peers'?: string
  'initial-peers'?: string
  seed?: string
  clock?: string
  metrics?: string | boolean
  trace?: string
  log?: string
  dbg?: string
  discovery?: string
  network?: string
  latency?: string
  bandwidth?: string
}

export interface LoadSimOptions {
  /** sim.yml to read; without it the embedded defaults apply */
  path?: string | undefined
  env?: Readonly<Record<string, string | undefined>>
  flags?: SimFlags | FlagValues
}

/** sim.yml (or the defaults), then env overrides, then flags; throws InputError/UsageError naming the key. */
export function loadSimConfig(opts: LoadSimOptions = {}): SimConfig {
  const config = loadConfig(simSchema, {
    name: 'sim.yml',
    ...(opts.path !== undefined ? { file: opts.path } : {}),
    env: opts.env ?? {},
    envOverrides: SIM_ENV,
    flags: (opts.flags ?? {}) as FlagValues,
    flagOverrides: SIM_FLAGS,
    checks: SIM_CHECKS,
  })
  applyNetwork(config, opts.path, (opts.flags ?? {}) as FlagValues)
  return config
}

/**
 * `network:` paths are relative to the file holding them; `--network` / `--latency` / `--bandwidth`
 * replace the file's model; the model is checked (shared by sim.yml and bench.yml).
 */
export function applyNetwork(
  config: { network: NetworkSource | null },
  file: string | undefined,
  flags: FlagValues,
): void {
  if (config.network !== null && file !== undefined) config.network = rebaseNetwork(config.network, file)
  const text = (name: string): string | undefined =>
    typeof flags[name] === 'string' ? (flags[name] as string) : undefined
  const fromFlags = networkFromFlags({
    network: text('network'),
    latency: text('latency'),
    bandwidth: text('bandwidth'),
  })
  if (fromFlags !== undefined) config.network = fromFlags
  // the model's files are read now, so a bad one stops the command before anything starts
  if (config.network !== null) loadNetworkSpec(config.network)
}

/** The embedded defaults: what sim.yml at the root says. */
export function defaultSimConfig(): SimConfig {
  return simSchema.check({}, [])
}
