// experiment files (`psm experiment run FILE`): node groups with roles, gossipsub parameters and peer
// scoring per group, the topology, the phases, the network model, the clock, the seed and the attacks.
// Every key is checked (src/config/schema.ts) and every problem is one line naming file:line:key
// (src/config/load.ts). Cross-key rules inside a group or an attack are checked with the item's own path,
// so the line points at the group or attack that breaks them.
import { CLOCK_MODES } from '../clock/virtual-mode.js'
import { loadConfig } from '../config/load.js'
import { loadNetworkSpec, networkSchema } from '../config/network.js'
import { type NetworkSource, rebaseNetwork } from '../config/network-flags.js'
import {
  boolean,
  ConfigIssue,
  duration,
  type Infer,
  int,
  list,
  nullable,
  number,
  object,
  oneOf,
  type Path,
  type Schema,
  show,
  string,
} from '../config/schema.js'
import { DISCOVERY_BACKENDS } from '../discovery/types.js'
import { DEFAULT_MAX_CONNECTIONS } from '../net/constants.js'

export const ROLES = ['publisher', 'lurker', 'attacker'] as const
export type Role = (typeof ROLES)[number]
export const IMPLEMENTATIONS = ['machine', 'vanilla'] as const
export const SCHEDULES = ['each', 'turns'] as const
export const TOPOLOGIES = ['random', 'explicit', 'chain', 'discovery'] as const
export const ATTACKS = ['sybil-flood', 'eclipse', 'cold-boot', 'covert-flash', 'censor'] as const
export type AttackKind = (typeof ATTACKS)[number]

/** A schema whose value must also pass `rule`; the rule throws ConfigIssue with a path below the item. */
function refine<T>(inner: Schema<T>, rule: (value: T, path: Path) => void): Schema<T> {
  return {
    ...inner,
    get defaultValue() {
      return inner.defaultValue
    },
    check(value, path) {
      const v = inner.check(value, path)
      rule(v, path)
      return v
    },
  }
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1000, kib: 1024, mb: 1_000_000, mib: 1024 * 1024 }

/** A size in bytes: a whole number, or `512KiB`, `1MB`, `100B`. */
export function bytes(opts: { default?: number; min?: number; max?: number } = {}): Schema<number> {
  const expected = 'a size in bytes (e.g. 512, 100B, 4KiB, 1MB)'
  const s: Schema<number> = {
    kind: 'bytes',
    expected,
    defaultValue: opts.default,
    check(value, path) {
      let n: number | undefined
      if (typeof value === 'number' && Number.isInteger(value)) n = value
      else if (typeof value === 'string') {
        const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value)
        const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined
        if (m && unit !== undefined) n = Math.round(Number(m[1]) * unit)
      }
      if (n === undefined) throw new ConfigIssue(path, `${show(value)} is not ${expected}`)
      if (opts.min !== undefined && n < opts.min)
        throw new ConfigIssue(path, `${n} bytes is below the minimum ${opts.min}`)
      if (opts.max !== undefined && n > opts.max)
        throw new ConfigIssue(path, `${n} bytes is above the maximum ${opts.max}`)
      return n
    },
    fromText: (text, path) => s.check(text, path),
  }
  return s
}

/** Smallest message: 8 bytes of message id (interop's first-8-bytes rule) and one validity byte. */
export const MIN_MESSAGE_BYTES = 9
const HOUR = 3_600_000

const topicName = string({ pattern: /^[\w.:/-]{1,64}$/, expected: 'a topic name (letters, digits, . : / - _)' })

/** gossipsub's own rules for topic score parameters (validateTopicScoreParams), named by key. */
function checkTopicScore(t: Record<string, number>, path: Path): void {
  const need = (ok: boolean, key: string, why: string) => {
    if (!ok) throw new ConfigIssue([...path, key], why)
  }
  if (t.timeInMeshWeight !== 0)
    need(t.timeInMeshCap! > 0, 'timeInMeshCap', 'must be above 0 when timeInMeshWeight is not 0')
  if (t.firstMessageDeliveriesWeight !== 0) {
    need(
      t.firstMessageDeliveriesCap! > 0,
      'firstMessageDeliveriesCap',
      'must be above 0 when firstMessageDeliveriesWeight is not 0',
    )
  }
  if (t.meshMessageDeliveriesWeight !== 0) {
    const why = 'when meshMessageDeliveriesWeight is not 0'
    need(t.meshMessageDeliveriesThreshold! > 0, 'meshMessageDeliveriesThreshold', `must be above 0 ${why}`)
    need(t.meshMessageDeliveriesCap! > 0, 'meshMessageDeliveriesCap', `must be above 0 ${why}`)
    need(t.meshMessageDeliveriesActivation! >= 1000, 'meshMessageDeliveriesActivation', `must be at least 1s ${why}`)
  }
}

