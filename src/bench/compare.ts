// `psm bench compare A B`: two results.json files (e.g. two versions of psm) cell by cell: for each
// metric, implementation, hosts and msgs the median of A, of B, and B/A; then the geometric mean.
import { cellId, groupRuns, metricSummary } from './cells.js'
import { formatRatio, formatValue, type Metric } from './metrics.js'
import type { ResultsFile } from './results.js'
import { geomean, ratio } from './stats.js'

export interface CompareRow {
  metric: string
  impl: string
  hosts: number
  msgs: number
  a: number | undefined
  b: number | undefined
  /** b / a */
  ratio: number | undefined
}

export function compareResults(a: ResultsFile, b: ResultsFile, metrics: readonly Metric[]): CompareRow[] {
  const ca = groupRuns(a.runs)
  const cb = groupRuns(b.runs)
  const keys = new Map<string, { impl: string; hosts: number; msgs: number }>()
  for (const r of [...a.runs, ...b.runs]) keys.set(`${r.impl} ${cellId(r.hosts, r.msgs)}`, r)
  const order = [...keys.values()].sort((x, y) => x.impl.localeCompare(y.impl) || x.hosts - y.hosts || x.msgs - y.msgs)
  const rows: CompareRow[] = []
  for (const m of metrics) {
    for (const k of order) {
      const id = cellId(k.hosts, k.msgs)
      const va = metricSummary(ca.get(id)?.get(k.impl), m)?.median
      const vb = metricSummary(cb.get(id)?.get(k.impl), m)?.median
      rows.push({ metric: m.key, impl: k.impl, hosts: k.hosts, msgs: k.msgs, a: va, b: vb, ratio: ratio(vb, va) })
    }
  }
  return rows
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) =>
    r
      .map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  )
}

export function formatComparison(
  rows: readonly CompareRow[],
  metrics: readonly Metric[],
  names: [string, string],
): string {
  const out = [
    `A = ${names[0]}`,
    `B = ${names[1]}`,
    'B/A is the ratio of medians over successful runs; above 1.00 B costs more.',
    '',
  ]
  for (const m of metrics) {
    const mine = rows.filter((r) => r.metric === m.key)
    if (mine.every((r) => r.a === undefined && r.b === undefined)) continue
    out.push(`${m.label} (${m.unit})`)
    const body = mine.map((r) => [
      r.impl,
      String(r.hosts),
      String(r.msgs),
      formatValue(r.a, m.unit),
      formatValue(r.b, m.unit),
      formatRatio(r.ratio),
    ])
    out.push(...table([['impl', 'hosts', 'msgs', 'A', 'B', 'B/A'], ...body]).map((l) => `  ${l}`))
    for (const impl of [...new Set(mine.map((r) => r.impl))]) {
      const rs = mine.filter((r) => r.impl === impl && r.ratio !== undefined).map((r) => r.ratio!)
      const unmatched = mine.filter((r) => r.impl === impl && r.ratio === undefined).length
      out.push(
        `  ${impl}: geometric mean B/A ${formatRatio(geomean(rs))} over ${rs.length} cells` +
          (unmatched ? ` (${unmatched} cells in only one file or without a successful run)` : ''),
      )
    }
    out.push('')
  }
  return out.join('\n')
}
