// The `network:` section and network model files: a model inline (in sim.yml / bench.yml, or a model
// YAML file), or a path to a model YAML, an oar-p2p latency matrix (.txt) or a Shadow graph (.gml).
// Checked like every other key (unknown keys, bad units, ranges) with file and line; matrix and graph
// problems name their own file and line. The result is a NetworkSpec (src/net/model/spec.ts).
//
//   latency: 50ms | { uniform: [20ms, 80ms] } | { normal: { mean: 50ms, stddev: 10ms } }
//            | { lognormal: { median: 50ms, sigma: 0.5 } }
//   matrix: oar-example.txt          # or: graph: small.gml (+ shadow: shadow.yaml), or: regions: world
//   regions: { weights: { eu: 3, us: 1 }, latency: { eu: { eu: 2ms, us: 70ms }, us: { eu: 70ms, us: 2ms } } }
//   jitter: 2ms   loss: 0.01   dialFailure: 0.05
//   bandwidth: 50Mbit | { up: 20Mbit, down: 100Mbit }
//            | { classes: { supernode: { up: 1024Mbit, down: 1024Mbit, weight: 20 }, fullnode: {...} } }
import { readFileSync } from 'node:fs'
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path'
import { InputError, UsageError } from '../errors.js'
import { parseGml } from '../net/model/gml.js'
import { parseMatrix } from '../net/model/matrix.js'
import { BUILT_IN_TABLES, type RegionTable } from '../net/model/regions.js'
import { parseShadowHosts } from '../net/model/shadow.js'
import type { BandwidthClass, LatencySpec, NetworkSpec } from '../net/model/spec.js'
import { LATENCY_EXPECTED, parseLatency, parseRate, RATE_EXPECTED } from '../net/model/units.js'
import { loadConfig } from './load.js'
import { ConfigIssue, type Infer, nullable, number, object, type Path, type Schema, show, string } from './schema.js'

const fail = (path: Path, message: string): never => {
  throw new ConfigIssue(path, message)
}

type Mapping = Record<string, unknown>
const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v)

function onlyKeys(value: Mapping, keys: readonly string[], path: Path): void {
  for (const k of Object.keys(value)) {
    if (!keys.includes(k)) fail([...path, k], `unknown key (known keys here: ${keys.join(', ')})`)
  }
}

function ms(value: unknown, path: Path): number {
  const x = parseLatency(value)
  return x === undefined ? fail(path, `${show(value)} is not ${LATENCY_EXPECTED}`) : x
}

function bps(value: unknown, path: Path): number {
  const x = parseRate(value)
  return x === undefined ? fail(path, `${show(value)} is not ${RATE_EXPECTED}`) : x
}

function positive(value: unknown, path: Path, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(path, `${show(value)} is not ${what}`)
  return value as number
}

/** A latency value that holds itself: a constant or a distribution drawn per pair. */
export const latencySchema: Schema<LatencySpec> = {
  kind: 'latency',
  expected: `${LATENCY_EXPECTED}, or one of { uniform: [min, max] }, { normal: { mean, stddev } }, { lognormal: { median, sigma } }`,
  defaultValue: undefined,
  check(value, path) {
    if (!isMapping(value)) return { kind: 'constant', ms: ms(value, path) }
    const [kind, ...more] = Object.keys(value)
    if (kind === undefined || more.length > 0)
      return fail(path, `${show(value)}: give exactly one of uniform, normal, lognormal`)
    const at = [...path, kind]
    const v = value[kind]
    switch (kind) {
      case 'uniform': {
        if (!Array.isArray(v) || v.length !== 2) return fail(at, `${show(v)} is not [min, max], e.g. [20ms, 80ms]`)
        const minMs = ms(v[0], [...at, 0])
        const maxMs = ms(v[1], [...at, 1])
        if (maxMs < minMs) fail(at, `max ${String(v[1])} is below min ${String(v[0])}`)
        return { kind, minMs, maxMs }
      }
      case 'normal': {
        if (!isMapping(v)) return fail(at, `${show(v)} is not { mean, stddev }`)
        onlyKeys(v, ['mean', 'stddev'], at)
        return { kind, meanMs: ms(v.mean, [...at, 'mean']), stddevMs: ms(v.stddev, [...at, 'stddev']) }
      }
      case 'lognormal': {
        if (!isMapping(v)) return fail(at, `${show(v)} is not { median, sigma }`)
        onlyKeys(v, ['median', 'sigma'], at)
        const medianMs = ms(v.median, [...at, 'median'])
        if (medianMs <= 0) fail([...at, 'median'], 'must be above 0')
        const sigma = v.sigma
        if (typeof sigma !== 'number' || sigma < 0)
          fail([...at, 'sigma'], `${show(sigma)} is not a number of at least 0`)
        return { kind, medianMs, sigma: sigma as number }
      }
      default:
        return fail(at, 'unknown distribution (known: uniform, normal, lognormal)')
    }
  },
  fromText: (text, path) => latencySchema.check(text.trim(), path),
}

