// Machine metrics built from transition records: transitions, refusals, state activations, active states and
// transition time, labelled by `machine` and `type` (never baked into the name). The first
// `machineLabelLimit` machines get their own `machine` label; later ones share machine="other" (their `type`
// still tells them apart), so a 1,000-peer sim stays a bounded number of series.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
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

interface Inc {
  inc(v?: number): void
}

interface Tracked {
  type: string
  multi: ReadonlySet<string>
  labels: { machine: string; type: string }
  transitions: Inc
  refused: Inc
  duration: { observe(v: number): void }
  activations: Map<string, Inc>
  active: Set<string>
  /** what this machine last wrote into the active-states gauge */
  published: number
}

export function createMachineMetrics(registry: Registry, opts: MachineMetricsOptions = {}): MachineMetrics {
  const limit = Math.max(0, opts.machineLabelLimit ?? MACHINE_METRICS_DEFAULTS.machineLabelLimit)
  const labelNames = ['machine', 'type'] as const
  const transitions = new Counter({
    name: 'psm_machine_transitions_total',
    help: 'Events a machine accepted (a transition was taken)',
    labelNames,
    registers: [registry],
  })
  const refused = new Counter({
    name: 'psm_machine_refused_total',
    help: 'Events a machine refused (no transition: a guard failed or no handler)',
    labelNames,
    registers: [registry],
  })
  const activations = new Counter({
    name: 'psm_machine_state_activations_total',
    help: 'State activations, and Multi state fires, by state',
    labelNames: ['machine', 'type', 'state'],
    registers: [registry],
  })
  const activeStates = new Gauge({
    name: 'psm_machine_active_states',
    help: 'States active now (Multi states are never active)',
    labelNames,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'psm_machine_transition_duration_seconds',
    help: 'Time to process one event, as the recorder measured it',
    labelNames,
    buckets: TRANSITION_BUCKETS,
    registers: [registry],
  })
  const running = new Gauge({
    name: 'psm_machines',
    help: 'Machines running now, by type',
    labelNames: ['type'],
    registers: [registry],
  })

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
    machines.set(id, {
      type,
      multi,
      labels,
      transitions: transitions.labels(labels),
      refused: refused.labels(labels),
      duration: duration.labels(labels),
      activations: new Map(),
      active: new Set(),
      published: 0,
    })
    running.inc({ type })
    // the per-machine series exist from the start: a panel over a quiet machine shows 0, not nothing
    activeStates.inc(labels, 0)
    transitions.inc(labels, 0)
    refused.inc(labels, 0)
    duration.zero(labels)
  }

  function publishActive(t: Tracked): void {
    const n = t.active.size
    if (n === t.published) return
    activeStates.inc(t.labels, n - t.published)
    t.published = n
  }

  function activate(t: Tracked, state: string): void {
    let c = t.activations.get(state)
    if (!c) {
      c = activations.labels({ ...t.labels, state })
      t.activations.set(state, c)
    }
    c.inc()
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
        if (r.accepted) t.transitions.inc()
        else t.refused.inc()
        t.duration.observe(r.durationUs / 1e6)
        for (const s of r.added) {
          t.active.add(s)
          activate(t, s)
        }
        for (const s of r.removed) t.active.delete(s)
        if (r.accepted) {
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
