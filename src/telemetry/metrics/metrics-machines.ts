// Machine metrics built from transition records: transitions, refusals, state activations, active states and
// transition time, labelled by `machine` and `type` (never baked into the name). The first
// `machineLabelLimit` machines get their own `machine` label; later ones share machine="other" (their `type`
// still tells them apart), so a 1,000-peer sim stays a bounded number of series.
import { Counter, Gauge, type Metric, type Registry } from 'prom-client'
import type { PsmRecord } from '../records.js'

export interface MachineMetricsOptions {
  /** machines with their own `machine` label value (default 100) */
  machineLabelLimit?: number
}

// each labelled machine costs ~20 series (most of them histogram buckets) in every scrape
export const MACHINE_METRICS_DEFAULTS = { machineLabelLimit: 100 } as const

export const OTHER_MACHINE = 'other'

/**
 * Seconds; xstate transitions take microseconds to a few milliseconds, but a loaded sim sees tens to hundreds
 * of ms (a transition waiting on GC or a long RPC batch), which a top bucket of 25 ms would hide. Few buckets:
 * they are per machine.
 */
export const TRANSITION_BUCKETS = [2.5e-5, 1e-4, 2.5e-4, 1e-3, 5e-3, 0.025, 0.1, 0.5]

export interface MachineMetrics {
  /** feed one record (what `recorder.subscribe` calls) */
  onRecord(r: PsmRecord): void
}

/**
 * One series' count not yet handed to prom-client. A record costs a plain addition here; the counts reach
 * prom-client once per scrape (in the family's `collect`), not through a labels lookup (prom-client hashes
 * the label set on every `inc`, even through `labels()`) per record.
 */
interface Pending {
  readonly labels: Readonly<Record<string, string>>
  n: number
}

/** Series of one counter or gauge family, keyed by their label values; `flush` adds what is pending. */
class PendingFamily {
  private readonly series = new Map<string, Pending>()
  constructor(private readonly metric: { inc(labels: Record<string, string>, v: number): void }) {}

  /** The series for `labels`, created at 0 in prom-client so a quiet series shows 0 rather than nothing. */
  get(key: string, labels: Record<string, string>): Pending {
    let p = this.series.get(key)
    if (!p) {
      p = { labels, n: 0 }
      this.series.set(key, p)
      this.metric.inc(labels, 0)
    }
    return p
  }

  flush(): void {
    for (const p of this.series.values()) {
      if (p.n === 0) continue
      this.metric.inc(p.labels, p.n)
      p.n = 0
    }
  }
}

interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>
  /** per bucket (not cumulative), then one for above the last bound */
  readonly counts: Float64Array
  sum: number
  count: number
}

/**
 * A labelled histogram whose series are plain arrays the caller holds: an observation is a bucket search and
 * three additions, with no label hashing. Registered in a prom-client Registry as a metric of its own (the
 * Registry only asks a metric for `get()`), it shows in the exposition as prom-client's Histogram does.
 */