/** Bandwidth: one rate both ways, `{ up, down }`, or weighted classes. */
export const bandwidthSchema: Schema<BandwidthClass[]> = {
  kind: 'bandwidth',
  expected: `${RATE_EXPECTED}, { up, down }, or { classes: { <name>: { up, down, weight } } }`,
  defaultValue: [],
  check(value, path) {
    if (!isMapping(value)) {
      const rate = bps(value, path)
      return [{ name: 'all', upBps: rate, downBps: rate, weight: 1 }]
    }
    if (!('classes' in value)) {
      onlyKeys(value, ['up', 'down', 'classes'], path)
      return [
        { name: 'all', upBps: bps(value.up, [...path, 'up']), downBps: bps(value.down, [...path, 'down']), weight: 1 },
      ]
    }
    onlyKeys(value, ['classes'], path)
    const classes = value.classes
    const at = [...path, 'classes']
    if (!isMapping(classes) || Object.keys(classes).length === 0) return fail(at, 'is not a mapping of class names')
    return Object.entries(classes).map(([name, c]) => {
      const cp = [...at, name]
      if (!isMapping(c)) return fail(cp, `${show(c)} is not { up, down, weight }`)
      onlyKeys(c, ['up', 'down', 'weight'], cp)
      return {
        name,
        upBps: bps(c.up, [...cp, 'up']),
        downBps: bps(c.down, [...cp, 'down']),
        weight: positive(c.weight ?? 1, [...cp, 'weight'], 'a weight above 0'),
      }
    })
  },
  fromText: (text, path) => bandwidthSchema.check(text.trim(), path),
}

/** Regions: a built-in table's name (`world`) or `{ weights, latency }`. */
export const regionsSchema: Schema<RegionTable> = {
  kind: 'regions',
  expected: `one of ${Object.keys(BUILT_IN_TABLES).join(', ')}, or { weights: { <region>: n }, latency: { <from>: { <to>: 50ms } } }`,
  defaultValue: undefined,
  check(value, path) {
    if (typeof value === 'string') {
      const table = BUILT_IN_TABLES[value]
      return (
        table ?? fail(path, `unknown region table '${value}' (built in: ${Object.keys(BUILT_IN_TABLES).join(', ')})`)
      )
    }
    if (!isMapping(value)) return fail(path, `${show(value)} is not ${regionsSchema.expected}`)
    onlyKeys(value, ['weights', 'latency'], path)
    const weights = value.weights
    if (!isMapping(weights) || Object.keys(weights).length === 0)
      return fail([...path, 'weights'], 'is not a mapping of region names to weights')
    const names = Object.keys(weights)
    const regions = names.map((name) => ({
      name,
      weight: positive(weights[name], [...path, 'weights', name], 'a weight above 0'),
    }))
    const table = value.latency
    const lp = [...path, 'latency']
    if (!isMapping(table)) return fail(lp, 'is not a mapping { <from>: { <to>: latency } }')
    onlyKeys(table, names, lp)
    const msTable = names.map((from) => {
      const row = table[from]
      if (!isMapping(row)) return fail([...lp, from], `is missing or not a mapping of ${names.join(', ')}`)
      onlyKeys(row, names, [...lp, from])
      return names.map((to) => {
        if (!(to in row)) fail([...lp, from], `has no latency to '${to}'`)
        return ms(row[to], [...lp, from, to])
      })
    })
    return { name: 'custom', regions, ms: msTable }
  },
  fromText: (text, path) => regionsSchema.check(text.trim(), path),
}

/** A plain latency in ms (`2ms`), no distribution. */
function millis(def: number): Schema<number> {
  const s: Schema<number> = {
    kind: 'millis',
    expected: LATENCY_EXPECTED,
    defaultValue: def,
    check: (value, path) => ms(value, path),
    fromText: (text, path) => s.check(text.trim(), path),
  }
  return s
}

const probability = number({ min: 0, max: 1, default: 0 })
const file = nullable(string({ nonEmpty: true, expected: 'a file path' }))

const sectionFields = object({
  latency: nullable(latencySchema),
  matrix: file,
  graph: file,
  shadow: file,
  regions: nullable(regionsSchema),
  jitter: millis(0),
  loss: probability,
  dialFailure: probability,
  bandwidth: bandwidthSchema,
})

export type NetworkSection = Infer<typeof sectionFields>

