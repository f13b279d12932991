// Every metric psm exports, in one prom-client Registry per run (never prom-client's global one): machine
// metrics from transition records, the simulator's sim_* metrics, gossipsub's own families through its
// `metricsRegister` option, and a few process metrics. Serve `registry` with metrics-server.ts.
import { Registry } from 'prom-client'
import type { PsmRecord } from '../records.js'
import { createGossipsubMetrics, GOSSIPSUB_METRICS_DEFAULTS, type GossipsubMetrics } from './metrics-gossipsub.js'
import { createMachineMetrics, MACHINE_METRICS_DEFAULTS, type MachineMetrics } from './metrics-machines.js'
import { createProcessMetrics } from './metrics-process.js'
import { createSimMetrics, type SimMetrics } from './metrics-sim.js'

export interface RunMetricsOptions {
  /** gossipsub hosts with their own `host` label; the rest share host="other" */
  hostLabelLimit?: number
  /** machines with their own `machine` label; the rest share machine="other" */
  machineLabelLimit?: number
  /** topics with their own `topic` label on gossipsub families; the rest share topic="other" */
  topicLabelLimit?: number
  /** process CPU, memory and event-loop delay (default true) */
  processMetrics?: boolean
}

export const RUN_METRICS_DEFAULTS = {
  hostLabelLimit: GOSSIPSUB_METRICS_DEFAULTS.hostLabelLimit,
  machineLabelLimit: MACHINE_METRICS_DEFAULTS.machineLabelLimit,
  processMetrics: true,
} as const

/** What a recorder offers to in-process consumers. */
export interface RecordSource {
  subscribe(fn: (r: PsmRecord) => void): () => void
}

export interface RunMetrics {
  readonly registry: Registry
  readonly machines: MachineMetrics
  readonly sim: SimMetrics
  readonly gossipsub: GossipsubMetrics
  /** feeds the machine metrics from a recorder; returns the unsubscribe function */
  attach(recorder: RecordSource): () => void
  /** the exposition text, as a scrape sees it */
  text(): Promise<string>
  close(): void
}

export function createRunMetrics(opts: RunMetricsOptions = {}): RunMetrics {
  const registry = new Registry()
  const machines = createMachineMetrics(registry, {
    machineLabelLimit: opts.machineLabelLimit ?? RUN_METRICS_DEFAULTS.machineLabelLimit,
  })
  const sim = createSimMetrics(registry, {
    hostLabelLimit: opts.hostLabelLimit ?? RUN_METRICS_DEFAULTS.hostLabelLimit,
  })
  const gossipsub = createGossipsubMetrics(registry, {
    hostLabelLimit: opts.hostLabelLimit ?? RUN_METRICS_DEFAULTS.hostLabelLimit,
    ...(opts.topicLabelLimit !== undefined ? { topicLabelLimit: opts.topicLabelLimit } : {}),
  })
  const proc = (opts.processMetrics ?? RUN_METRICS_DEFAULTS.processMetrics) ? createProcessMetrics(registry) : null
  const unsubscribes = new Set<() => void>()
  return {
    registry,
    machines,
    sim,
    gossipsub,
    attach(recorder) {
      const off = recorder.subscribe((r) => machines.onRecord(r))
      unsubscribes.add(off)
      return () => {
        unsubscribes.delete(off)
        off()
      }
    },
    text: () => registry.metrics(),
    close() {
      for (const off of unsubscribes) off()
      unsubscribes.clear()
      proc?.close()
    },
  }
}
