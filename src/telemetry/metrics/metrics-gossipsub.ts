// Adapts gossipsub's `metricsRegister` option (its own gauge / histogram / avgMinMax shape, not a prom-client
// Registry) to one prom-client Registry. Each gossipsub family becomes ONE prom-client family shared by every
// host of the process, with a `host` label for the first `hostLabelLimit` hosts and host="other" for the rest,
// so that 1,000 hosts do not make 100,000 series. Names are brought to Prometheus conventions on the way.
import type { MetricsRegister, TopicStrToLabel } from '@libp2p/gossipsub/metrics'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { realPerformanceNow } from '../../clock/virtual-real.js'

export interface GossipsubMetricsOptions {
  /** hosts that get their own `host` label value; later hosts share host="other" (default 10) */
  hostLabelLimit?: number
  /** topics that get their own `topic` label value; later topics share topic="other" (default 100) */
  topicLabelLimit?: number
  /** a subscribed host whose mesh holds fewer peers is starved (default 4, gossipsub's D_lo) */
  meshDlo?: number
}

export const GOSSIPSUB_METRICS_DEFAULTS = { hostLabelLimit: 10, topicLabelLimit: 100, meshDlo: 4 } as const

export const OTHER_TOPIC = 'other'

/** Heartbeat time in seconds: gossipsub's own 0.01 / 0.1 / 1 makes every quantile an interpolation. */
export const HEARTBEAT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
/** Behaviour penalty (a count of misbehaviours, decaying): used when gossipsub's threshold-based buckets collapse. */
export const BEHAVIOUR_PENALTY_BUCKETS = [0.5, 1, 2, 4, 8, 16, 32]

/**
 * Buckets psm uses instead of gossipsub's, by family. gossipsub derives the behaviour-penalty buckets from
 * `behaviourPenaltyThreshold`, 0 by default: five `le="0"` buckets that prom-client then counts as one bucket
 * repeated, each above `+Inf`.
 */
const BUCKET_OVERRIDES: Readonly<Record<string, readonly number[]>> = {
  gossipsub_heartbeat_duration_seconds: HEARTBEAT_BUCKETS,
}

/** Strictly increasing, finite bucket bounds, or `fallback` when fewer than two remain. */
export function sanitizeBuckets(
  buckets: readonly number[] | undefined,
  fallback?: readonly number[],
): number[] | undefined {
  if (!buckets) return fallback ? [...fallback] : undefined
  const clean = [...new Set(buckets.filter((b) => Number.isFinite(b) && b > 0))].sort((a, b) => a - b)
  if (clean.length >= 2) return clean
  return fallback ? [...fallback] : clean.length ? clean : undefined
}

function bucketsFor(name: string, given: readonly number[] | undefined): number[] | undefined {
  const override = BUCKET_OVERRIDES[name]
  if (override) return [...override]
  if (name === 'gossipsub_peer_stat_behaviour_penalty') return sanitizeBuckets(given, BEHAVIOUR_PENALTY_BUCKETS)
  return sanitizeBuckets(given)
}

export const OTHER_HOST = 'other'

/** What one gossipsub instance is given: pass both to `gossipsub({ ...options })`. */
export interface GossipsubHostMetrics {
  readonly host: string
  /** the `host` label value this host writes under: its name, or "other" */
  readonly label: string
  readonly metricsRegister: MetricsRegister
  readonly metricsTopicStrToLabel: TopicStrToLabel
  /** the host stopped: its gauges leave the exposition and its scrape callbacks stop running */
  release(): void
}

export interface GossipsubMetrics {
  /**
   * topic → label, shared by every host (gossipsub's `metricsTopicStrToLabel`). It fills itself: each topic a
   * metric names is labelled with its own name, up to `topicLabelLimit` topics, then "other". Without it
   * gossipsub labels its per-mesh scores topic="unknown".
   */
  readonly topicStrToLabel: TopicStrToLabel
  forHost(host: string): GossipsubHostMetrics
}

/**
 * gossipsub names that break Prometheus conventions (promtool check metrics), and what psm exports instead.
 * Families only ever incremented become counters (`_total`); `_count` on a gauge is reserved for histograms.
 */
