// bench.md: what ran and where, a summary of machine/vanilla ratios, failures per cell, then per
// metric a hosts × messages table (median and interquartile range per implementation, the ratio of
// medians) under its chart. A pure function of results.json, so a report can be rebuilt from it.
import { Document, visit } from 'yaml'
import type { BenchConfig } from '../config/bench.js'
import { formatMs } from '../config/duration.js'
import {
  axes,
  type CellKey,
  cellId,
  cellRatio,
  groupRuns,
  type ImplCell,
  metricSummary,
  metricValues,
} from './cells.js'
import { formatRatio, formatValue, HEADLINE, METRICS, type Metric, metricByKey } from './metrics.js'
import { formatDuration } from './progress.js'
import type { ResultsFile, RunRecord } from './results.js'
import { bootstrapRatioCI, geomean } from './stats.js'

export const AIM = { ratio: 1.05, metrics: ['wallMs', 'peakRssBytes'] } as const

export interface ReportOptions {
  /** metric key → chart path relative to bench.md */
  charts?: ReadonlyMap<string, string>
}

const NUM = 'machine'
/** the machine implementation without the fast path, when the matrix includes it */
const FULL = 'machine-full'
const DEN = 'vanilla'
const GiB = 1024 ** 3

/** What every section needs: the results grouped once. */
interface View {
  results: ResultsFile
  cells: Map<string, Map<string, ImplCell>>
  grid: CellKey[][]
  impls: string[]
  /** both implementations ran: ratios make sense */
  both: boolean
  measured: Metric[]
}

export function renderReport(results: ResultsFile, opts: ReportOptions = {}): string {
  const { config, runs } = results
  const impls = config.impls.filter((i) => runs.some((r) => r.impl === i))
  const view: View = {
    results,
    cells: groupRuns(runs),
    grid: axes(runs, config),
    impls,
    both: impls.includes(NUM) && impls.includes(DEN),
    measured: METRICS.filter((m) => runs.some((r) => r.failure === null && m.get(r) !== undefined)),
  }
  return [
    header(view),
    summary(view),
    whatRan(view),
    failures(view),
    ...view.measured.map((m) => metricSection(view, m, opts.charts?.get(m.key))),
    footer(view),
  ]
    .flat()
    .join('\n')
}

function header({ results }: View): string[] {
  const { meta, runs, warmup } = results
  const failed = runs.filter((r) => r.failure !== null).length
  const warmFailed = warmup.filter((r) => r.failure !== null).length
  const status = meta.complete ? 'Complete' : '**Partial (interrupted)**'
  const took = meta.finishedAt ? formatDuration(Date.parse(meta.finishedAt) - Date.parse(meta.startedAt)) : '?'
  return [
    `# psm bench: ${results.config.impls.join(' vs ')}`,
    '',
    `${status}: ${runs.length} of ${meta.plannedRuns} measured runs, ${warmup.length} of ${meta.plannedWarmup} ` +
      `warm-up runs; **${failed} failed** (${warmFailed} in warm-up). Started ${meta.startedAt}, took ${took}.`,
    '',
  ]
}