const scoreSchema = object({
  enabled: boolean(true),
  // per-topic parameters (gossipsub's TopicScoreParams), applied to every topic of the group
  topic: refine(
    object({
      weight: number({ default: 1, min: 0, max: 100 }),
      timeInMeshWeight: number({ default: 0.03, min: 0, max: 100 }),
      timeInMeshQuantum: duration({ default: '1s', min: 1 }),
      timeInMeshCap: number({ default: 300, min: 0 }),
      firstMessageDeliveriesWeight: number({ default: 1, min: 0, max: 100 }),
      firstMessageDeliveriesDecay: number({ default: 0.9, min: 0.01, max: 0.99 }),
      firstMessageDeliveriesCap: number({ default: 100, min: 0 }),
      meshMessageDeliveriesWeight: number({ default: 0, min: -1000, max: 0 }),
      meshMessageDeliveriesDecay: number({ default: 0.9, min: 0.01, max: 0.99 }),
      meshMessageDeliveriesThreshold: number({ default: 1, min: 0 }),
      meshMessageDeliveriesCap: number({ default: 100, min: 0 }),
      meshMessageDeliveriesActivation: duration({ default: '5s', min: 1 }),
      meshMessageDeliveriesWindow: duration({ default: '10ms', min: 0 }),
      meshFailurePenaltyWeight: number({ default: 0, min: -1000, max: 0 }),
      meshFailurePenaltyDecay: number({ default: 0.9, min: 0.01, max: 0.99 }),
      invalidMessageDeliveriesWeight: number({ default: -100, min: -10_000, max: 0 }),
      invalidMessageDeliveriesDecay: number({ default: 0.9, min: 0.01, max: 0.99 }),
    }),
    checkTopicScore,
  ),
  topicScoreCap: number({ default: 100, min: 0 }),
  behaviourPenaltyWeight: number({ default: -10, min: -1000, max: 0 }),
  behaviourPenaltyDecay: number({ default: 0.9, min: 0.01, max: 0.99 }),
  decayInterval: duration({ default: '1s', min: 1000 }),
  thresholds: refine(
    object({
      gossip: number({ default: -10, max: 0 }),
      publish: number({ default: -50, max: 0 }),
      graylist: number({ default: -80, max: 0 }),
      acceptPX: number({ default: 100, min: 0 }),
      opportunisticGraft: number({ default: 5, min: 0 }),
    }),
    (t, path) => {
      if (t.publish > t.gossip) throw new ConfigIssue([...path, 'publish'], `${t.publish} is above gossip ${t.gossip}`)
      if (t.graylist > t.publish)
        throw new ConfigIssue([...path, 'graylist'], `${t.graylist} is above publish ${t.publish}`)
    },
  ),
})

const gossipsubSchema = object({
  D: int({ default: 8, min: 1, max: 100 }),
  Dlo: int({ default: 6, min: 0, max: 100 }),
  Dhi: int({ default: 12, min: 1, max: 200 }),
  Dscore: int({ default: 4, min: 0, max: 100 }),
  Dout: int({ default: 2, min: 0, max: 100 }),
  Dlazy: int({ default: 6, min: 0, max: 100 }),
  heartbeat: duration({ default: '1s', min: 10, max: 60_000 }),
  historyLength: int({ default: 5, min: 1, max: 100 }),
  historyGossip: int({ default: 3, min: 0, max: 100 }),
  floodPublish: boolean(true),
  // gossipsub 17.1.1 sends IDONTWANT for messages of at least this size (its default: 512 bytes)
  idontwantMinDataSize: bytes({ default: 512, min: 0 }),
  scoring: scoreSchema,
})