export const GOSSIPSUB_RENAMES: Readonly<Record<string, string>> = {
  gossisub_duplicate_msg_delivery_delay_seconds: 'gossipsub_duplicate_msg_delivery_delay_seconds',
  gossisub_duplicate_msg_late_delivery_total: 'gossipsub_duplicate_msg_late_delivery_total',
  gossisub_ignored_published_duplicate_msgs_total: 'gossipsub_ignored_published_duplicate_msgs_total',
  gossip_iwant_promise_untracked: 'gossipsub_iwant_promise_untracked_total',
  gossipsub_heartbeat_skipped: 'gossipsub_heartbeat_skipped_total',
  gossipsub_iwant_promise_broken: 'gossipsub_iwant_promise_broken_total',
  gossipsub_iwant_message_pruned: 'gossipsub_iwant_message_pruned_total',
  gossipsub_iwant_promise_resolved_peers: 'gossipsub_iwant_promise_resolved_peers_total',
  gossipsub_topic_peer_count: 'gossipsub_topic_peers',
  gossipsub_mesh_peer_count: 'gossipsub_mesh_peers',
  gossipsub_peers_per_protocol_count: 'gossipsub_peers_per_protocol',
  gossipsub_peers_by_score_threshold_count: 'gossipsub_peers_by_score_threshold',
  gossipsub_mcache_not_validated_count: 'gossipsub_mcache_not_validated',
  gossipsub_async_validation_delay_from_first_seen: 'gossipsub_async_validation_delay_from_first_seen_seconds',
}

/** camelCase label names gossipsub uses, renamed to snake_case (and their values mapped to topic labels). */
const LABEL_RENAMES: Readonly<Record<string, string>> = { topicStr: 'topic' }

export function exportedGossipsubName(name: string): string {
  return GOSSIPSUB_RENAMES[name] ?? name
}

type Labels = Record<string, string | number>
type Bound = { labels: Labels; key: string }

interface Family {
  /** gossipsub's name for it */
  gsName: string
  /** the register method gossipsub called */
  via: 'gauge' | 'histogram' | 'avgMinMax'
  /** gossipsub's label names (before renaming) */
  labelNames: readonly string[]
  renamed: boolean
}

interface GaugeFamily extends Family {
  kind: 'gauge'
  prom: Gauge
}
interface CounterFamily extends Family {
  kind: 'counter'
  prom: Counter
  /** the series of this family (by exported labels, so as bounded as they are), with what they counted since the last scrape */
  pending: Map<string, PendingCount>
}
/** A counter series' increments not yet handed to prom-client (which hashes the labels on every inc). */
interface PendingCount {
  labels: Labels
  n: number
}
interface HistogramFamily extends Family {
  kind: 'histogram'
  prom: Histogram
  /** scrape epoch of the last whole-family reset */
  resetEpoch: number
}
interface Stat {
  labels: Labels
  out: string
  sum: number
  count: number
  min: number
  max: number
}
interface AvgMinMaxFamily extends Family {
  kind: 'avgMinMax'
  avg: Gauge
  min: Gauge
  max: Gauge
  /** per labels key, per host: the last set of values */
  stats: Map<string, Map<string, Stat>>
}
type AnyFamily = GaugeFamily | CounterFamily | HistogramFamily | AvgMinMaxFamily

interface Config {
  name: string
  help: string
  labelNames?: readonly string[]
  buckets?: number[]
}