export class SeriesHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  private readonly all = new Map<string, HistogramSeries>()

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric)
  }

  /** The series for `labels` (created at zero: it shows from now on). */
  series(key: string, labels: Record<string, string>): HistogramSeries {
    let s = this.all.get(key)
    if (!s) {
      s = { labels, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 }
      this.all.set(key, s)
    }
    return s
  }

  observe(s: HistogramSeries, v: number): void {
    const b = this.buckets
    let i = 0
    while (i < b.length && v > b[i]!) i++
    s.counts[i]!++
    s.sum += v
    s.count++
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: unknown[] }> {
    // le first, as prom-client's Histogram writes it
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = []
    for (const s of this.all.values()) {
      let acc = 0
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.counts[i]!
        values.push({ labels: { le: this.buckets[i]!, ...s.labels }, value: acc, metricName: `${this.name}_bucket` })
      }
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${this.name}_bucket` })
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` })
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` })
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values }
  }

  /** zeroes every series (the holders keep writing into them) */
  reset(): void {
    for (const s of this.all.values()) {
      s.counts.fill(0)
      s.sum = 0
      s.count = 0
    }
  }
}

interface Tracked {
  type: string
  multi: ReadonlySet<string>
  labels: { machine: string; type: string }
  key: string
  transitions: Pending
  refused: Pending
  duration: HistogramSeries
  activations: Map<string, Pending>
  active: Set<string>
  /** its series of the active-states gauge (pending holds deltas) */
  activeSeries: Pending
  /** what this machine last added into the active-states gauge */
  published: number
}

export function createMachineMetrics(registry: Registry, opts: MachineMetricsOptions = {}): MachineMetrics {
  const limit = Math.max(0, opts.machineLabelLimit ?? MACHINE_METRICS_DEFAULTS.machineLabelLimit)
  const labelNames = ['machine', 'type'] as const
  // each family hands its pending counts to prom-client when a scrape reads it (collect runs only then,
  // after the PendingFamily below exists)
  const transitions = new Counter({
    name: 'psm_machine_transitions_total',
    help: 'Events a machine accepted (a transition was taken)',
    labelNames,
    registers: [registry],
    collect: () => tx.flush(),
  })
  const refused = new Counter({
    name: 'psm_machine_refused_total',
    help: 'Events a machine refused (no transition: a guard failed or no handler)',
    labelNames,
    registers: [registry],
    collect: () => ref.flush(),
  })
  const activations = new Counter({
    name: 'psm_machine_state_activations_total',
    help: 'State activations, and Multi state fires, by state',
    labelNames: ['machine', 'type', 'state'],
    registers: [registry],
    collect: () => act.flush(),
  })
  const activeStates = new Gauge({
    name: 'psm_machine_active_states',
    help: 'States active now (Multi states are never active)',
    labelNames,
    registers: [registry],
    collect: () => activeFamily.flush(),
  })
  const duration = new SeriesHistogram(
    'psm_machine_transition_duration_seconds',
    'Time to process one event, as the recorder measured it',
    TRANSITION_BUCKETS,
    registry,
  )
  const running = new Gauge({
    name: 'psm_machines',
    help: 'Machines running now, by type',
    labelNames: ['type'],
    registers: [registry],
  })
  const tx = new PendingFamily(transitions)
  const ref = new PendingFamily(refused)
  const act = new PendingFamily(activations)
  const activeFamily = new PendingFamily(activeStates)

  const machines = new Map<string, Tracked>()
  // an id keeps its label for the run, so a restarted machine continues its own series
  const labelOf = new Map<string, string>()

  function start(id: string, type: string, multi: ReadonlySet<string>): void {
    if (machines.has(id)) return
    let machine = labelOf.get(id)
    if (machine === undefined) {
      machine = labelOf.size < limit ? id : OTHER_MACHINE
      labelOf.set(id, machine)
    }
    const labels = { machine, type }
    const key = `${machine}\u0001${type}`
    // the per-machine series exist from the start: a panel over a quiet machine shows 0, not nothing
    machines.set(id, {
      type,
      multi,
      labels,
      key,
      transitions: tx.get(key, labels),
      refused: ref.get(key, labels),
      duration: duration.series(key, labels),
      activations: new Map(),
      active: new Set(),
      activeSeries: activeFamily.get(key, labels),
      published: 0,
    })
    running.inc({ type })
  }

  function publishActive(t: Tracked): void {
    const n = t.active.size
    if (n === t.published) return
    t.activeSeries.n += n - t.published
    t.published = n
  }

  function activate(t: Tracked, state: string): void {
    let c = t.activations.get(state)
    if (!c) {
      c = act.get(`${t.key}\u0001${state}`, { ...t.labels, state })
      t.activations.set(state, c)
    }
    c.n++
  }

  function onRecord(r: PsmRecord): void {
    switch (r.kind) {
      case 'machine': {
        const multi = new Set(r.schema.states.filter((s) => s.multi).map((s) => s.name))
        start(r.id, r.type, multi)
        return
      }
      case 'tx': {
        const t = machines.get(r.machine)
        if (!t) return
        if (r.accepted) t.transitions.n++
        else t.refused.n++
        duration.observe(t.duration, r.durationUs / 1e6)
        for (const s of r.added) {
          t.active.add(s)
          activate(t, s)
        }
        for (const s of r.removed) t.active.delete(s)
        if (r.accepted && t.multi.size > 0) {
          for (const s of r.touched) if (t.multi.has(s)) activate(t, s)
        }
        publishActive(t)
        return
      }
      case 'snapshot': {
        const t = machines.get(r.machine)
        if (!t) return
        t.active = new Set(r.active)
        publishActive(t)
        return
      }
      case 'stop': {
        const t = machines.get(r.machine)
        if (!t) return
        t.active.clear()
        publishActive(t)
        running.dec({ type: t.type })
        machines.delete(r.machine)
        return
      }
      default:
    }
  }

  return { onRecord }
}