function checkGossipsub(g: Infer<typeof gossipsubSchema>, path: Path): void {
  const at = (k: string) => [...path, k]
  if (!(g.Dlo <= g.D && g.D <= g.Dhi))
    throw new ConfigIssue(at('D'), `needs Dlo <= D <= Dhi (got ${g.Dlo}, ${g.D}, ${g.Dhi})`)
  if (g.Dout >= g.Dlo || g.Dout > g.D / 2) {
    throw new ConfigIssue(at('Dout'), `${g.Dout} must be below Dlo (${g.Dlo}) and at most D/2 (${g.D / 2})`)
  }
  if (g.Dscore > g.Dhi) throw new ConfigIssue(at('Dscore'), `${g.Dscore} is above Dhi ${g.Dhi}`)
  if (g.historyGossip > g.historyLength) {
    throw new ConfigIssue(at('historyGossip'), `${g.historyGossip} is above historyLength ${g.historyLength}`)
  }
}

const groupSchema = refine(
  object({
    group: string({ pattern: /^[\w-]{1,32}$/, expected: 'a group name (letters, digits, - _)' }),
    count: int({ min: 1, max: 10_000 }),
    role: oneOf(ROLES, 'lurker'),
    topics: list(topicName, { default: ['blocks'], minItems: 1, maxItems: 16, unique: true }),
    /** publisher: messages per second of each node, per topic (`turns`: of the whole group) */
    rate: number({ default: 1, min: 0, max: 1000 }),
    /** each: every node publishes at `rate`; turns: the group publishes at `rate`, a random node each time */
    schedule: oneOf(SCHEDULES, 'each'),
    size: bytes({ default: 1024, min: MIN_MESSAGE_BYTES, max: 10 * 1024 * 1024 }),
    /** publisher: publishing starts and stops at these times from the start of the warm-up */
    start: duration({ default: 0, min: 0, max: 24 * HOUR }),
    stop: nullable(duration({ min: 0, max: 24 * HOUR })),
    implementation: oneOf(IMPLEMENTATIONS, 'machine'),
    /** how long this group's topic validator takes per message (interop's setTopicValidationDelay) */
    validationDelay: duration({ default: 0, min: 0, max: 60_000 }),
    maxConnections: int({ default: DEFAULT_MAX_CONNECTIONS, min: 1, max: 100_000 }),
    gossipsub: refine(gossipsubSchema, checkGossipsub),
    /** where this group's hosts sit in the network model: a bandwidth class and a region by name; null draws */
    network: object({
      class: nullable(string({ pattern: /^[\w-]{1,64}$/, expected: 'a bandwidth class name of the model' })),
      region: nullable(string({ pattern: /^[\w-]{1,64}$/, expected: 'a region name of the model' })),
    }),
  }),
  (g, path) => {
    if (g.stop !== null && g.stop <= g.start) {
      throw new ConfigIssue([...path, 'stop'], `${g.stop} ms is not after start ${g.start} ms`)
    }
  },
)
export type GroupConfig = Infer<typeof groupSchema>

const phaseSchema = (def: string, rate: number | null) =>
  object({
    duration: duration({ default: def, min: 0, max: 24 * HOUR }),
    /** every publisher's rate in this phase (messages/s); null: the group's own rate */
    rate: nullable(number({ min: 0, max: 1000 }), rate),
  })

const attackSchema = refine(
  object({
    kind: oneOf(ATTACKS),
    /** the attacker group that misbehaves */
    group: string({ nonEmpty: true }),
    /** the misbehaviour starts here (covert flash: the sybils behave until then) */
    start: duration({ default: 0, min: 0, max: 24 * HOUR }),
    /** the misbehaviour ends here and the sybils hang up; null: they attack to the end */
    stop: nullable(duration({ min: 0, max: 24 * HOUR })),
    /** invalid messages per second of each sybil (0: none); null: the kind's default */
    spamRate: nullable(number({ min: 0, max: 10_000 })),
    spamSize: bytes({ default: 64, min: MIN_MESSAGE_BYTES, max: 1024 * 1024 }),
    /** drop every message instead of forwarding it; null: the kind's default */
    censor: nullable(boolean()),
    /** eclipse: the node indexes whose connection slots the sybils fill; empty: every honest node */
    targets: list(int({ min: 0, max: 100_000 }), { default: [], unique: true }),
    /** cold boot: the share of an honest node's first dials that go to sybils */
    bootstrapBias: number({ default: 0.8, min: 0, max: 1 }),
  }),
  (a, path) => {
    if (a.stop !== null && a.stop <= a.start) {
      throw new ConfigIssue([...path, 'stop'], `${a.stop} ms is not after start ${a.start} ms`)
    }
  },
)
export type AttackConfig = Infer<typeof attackSchema>