export function createGossipsubMetrics(registry: Registry, opts: GossipsubMetricsOptions = {}): GossipsubMetrics {
  const limit = Math.max(0, opts.hostLabelLimit ?? GOSSIPSUB_METRICS_DEFAULTS.hostLabelLimit)
  const topicLimit = Math.max(0, opts.topicLabelLimit ?? GOSSIPSUB_METRICS_DEFAULTS.topicLabelLimit)
  const topicStrToLabel: TopicStrToLabel = new Map()
  let topicsLabelled = 0
  /** The label of a topic a metric names, registering it on first sight (a label maps to itself). */
  function topicLabel(topic: string): string {
    const known = topicStrToLabel.get(topic)
    if (known !== undefined) return known
    if (topic === OTHER_TOPIC || topic === 'unknown') return topic
    const label = topicsLabelled < topicLimit ? topic : OTHER_TOPIC
    if (label !== OTHER_TOPIC) topicsLabelled++
    topicStrToLabel.set(topic, label)
    return label
  }
  const families = new Map<string, AnyFamily>()
  const hostLabels = new Map<string, string>()
  let labelled = 0
  // gossipsub resets its snapshot histograms from inside a scrape callback, once per host: the shared family is
  // reset once per scrape (epoch), then every host observes into it again
  let epoch = 0
  // gossipsub's `addCollect` callbacks (its onScrapeMetrics) fill many families; they run in the collect of the
  // first family this adapter registers, so one scrape shows their values, not the previous scrape's
  const scrapeCallbacks = new Set<() => void>()
  // how many hosts write under each `host` label: averages over hosts divide by it (host="other" is a sum)
  const hostsGauge = new Gauge({
    name: 'psm_gossipsub_hosts',
    help: 'gossipsub hosts writing under each host label (host="other" sums several)',
    labelNames: ['host'],
    registers: [registry],
    collect() {
      epoch++
      for (const cb of scrapeCallbacks) {
        try {
          cb()
        } catch {
          // a failing scrape callback must not fail the scrape
        }
      }
    },
  })

  // per host, per topic label: subscribed, and mesh size — every host, labelled or not, so that starved meshes
  // are counted host by host (host="other" gauges are sums, useless for "how many hosts are below D_lo")
  const dlo = opts.meshDlo ?? GOSSIPSUB_METRICS_DEFAULTS.meshDlo
  const meshes = new Map<string, Map<string, { subscribed: boolean; mesh: number }>>()
  const starved = new Gauge({
    name: 'psm_gossipsub_starved_meshes',
    help: `Hosts subscribed to a topic whose mesh holds fewer than D_lo (${dlo}) peers, every host counted`,
    labelNames: ['topic'],
    registers: [registry],
    // registered after psm_gossipsub_hosts: gossipsub's scrape callbacks have just set the mesh sizes
    collect() {
      guard(() => {
        starved.reset()
        for (const byTopic of meshes.values()) {
          for (const [topic, m] of byTopic) {
            if (!m.subscribed) continue
            starved.inc({ topic }, m.mesh < dlo ? 1 : 0)
          }
        }
      })
    },
  })

  function labelFor(host: string): string {
    let l = hostLabels.get(host)
    if (l === undefined) {
      l = labelled < limit && host !== OTHER_HOST ? host : OTHER_HOST
      if (l !== OTHER_HOST) labelled++
      hostLabels.set(host, l)
    }
    return l
  }

  function family(kind: Family['via'], c: Config): AnyFamily {
    const existing = families.get(c.name)
    if (existing) {
      // every host registers the same families; a mismatch is a gossipsub upgrade this adapter does not know
      if (existing.via !== kind) throw new Error(`gossipsub metric ${c.name} registered as ${existing.via} and ${kind}`)
      return existing
    }
    const gsLabels = c.labelNames ?? []
    const labelNames = [...gsLabels.map((l) => LABEL_RENAMES[l] ?? l), 'host']
    const renamed = gsLabels.some((l) => LABEL_RENAMES[l] !== undefined)
    const name = exportedGossipsubName(c.name)
    const base = { gsName: c.name, via: kind, labelNames: gsLabels, renamed }
    let f: AnyFamily
    if (kind === 'gauge' && name.endsWith('_total')) {
      const pending = new Map<string, PendingCount>()
      const prom = new Counter({
        name,
        help: c.help,
        labelNames,
        registers: [registry],
        // the counts gossipsub made since the last scrape reach prom-client now, one inc per series
        collect() {
          for (const p of pending.values()) {
            if (p.n === 0) continue
            this.inc(p.labels, p.n)
            p.n = 0
          }
        },
      })
      f = { kind: 'counter', ...base, prom, pending }
    } else if (kind === 'gauge') {
      const prom = new Gauge({ name, help: c.help, labelNames, registers: [registry] })
      f = { kind: 'gauge', ...base, prom }
    } else if (kind === 'histogram') {
      const prom = new Histogram({
        name,
        help: c.help,
        labelNames,
        registers: [registry],
        ...((b) => (b ? { buckets: b } : {}))(bucketsFor(name, c.buckets)),
      })
      f = { kind: 'histogram', ...base, prom, resetEpoch: -1 }
    } else {
      const stats = new Map<string, Map<string, Stat>>()
      const mk = (suffix: string, what: string) =>
        new Gauge({ name: `${name}_${suffix}`, help: `${c.help} (${what})`, labelNames, registers: [registry] })
      const avg = new Gauge({
        name: `${name}_avg`,
        help: `${c.help} (average)`,
        labelNames,
        registers: [registry],
        collect() {
          guard(() => publishAvgMinMax(f as AvgMinMaxFamily))
        },
      })
      f = { kind: 'avgMinMax', ...base, avg, min: mk('min', 'minimum'), max: mk('max', 'maximum'), stats }
    }
    families.set(c.name, f)
    return f
  }

  function forHost(host: string): GossipsubHostMetrics {
    const label = labelFor(host)
    const shared = label === OTHER_HOST
    const releases: Array<() => void> = [() => hostsGauge.dec({ host: label }), () => meshes.delete(host)]
    /** the mesh size and subscription of this host, per topic */
    const meshOf = (topic: string) => {
      let byTopic = meshes.get(host)
      if (!byTopic) {
        byTopic = new Map()
        meshes.set(host, byTopic)
      }
      let m = byTopic.get(topic)
      if (!m) {
        m = { subscribed: false, mesh: 0 }
        byTopic.set(topic, m)
      }
      return m
    }
    hostsGauge.inc({ host: label })

    /** gossipsub labels → exported labels (with host), and a key naming the series for this host */
    function bind(f: Family, labels: Labels | undefined): Bound {
      const out: Labels = {}
      let key = ''
      if (labels) {
        for (const n of f.labelNames) {
          let v = labels[n]
          if (v === undefined) {
            key += '\u0002'
            continue
          }
          const renamedTo = f.renamed ? LABEL_RENAMES[n] : undefined
          if (renamedTo !== undefined || n === 'topic') v = topicLabel(String(v))
          if (renamedTo !== undefined) out[renamedTo] = v
          else out[n] = v
          key += `${v}\u0001`
        }
      }
      out.host = label
      return { labels: out, key }
    }

    /** bind, remembered by gossipsub's raw label values: a hot call builds no labels object */
    function cachedBind(f: Family): (labels: Labels | undefined) => Bound {
      const cache = new Map<string, Bound>()
      return (labels) => {
        const raw = rawKey(f, labels)
        let b = cache.get(raw)
        if (!b) {
          b = bind(f, labels)
          cache.set(raw, b)
        }
        return b
      }
    }

    function counter(f: CounterFamily) {
      const cache = new Map<string, PendingCount>()
      const child = (labels: Labels | undefined) => {
        const raw = rawKey(f, labels)
        let c = cache.get(raw)
        if (!c) {
          const b = bind(f, labels)
          const key = `${label}\u0003${b.key}`
          c = f.pending.get(key)
          if (!c) {
            // validates the labels now (prom-client throws on a bad one) and makes the series exist at 0
            f.prom.inc(b.labels, 0)
            c = { labels: b.labels, n: 0 }
            f.pending.set(key, c)
          }
          cache.set(raw, c)
        }
        return c
      }
      const inc = (a?: Labels | number, b?: number) => {
        const [labels, v] = typeof a === 'object' ? [a, b ?? 1] : [undefined, a ?? 1]
        // a counter never goes down; gossipsub only increments these, so a negative value is a no-op. An
        // increment by 0 still makes the series exist (at 0): gossipsub names the topic of every IHAVE it
        // receives with `not seen` 0 when the mesh was first, and a panel of that rate should show 0, not no data
        if (!(v >= 0)) return
        try {
          child(labels).n += v
        } catch {}
      }
      // an unlabelled counter exists from the start at 0, so a rate over it is 0 rather than no data
      if (f.labelNames.length === 0) child(undefined)
      return { inc, set: () => {}, addCollect: () => {} }
    }

    function gauge(f: GaugeFamily) {
      // shared hosts write deltas into host="other", so the shared series is the sum over those hosts
      const mine = new Map<string, { labels: Labels; value: number }>()
      const bindOf = cachedBind(f)
      const write = (labels: Labels | undefined, value: number, delta: boolean) => {
        const b = bindOf(labels)
        const prev = mine.get(b.key)
        const before = prev?.value ?? 0
        const after = delta ? before + value : value
        if (prev) prev.value = after
        else mine.set(b.key, { labels: b.labels, value: after })
        if (shared) f.prom.inc(b.labels, after - before)
        else f.prom.set(b.labels, after)
        if (f.gsName === 'gossipsub_mesh_peer_count') meshOf(String(b.labels.topic)).mesh = after
        else if (f.gsName === 'gossipsub_topic_subscription_status')
          meshOf(String(b.labels.topic)).subscribed = after > 0
      }
      const h = {
        inc: (a?: Labels | number, b?: number) =>
          guard(() => (typeof a === 'object' ? write(a, b ?? 1, true) : write(undefined, a ?? 1, true))),
        set: (a: Labels | number, b?: number) =>
          guard(() => (typeof a === 'object' ? write(a, b ?? 0, false) : write(undefined, a, false))),
        addCollect: (fn: (g: unknown) => void) => {
          const cb = () => fn(h)
          scrapeCallbacks.add(cb)
          releases.push(() => scrapeCallbacks.delete(cb))
        },
      }
      releases.push(() => {
        for (const { labels, value } of mine.values()) {
          if (shared) f.prom.inc(labels, -value)
          else f.prom.remove(labels)
        }
        mine.clear()
      })
      return h
    }

    function histogram(f: HistogramFamily) {
      const cache = new Map<string, { observe(v: number): void }>()
      const child = (labels: Labels | undefined) => {
        const raw = rawKey(f, labels)
        let c = cache.get(raw)
        if (!c) {
          c = f.prom.labels(bind(f, labels).labels)
          cache.set(raw, c)
        }
        return c
      }
      if (f.labelNames.length === 0) f.prom.zero({ host: label })
      return {
        observe: (a: Labels | number, b?: number) =>
          guard(() => (typeof a === 'object' ? child(a).observe(b ?? 0) : child(undefined).observe(a))),
        startTimer: () => {
          const start = realPerformanceNow()
          return () => guard(() => child(undefined).observe((realPerformanceNow() - start) / 1000))
        },
        reset: () => {
          if (f.resetEpoch === epoch) return
          f.resetEpoch = epoch
          f.prom.reset()
        },
      }
    }

    function avgMinMax(f: AvgMinMaxFamily) {
      const keys = new Set<string>()
      const bindAvg = cachedBind(f)
      releases.push(() => {
        for (const k of keys) f.stats.get(k)?.delete(host)
      })
      return {
        set: (a: Labels | number[], b?: number[]) => {
          const [labels, values] = Array.isArray(a) ? [undefined, a] : [a, b ?? []]
          const bound = bindAvg(labels)
          let perHost = f.stats.get(bound.key)
          if (!perHost) {
            perHost = new Map()
            f.stats.set(bound.key, perHost)
          }
          keys.add(bound.key)
          let sum = 0
          let min = Number.POSITIVE_INFINITY
          let max = Number.NEGATIVE_INFINITY
          for (const v of values) {
            sum += v
            if (v < min) min = v
            if (v > max) max = v
          }
          perHost.set(host, { labels: bound.labels, out: label, sum, count: values.length, min, max })
        },
      }
    }

    // gossipsub calls these with its generic config types; the handles implement its interfaces structurally
    const register = {
      gauge: (c: Config) => {
        const f = family('gauge', c)
        return f.kind === 'counter' ? counter(f) : gauge(f as GaugeFamily)
      },
      histogram: (c: Config) => histogram(family('histogram', c) as HistogramFamily),
      avgMinMax: (c: Config) => avgMinMax(family('avgMinMax', c) as AvgMinMaxFamily),
    }
    let released = false
    return {
      host,
      label,
      // biome-ignore lint/suspicious/noExplicitAny: gossipsub's register is generic over label types we do not narrow
      metricsRegister: register as any as MetricsRegister,
      metricsTopicStrToLabel: topicStrToLabel,
      release() {
        if (released) return
        released = true
        for (const r of releases) r()
      },
    }
  }

  return { topicStrToLabel, forHost }
}