function summary(v: View): string[] {
  const out = ['## Summary', '']
  if (!v.both) return [...out, `Only ${v.impls.join(', ') || 'no implementation'} ran: no ratios.`, '']
  const largest = v.grid[v.grid.length - 1]?.at(-1)
  const big = largest ? v.cells.get(cellId(largest.hosts, largest.msgs)) : undefined
  const at = largest ? `${largest.hosts} hosts × ${largest.msgs} msgs` : '—'
  out.push(
    'Machine/vanilla ratio of medians: above 1.00 the machine implementation costs more. ' +
      'When the 95% interval (bootstrap over the runs of the cell) contains 1.00, the difference is within ' +
      'run-to-run noise.',
    '',
    `| metric | all cells (geometric mean) | lowest – highest cell | at ${at} | 95% interval at ${at} |`,
    '|---|---|---|---|---|',
  )
  const nums = [NUM, FULL].filter((x) => v.impls.includes(x))
  for (const num of nums) {
    if (num === FULL) {
      out.push(
        '',
        `machine-full/vanilla: the machine implementation with every event through xstate's full step (\`machinePubsub({ fastPath: false })\`). ` +
          'The default `machine` runs the action of a Multi event whose transition the machine definition proves trivial ' +
          'without that step when nothing records the actor; with a transition log both take the full step.',
        '',
        `| metric | all cells (geometric mean) | lowest – highest cell | at ${at} | 95% interval at ${at} |`,
        '|---|---|---|---|---|',
      )
    }
    for (const key of HEADLINE) {
      const m = metricByKey(key)!
      if (!v.measured.includes(m)) continue
      const ratios = v.grid
        .flat()
        .map((c) => cellRatio(v.cells.get(cellId(c.hosts, c.msgs)), m, num, DEN))
        .filter((r): r is number => r !== undefined)
      const range = ratios.length ? `${formatRatio(Math.min(...ratios))} – ${formatRatio(Math.max(...ratios))}` : '—'
      const ci = bootstrapRatioCI(metricValues(big?.get(num), m), metricValues(big?.get(DEN), m))
      const interval = ci ? `${formatRatio(ci[0])} – ${formatRatio(ci[1])}` : '—'
      out.push(
        `| ${m.label} | ${formatRatio(geomean(ratios))} | ${range} | ${formatRatio(cellRatio(big, m, num, DEN))} | ${interval} |`,
      )
    }
  }
  out.push('')
  const aim = AIM.metrics.map((k) => ({ label: metricByKey(k)!.label, r: cellRatio(big, metricByKey(k)!, NUM, DEN) }))
  const wall = metricByKey('wallMs')!
  const few = Math.min(metricValues(big?.get(NUM), wall).length, metricValues(big?.get(DEN), wall).length) < 3
  const verdict = aim.some((a) => a.r === undefined)
    ? 'not measured'
    : aim.every((a) => a.r! <= AIM.ratio)
      ? 'met'
      : 'not met'
  out.push(
    `Aim: machine/vanilla ≤ ${AIM.ratio} at ${at} for ${aim.map((a) => a.label).join(' and ')}: **${verdict}** ` +
      `(${aim.map((a) => `${a.label} ${formatRatio(a.r)}`).join(', ')})` +
      (few && verdict !== 'not measured' ? '; fewer than 3 successful runs a side there, so indicative only.' : '.'),
    '',
  )
  return out
}

function whatRan({ results }: View): string[] {
  const { meta, config } = results
  const mi = meta.machine
  const load = `at start ${mi.loadAtStart.join(' / ')}${mi.loadAtEnd ? `; at end ${mi.loadAtEnd.join(' / ')}` : ''}`
  return [
    '## What ran',
    '',
    '| | |',
    '|---|---|',
    ...Object.entries(meta.versions).map(([k, v]) => `| ${k} | ${v} |`),
    `| machine | ${mi.cpuModel}, ${mi.cores} cores, ${(mi.memoryBytes / GiB).toFixed(1)} GiB, ${mi.os} |`,
    `| load average (1/5/15 min) | ${load} |`,
    `| command | \`${meta.command.replace(/\|/g, '\\|')}\` |`,
    '',
    'Each run is a fresh `psm scenario` process; runs go one at a time, implementations interleaved ' +
      '(A B, B A, …) with the same seed per iteration. Statistics use successful runs only; failures are counted below.',
    '',
    '```yaml',
    configYaml(config),
    '```',
    '',
  ]
}