export const experimentSchema = object({
  name: string({ default: 'experiment', pattern: /^[\w.-]{1,64}$/, expected: 'a name (letters, digits, . - _)' }),
  seed: int({ default: 1, min: 0, max: 2 ** 32 - 1 }),
  clock: oneOf(CLOCK_MODES, 'virtual'),
  network: nullable(networkSchema),
  nodes: list(groupSchema, { minItems: 1, maxItems: 100 }),
  topology: object({
    kind: oneOf(TOPOLOGIES, 'random'),
    /** random: peers each node dials (interop's random mesh); also the degree `maintain` keeps */
    connect: int({ default: 8, min: 0, max: 10_000 }),
    /** explicit: undirected links as [from, to] node indexes */
    edges: list(list(int({ min: 0, max: 100_000 }), { minItems: 2, maxItems: 2 }), { default: [] }),
    /** node indexes every node dials first */
    bootstrap: list(int({ min: 0, max: 100_000 }), { default: [], unique: true }),
    /** discovery: peers a discovery round hands a node */
    findLimit: int({ default: 6, min: 0, max: 10_000 }),
    /** discovery: psm's in-process registry, or a real kad-dht (topics as provider records; every node a DHT server) */
    backend: oneOf(DISCOVERY_BACKENDS, 'registry'),
    /** a peer manager: every interval, nodes with fewer than `connect` connections dial more (0: off) */
    maintain: duration({ default: 0, min: 0, max: HOUR }),
  }),
  phases: object({
    warmup: phaseSchema('10s', 0),
    run: phaseSchema('30s', null),
    cooldown: phaseSchema('10s', 0),
  }),
  /** mesh degree and peer scores are sampled at this interval */
  sample: duration({ default: '1s', min: 10, max: HOUR }),
  /** write the transition log when a group runs the machine implementation */
  log: boolean(true),
  attacks: list(attackSchema, { default: [] }),
})

export type ExperimentConfig = Infer<typeof experimentSchema> & { network: NetworkSource | null }