const SOURCES = ['latency', 'matrix', 'graph', 'regions'] as const

/** The model section: its keys, then the rules across them (one latency source; shadow needs a graph). */
export const networkSectionSchema: Schema<NetworkSection> = {
  ...sectionFields,
  check(value, path) {
    const section = sectionFields.check(value, path)
    const given = SOURCES.filter((k) => section[k] !== null)
    if (given.length > 1) fail([...path, given[1]!], `give one latency source, not both ${given[0]} and ${given[1]}`)
    if (section.shadow !== null && section.graph === null)
      fail([...path, 'shadow'], 'shadow maps hosts to graph nodes: give a graph too')
    return section
  },
}

/** `network:` in sim.yml / bench.yml: a path to a model file, or a model inline. */
export const networkSchema: Schema<string | NetworkSection> = {
  kind: 'network',
  expected: 'a model file (.yml, .txt matrix, .gml graph) or a model mapping',
  defaultValue: undefined,
  check: (value, path) => (typeof value === 'string' ? value : networkSectionSchema.check(value, path)),
  fromText: (text) => text.trim(),
}

/**
 * A NetworkSpec from a path (YAML model, oar `.txt` matrix, Shadow `.gml` graph) or a section already
 * checked; files a section names are relative to `baseDir` (the folder of the file that holds it).
 */
export function loadNetworkSpec(source: string | NetworkSection, baseDir = process.cwd()): NetworkSpec {
  if (typeof source !== 'string') return specOf(source, baseDir, 'inline')
  const path = resolve(baseDir, source)
  const ext = extname(path).toLowerCase()
  if (ext === '.txt') return specOf({ ...emptySection(), matrix: source }, baseDir, source)
  if (ext === '.gml') return specOf({ ...emptySection(), graph: source }, baseDir, source)
  if (ext !== '.yml' && ext !== '.yaml') {
    throw new InputError(
      `${source}: not a network model file (expected .yml or .yaml, a .txt latency matrix or a .gml graph)`,
    )
  }
  const section = loadConfig(networkSectionSchema, { name: source, file: source, text: read(source, path) })
  return specOf(section, dirname(path), source)
}

function emptySection(): NetworkSection {
  return sectionFields.check({}, [])
}

function specOf(s: NetworkSection, baseDir: string, source: string): NetworkSpec {
  // files named in a model are relative to it; messages name them as seen from here
  const at = (file: string): { name: string; path: string } => {
    const path = resolve(baseDir, file)
    const rel = relative(process.cwd(), path)
    return { name: isAbsolute(file) || rel.startsWith('..') ? path : rel, path }
  }
  let latency: LatencySpec = s.latency ?? { kind: 'constant', ms: 0 }
  if (s.matrix !== null) {
    const f = at(s.matrix)
    latency = { kind: 'matrix', file: f.name, ms: parseMatrix(read(f.name, f.path), f.name) }
  } else if (s.graph !== null) {
    const g = at(s.graph)
    const graph = parseGml(read(g.name, g.path), g.name)
    const sh = s.shadow === null ? undefined : at(s.shadow)
    const nodeOf = sh && parseShadowHosts(read(sh.name, sh.path), sh.name, new Set(graph.nodes.map((n) => n.id)))
    latency = { kind: 'graph', file: g.name, graph, ...(nodeOf ? { nodeOf } : {}) }
  } else if (s.regions !== null) {
    latency = { kind: 'regions', table: s.regions }
  }
  return { latency, jitterMs: s.jitter, loss: s.loss, dialFailure: s.dialFailure, bandwidth: s.bandwidth, source }
}

function read(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? String(err))
    throw new InputError(`${name}: cannot read the network model: ${why}`)
  }
}

/**
 * A model from the `--latency 50ms` / `--bandwidth 50Mbit` shorthands of `psm sim` and `psm scenario`;
 * undefined when neither is given. A bad value is a UsageError naming the flag.
 */
export function networkFromShorthands(flags: { latency?: string; bandwidth?: string }): NetworkSection | undefined {
  if (flags.latency === undefined && flags.bandwidth === undefined) return undefined
  const section = emptySection()
  const parse = <T>(flag: string, schema: Schema<T>, text: string): T => {
    try {
      return schema.fromText(text, [])
    } catch (err) {
      if (err instanceof ConfigIssue) throw new UsageError(`--${flag}: ${err.message}`)
      throw err
    }
  }
  if (flags.latency !== undefined) section.latency = parse('latency', latencySchema, flags.latency)
  if (flags.bandwidth !== undefined) section.bandwidth = parse('bandwidth', bandwidthSchema, flags.bandwidth)
  return section
}
