// Groups runs into the matrix's cells (hosts × msgs) per implementation and summarises each metric,
// over the successful runs only: a failed run's numbers describe a different amount of work.
import type { Metric } from './metrics.js'
import type { RunRecord } from './results.js'
import { type Summary, summarize } from './stats.js'

export interface CellKey {
  hosts: number
  msgs: number
}

export interface ImplCell {
  runs: RunRecord[]
  ok: RunRecord[]
  failed: RunRecord[]
}

export const cellId = (hosts: number, msgs: number): string => `${hosts}x${msgs}`

/** runs → cell id → impl → runs of that cell */
export function groupRuns(runs: readonly RunRecord[]): Map<string, Map<string, ImplCell>> {
  const cells = new Map<string, Map<string, ImplCell>>()
  for (const run of runs) {
    const id = cellId(run.hosts, run.msgs)
    const byImpl = cells.get(id) ?? new Map<string, ImplCell>()
    cells.set(id, byImpl)
    const c = byImpl.get(run.impl) ?? { runs: [], ok: [], failed: [] }
    byImpl.set(run.impl, c)
    c.runs.push(run)
    ;(run.failure === null ? c.ok : c.failed).push(run)
  }
  return cells
}

export function metricSummary(cell: ImplCell | undefined, metric: Metric): Summary | undefined {
  return cell ? summarize(cell.ok.map((r) => metric.get(r))) : undefined
}

export function metricValues(cell: ImplCell | undefined, metric: Metric): number[] {
  return (cell?.ok ?? []).map((r) => metric.get(r)).filter((v): v is number => v !== undefined && Number.isFinite(v))
}

/** The matrix axes as they appear in the runs (sorted), or as configured when given. */
export function axes(runs: readonly RunRecord[], config?: { hosts: number[]; msgs: number[] }): CellKey[][] {
  const hosts = config?.hosts ?? [...new Set(runs.map((r) => r.hosts))]
  const msgs = config?.msgs ?? [...new Set(runs.map((r) => r.msgs))]
  const hs = [...hosts].sort((a, b) => a - b)
  const ms = [...msgs].sort((a, b) => a - b)
  return hs.map((h) => ms.map((m) => ({ hosts: h, msgs: m })))
}
