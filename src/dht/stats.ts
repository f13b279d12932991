// Summaries of a run's operations: per kind, count, successes, p50/p90/p99 of the successful ones.
import { rankQuantile } from '../quantile.js'
import type { Operation, OperationKind } from './ops.js'

export interface KindSummary {
  kind: OperationKind
  count: number
  successes: number
  successRate: number
  /** over successful operations, ms; NaN-free: null when none succeeded */
  p50: number | null
  p90: number | null
  p99: number | null
  meanHops: number | null
  meanPeersContacted: number | null
  /** retrievals: share of successes whose first provider was the publisher */
  firstProviderIsPublisher: number | null
  /** error text → count */
  errors: Record<string, number>
}

export function summarise(ops: readonly Operation[], kind: OperationKind): KindSummary {
  const mine = ops.filter((o) => o.kind === kind)
  const ok = mine.filter((o) => o.success)
  const d = ok.map((o) => o.durationMs).sort((a, b) => a - b)
  const q = (p: number) => (d.length === 0 ? null : rankQuantile(d, p))
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length)
  const errors: Record<string, number> = {}
  for (const o of mine) if (!o.success) errors[o.error ?? 'error'] = (errors[o.error ?? 'error'] ?? 0) + 1
  return {
    kind,
    count: mine.length,
    successes: ok.length,
    successRate: mine.length === 0 ? 0 : ok.length / mine.length,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    meanHops: mean(ok.map((o) => o.hops)),
    meanPeersContacted: mean(mine.map((o) => o.peersContacted)),
    firstProviderIsPublisher:
      kind === 'retrieve' && ok.length > 0 ? ok.filter((o) => o.firstProviderIsPublisher).length / ok.length : null,
    errors,
  }
}
