// `psm bench compare A B`: two results.json files (e.g. two versions of psm) cell by cell: for each
// metric, implementation, hosts and msgs the median of A, of B, and B/A with its 95% bootstrap interval
// from the raw runs and the verdict that interval allows (B higher, lower, or no difference from noise).

import { median } from '../quantile.js'
import { cellId, groupRuns, type ImplCell, metricSummary, metricValues } from './cells.js'
import { formatRatio, formatValue, type Metric } from './metrics.js'
import { medianRatio, type Verdict, verdict, verdictWords } from './paired.js'
import type { ResultsFile } from './results.js'
import { geomean } from './stats.js'

export interface CompareRow {
  metric: string
  impl: string
  hosts: number
  msgs: number
  a: number | undefined
  b: number | undefined
  /** b / a (ratio of medians over successful runs) */
  ratio: number | undefined
  /** 95% bootstrap interval of b / a; undefined with fewer than 3 successful runs a side */
  lo: number | undefined
  hi: number | undefined
  verdict: Verdict
  /** runs behind each side: successful / all (failed runs are counted, never dropped silently) */
  runsA: { ok: number; all: number }
  runsB: { ok: number; all: number }
  /** median 1-minute load average before the cell's runs; undefined in results without it */
  loadA: number | undefined
  loadB: number | undefined
}

const counts = (c: ImplCell | undefined) => ({ ok: c?.ok.length ?? 0, all: c?.runs.length ?? 0 })

function cellLoad(c: ImplCell | undefined): number | undefined {
  const loads = (c?.runs ?? []).flatMap((r) => (r.loadBefore?.[0] === undefined ? [] : [r.loadBefore[0]]))
  return loads.length > 0 ? median(loads) : undefined
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
      const cellA = ca.get(id)?.get(k.impl)
      const cellB = cb.get(id)?.get(k.impl)
      const r = medianRatio(metricValues(cellB, m), metricValues(cellA, m))
      rows.push({
        metric: m.key,
        impl: k.impl,
        hosts: k.hosts,
        msgs: k.msgs,
        a: metricSummary(cellA, m)?.median,
        b: metricSummary(cellB, m)?.median,
        ratio: r?.value,
        lo: r?.lo,
        hi: r?.hi,
        verdict: verdict(r),
        runsA: counts(cellA),
        runsB: counts(cellB),
        loadA: cellLoad(cellA),
        loadB: cellLoad(cellB),
      })
    }
  }
  return rows
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) =>
    r
      .map((c, i) => (i < 3 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  )
}

/**
 * Two results taken under different load differ in time whatever the code: an interval cannot see
 * that, so the comparison says it (from the 1-minute load average recorded before each run).
 */
function loadNote(rows: readonly CompareRow[]): string[] {
  const of = (pick: (r: CompareRow) => number | undefined) => {
    const v = rows.map(pick).filter((x): x is number => x !== undefined)
    return v.length > 0 ? median(v) : undefined
  }
  const a = of((r) => r.loadA)
  const b = of((r) => r.loadB)
  if (a === undefined || b === undefined) return ['Load: not recorded in one or both files.']
  const line = `Load (1-min average before each run, median): A ${a.toFixed(2)}, B ${b.toFixed(2)}.`
  const hi = Math.max(a, b)
  const lo = Math.min(a, b)
  if (hi - lo < 1 || hi < 1.25 * lo) return [line]
  return [
    line,
    `WARNING: ${b > a ? 'B' : 'A'} ran on a busier machine: differences in time may come from the load, not the`,
    'code. Compare results taken under similar load (and pinned with --cpus).',
  ]
}

const runs = (n: { ok: number; all: number }) => (n.ok === n.all ? String(n.all) : `${n.ok}/${n.all}`)

export function formatComparison(
  rows: readonly CompareRow[],
  metrics: readonly Metric[],
  names: [string, string],
): string {
  const out = [
    `A = ${names[0]}`,
    `B = ${names[1]}`,
    'B/A is the ratio of medians over successful runs (above 1.00 B costs more), with its 95% interval: a',
    'bootstrap over the raw runs of each side. The verdict names a difference only when the whole interval',
    'lies on one side of 1.00; otherwise the difference is within run-to-run noise. runs: ok/all when some failed.',
    ...loadNote(rows),
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
      runs(r.runsA),
      runs(r.runsB),
      formatValue(r.a, m.unit),
      formatValue(r.b, m.unit),
      formatRatio(r.ratio),
      r.lo === undefined || r.hi === undefined ? '—' : `${formatRatio(r.lo)}–${formatRatio(r.hi)}`,
      r.ratio === undefined
        ? '—'
        : r.verdict === 'higher' || r.verdict === 'lower'
          ? `B ${verdictWords(r.verdict, m.unit)}`
          : r.verdict,
    ])
    out.push(
      ...table([
        ['impl', 'hosts', 'msgs', 'runs A', 'runs B', 'A', 'B', 'B/A', '95% interval', 'verdict'],
        ...body,
      ]).map((l) => `  ${l}`),
    )
    for (const impl of [...new Set(mine.map((r) => r.impl))]) {
      const own = mine.filter((r) => r.impl === impl)
      const rs = own.filter((r) => r.ratio !== undefined).map((r) => r.ratio!)
      const unmatched = own.filter((r) => r.ratio === undefined).length
      const tally = (v: Verdict) => own.filter((r) => r.ratio !== undefined && r.verdict === v).length
      out.push(
        `  ${impl}: geometric mean B/A ${formatRatio(geomean(rs))} over ${rs.length} cells` +
          (unmatched ? ` (${unmatched} cells in only one file or without a successful run)` : '') +
          `; B ${verdictWords('higher', m.unit)} in ${tally('higher')}, ${verdictWords('lower', m.unit)} in ${tally('lower')}, ` +
          `no difference in ${tally('no difference')}` +
          (tally('too few runs') ? `, too few runs for an interval in ${tally('too few runs')}` : ''),
      )
    }
    out.push('')
  }
  return out.join('\n')
}