function crossChecks(c: ExperimentConfig): void {
  const total = c.nodes.reduce((s, g) => s + g.count, 0)
  const names = new Set<string>()
  c.nodes.forEach((g, i) => {
    if (names.has(g.group)) throw new ConfigIssue(['nodes', i, 'group'], `'${g.group}' is used by two groups`)
    names.add(g.group)
  })
  if (total < 2) throw new ConfigIssue(['nodes'], `${total} node(s); an experiment needs at least 2`)
  if (total > 10_000) throw new ConfigIssue(['nodes'], `${total} nodes; at most 10000`)
  const idx = (path: Path, n: number) => {
    if (n >= total) throw new ConfigIssue(path, `node ${n} does not exist (nodes 0..${total - 1})`)
  }
  c.topology.edges.forEach((e, i) => {
    e.forEach((n, j) => {
      idx(['topology', 'edges', i, j], n)
    })
    if (e[0] === e[1]) throw new ConfigIssue(['topology', 'edges', i], `links node ${e[0]} to itself`)
  })
  c.topology.bootstrap.forEach((n, i) => {
    idx(['topology', 'bootstrap', i], n)
  })
  if (c.topology.kind === 'explicit' && c.topology.edges.length === 0) {
    throw new ConfigIssue(['topology', 'edges'], 'topology explicit needs at least one edge')
  }
  if (c.topology.backend === 'dht' && c.topology.kind !== 'discovery') {
    throw new ConfigIssue(
      ['topology', 'backend'],
      `dht is a discovery backend: needs kind discovery, not ${c.topology.kind}`,
    )
  }
  if (c.topology.backend === 'dht' && c.topology.bootstrap.length === 0) {
    throw new ConfigIssue(
      ['topology', 'bootstrap'],
      'dht discovery needs bootstrap nodes: the DHT peers every node joins through',
    )
  }
  if (c.topology.kind === 'random' && c.topology.connect === 0) {
    throw new ConfigIssue(['topology', 'connect'], 'topology random needs connect of at least 1')
  }
  c.attacks.forEach((a, i) => {
    const g = c.nodes.find((n) => n.group === a.group)
    if (!g) throw new ConfigIssue(['attacks', i, 'group'], `no group '${a.group}' (groups: ${[...names].join(', ')})`)
    if (g.role !== 'attacker') {
      throw new ConfigIssue(['attacks', i, 'group'], `group '${a.group}' has role ${g.role}, not attacker`)
    }
    a.targets.forEach((n, j) => {
      idx(['attacks', i, 'targets', j], n)
    })
    if (a.kind !== 'eclipse' && a.targets.length > 0) {
      throw new ConfigIssue(['attacks', i, 'targets'], `targets are for eclipse attacks, not ${a.kind}`)
    }
  })
  const attackers = c.nodes.filter((g) => g.role === 'attacker').map((g) => g.group)
  for (const g of attackers) {
    if (!c.attacks.some((a) => a.group === g)) {
      const i = c.nodes.findIndex((n) => n.group === g)
      throw new ConfigIssue(['nodes', i, 'role'], `attacker group '${g}' has no entry under attacks`)
    }
  }
  if (!c.nodes.some((g) => g.role === 'publisher')) throw new ConfigIssue(['nodes'], 'no group has role publisher')
}

/** A group's `network: {class, region}` names what the file's network model has. */
function pinChecks(c: ExperimentConfig, file: string): void {
  const pinned = c.nodes.some((g) => g.network.class !== null || g.network.region !== null)
  if (!pinned) return
  if (c.network === null) {
    const i = c.nodes.findIndex((g) => g.network.class !== null || g.network.region !== null)
    throw new ConfigIssue(['nodes', i, 'network'], 'places hosts in a network model, but the file has no network:')
  }
  let spec: ReturnType<typeof loadNetworkSpec>
  try {
    spec = loadNetworkSpec(rebaseNetwork(c.network, file))
  } catch {
    return // the model's own error is reported when the file's network is loaded
  }
  const classes = spec.bandwidth.map((b) => b.name)
  const regions = spec.latency.kind === 'regions' ? spec.latency.table.regions.map((r) => r.name) : []
  c.nodes.forEach((g, i) => {
    if (g.network.class !== null && !classes.includes(g.network.class)) {
      throw new ConfigIssue(
        ['nodes', i, 'network', 'class'],
        classes.length === 0
          ? `'${g.network.class}': the network model has no bandwidth classes`
          : `'${g.network.class}' is not a bandwidth class of the model (${classes.join(', ')})`,
      )
    }
    if (g.network.region !== null && !regions.includes(g.network.region)) {
      throw new ConfigIssue(
        ['nodes', i, 'network', 'region'],
        regions.length === 0
          ? `'${g.network.region}': the network model places hosts by ${spec.latency.kind}, not by region`
          : `'${g.network.region}' is not a region of the model (${regions.join(', ')})`,
      )
    }
  })
}

/** Reads and checks an experiment file; throws InputError (exit 2) naming file:line:key. */
export function loadExperiment(file: string, text?: string): ExperimentConfig {
  const schema = refine(experimentSchema, (c) => {
    crossChecks(c as ExperimentConfig)
    pinChecks(c as ExperimentConfig, file)
  })
  const config = loadConfig(schema, { name: file, file, ...(text !== undefined ? { text } : {}) }) as ExperimentConfig
  if (config.network !== null) {
    config.network = rebaseNetwork(config.network, file)
    loadNetworkSpec(config.network)
  }
  return config
}

/** The total of the three phases. */
export function experimentDurationMs(c: ExperimentConfig): number {
  return c.phases.warmup.duration + c.phases.run.duration + c.phases.cooldown.duration
}
