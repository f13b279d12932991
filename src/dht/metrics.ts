// Prometheus summaries of a `psm dht run` while it runs (parsec exposes its latencies as summaries):
// psm_dht_operation_duration_seconds{kind, success} and psm_dht_operations_total{kind, success}.
import { Counter, Registry, Summary } from 'prom-client'
import type { Operation } from './ops.js'

export interface DhtMetrics {
  readonly registry: Registry
  observe(op: Operation): void
}

export function createDhtMetrics(): DhtMetrics {
  const registry = new Registry()
  const duration = new Summary({
    name: 'psm_dht_operation_duration_seconds',
    help: 'DHT provide / retrieve latency (simulated seconds on a virtual clock)',
    labelNames: ['kind', 'success'],
    percentiles: [0.5, 0.9, 0.99],
    registers: [registry],
  })
  const total = new Counter({
    name: 'psm_dht_operations_total',
    help: 'DHT operations finished',
    labelNames: ['kind', 'success'],
    registers: [registry],
  })
  return {
    registry,
    observe(op) {
      const labels = { kind: op.kind, success: String(op.success) }
      duration.observe(labels, op.durationMs / 1000)
      total.inc(labels)
    },
  }
}
