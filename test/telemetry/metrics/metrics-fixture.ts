// Test helper: a run's full metric set without a network. Registers gossipsub's families through the adapter
// (gossipsub's own `getMetrics`, as every host does) and can write a value into every family, so that tests
// see each exported family in the exposition.
import { getMetrics } from '@libp2p/gossipsub/metrics'
import { createRunMetrics, type RunMetrics, type RunMetricsOptions } from '../../../src/telemetry/metrics/metrics.js'

export type GossipsubMetricsObject = ReturnType<typeof getMetrics>

export function gossipsubMetricsFor(run: RunMetrics, host: string): GossipsubMetricsObject {
  const h = run.gossipsub.forHost(host)
  return getMetrics(h.metricsRegister, h.metricsTopicStrToLabel, {
    gossipPromiseExpireSec: 3,
    behaviourPenaltyThreshold: 6,
    maxMeshMessageDeliveriesWindowSec: 1,
  })
}

/** Writes one value into every gossipsub family (counters +1, gauges 1, histograms 0.5, avgMinMax [1, 2]). */
export function touchEveryGossipsubFamily(gm: GossipsubMetricsObject, labels: Record<string, string> = {}): void {
  for (const m of Object.values(gm)) {
    if (m === null || typeof m !== 'object' || m instanceof Map) continue
    const x = m as unknown as Record<string, unknown>
    if (typeof x.observe === 'function') (x.observe as (l: object, v: number) => void)(labels, 0.5)
    else if (typeof x.inc === 'function') (x.inc as (l: object, v: number) => void)(labels, 1)
    else if (typeof x.set === 'function') (x.set as (l: object, v: number[]) => void)(labels, [1, 2])
  }
}

/** A run's metrics with every family registered: machine, sim, process and gossipsub (one host). */
export function fullRunMetrics(opts: RunMetricsOptions = {}): { run: RunMetrics; gm: GossipsubMetricsObject } {
  const run = createRunMetrics(opts)
  const gm = gossipsubMetricsFor(run, 'ps-0')
  return { run, gm }
}

/** Names of every family in the registry (histograms by base name). */
export function familyNames(run: RunMetrics): string[] {
  return run.registry
    .getMetricsAsArray()
    .map((m) => m.name)
    .sort()
}