/** gossipsub's own label values joined: names a series of one host before topic labelling, without allocating labels. */
function rawKey(f: Family, labels: Labels | undefined): string {
  if (!labels) return ''
  let key = ''
  for (const n of f.labelNames) {
    const v = labels[n]
    key += v === undefined ? '\u0002' : `${v}\u0001`
  }
  return key
}

/** Metrics never throw into gossipsub (prom-client throws on an undeclared label or a bad value). */
function guard(fn: () => void): void {
  try {
    fn()
  } catch {}
}

/** Combines each series' per-host stats (a shared "other" series merges its hosts) into avg/min/max gauges. */
function publishAvgMinMax(f: AvgMinMaxFamily): void {
  f.avg.reset()
  f.min.reset()
  f.max.reset()
  for (const perHost of f.stats.values()) {
    const merged = new Map<string, Stat>()
    for (const s of perHost.values()) {
      const m = merged.get(s.out)
      if (!m) merged.set(s.out, { ...s })
      else {
        m.sum += s.sum
        m.count += s.count
        m.min = Math.min(m.min, s.min)
        m.max = Math.max(m.max, s.max)
      }
    }
    for (const s of merged.values()) {
      if (s.count === 0) continue
      f.avg.set(s.labels, s.sum / s.count)
      f.min.set(s.labels, s.min)
      f.max.set(s.labels, s.max)
    }
  }
}