function failures(v: View): string[] {
  const failed = [...v.results.warmup, ...v.results.runs].filter((r) => r.failure !== null)
  if (failed.length === 0) return ['## Failures', '', 'None: every run delivered every message and exited 0.', '']
  const out = [
    '## Failures',
    '',
    ...table(v.grid, (c) => failureCell(v.cells.get(cellId(c.hosts, c.msgs)), v.impls)),
    '',
  ]
  // reasons that differ only in numbers (times, counts) are one kind of failure
  const kinds = new Map<string, RunRecord[]>()
  for (const r of failed) {
    const key = r.failure!.replace(/\d+(\.\d+)?/g, 'N')
    kinds.set(key, [...(kinds.get(key) ?? []), r])
  }
  out.push('Reasons (one example each):', '')
  for (const list of [...kinds.values()].sort((a, b) => b.length - a.length)) {
    const where = [...new Set(list.map((r) => `${r.impl} ${r.hosts}×${r.msgs}`))]
    const shown = where.slice(0, 6).join(', ') + (where.length > 6 ? ', …' : '')
    out.push(`- ${list.length}× ${list[0]!.failure!.replace(/\s+/g, ' ')} (${shown})`)
  }
  return [...out, '']
}

function metricSection(v: View, m: Metric, chart: string | undefined): string[] {
  return [
    `## ${m.label} (${m.unit})`,
    '',
    `${m.about[0]!.toUpperCase()}${m.about.slice(1)}.`,
    '',
    ...(chart ? [`![${m.label}](${chart})`, ''] : []),
    ...table(v.grid, (c) => metricCell(v.cells.get(cellId(c.hosts, c.msgs)), m, v.impls, v.both)),
    '',
  ]
}

function footer(v: View): string[] {
  const missing = METRICS.filter((m) => !v.measured.includes(m))
  return [
    'Each cell: per implementation the median and, in brackets, the interquartile range (25th – 75th percentile) ' +
      'over its successful runs; n = successful/all runs when some failed; then the machine/vanilla ratio of medians.',
    '',
    ...(missing.length > 0 ? [`Not reported by any successful run: ${missing.map((m) => m.key).join(', ')}.`, ''] : []),
  ]
}

/** The config as bench.yml would say it: durations in units, lists on one line. */
function configYaml(config: BenchConfig): string {
  const doc = new Document({ ...config, timeout: formatMs(config.timeout) })
  visit(doc, {
    Seq(_, node) {
      node.flow = true
    },
  })
  return doc.toString().trimEnd()
}

/** A hosts × msgs table: one row per host count, one column per message count. */
function table(grid: CellKey[][], cell: (c: CellKey) => string): string[] {
  const msgs = grid[0]?.map((c) => c.msgs) ?? []
  return [
    `| hosts \\ msgs | ${msgs.join(' | ')} |`,
    `|---|${msgs.map(() => '---').join('|')}|`,
    ...grid.map((row) => `| **${row[0]?.hosts}** | ${row.map(cell).join(' | ')} |`),
  ]
}

function failureCell(byImpl: Map<string, ImplCell> | undefined, impls: string[]): string {
  return impls.map((i) => `${i} ${byImpl?.get(i)?.failed.length ?? 0}/${byImpl?.get(i)?.runs.length ?? 0}`).join('<br>')
}

function metricCell(byImpl: Map<string, ImplCell> | undefined, m: Metric, impls: string[], both: boolean): string {
  const lines = impls.map((impl) => {
    const c = byImpl?.get(impl)
    const s = metricSummary(c, m)
    if (!s) return `${impl} —${c ? ` (0/${c.runs.length} ok)` : ''}`
    const n = c && c.failed.length > 0 ? ` n=${c.ok.length}/${c.runs.length}` : ''
    return `${impl} ${formatValue(s.median, m.unit)} (${formatValue(s.q1, m.unit)}–${formatValue(s.q3, m.unit)})${n}`
  })
  if (both) lines.push(`ratio **${formatRatio(cellRatio(byImpl, m, NUM, DEN))}**`)
  if (byImpl?.has(FULL) && byImpl.has(DEN))
    lines.push(`full-step ratio **${formatRatio(cellRatio(byImpl, m, FULL, DEN))}**`)
  return lines.join('<br>')
}
