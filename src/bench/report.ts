// bench.md: what ran and where (load included), a summary led by paired machine/vanilla ratios with
// their 95% intervals, failures per cell, then per metric a hosts × messages table (median and
// interquartile range per implementation, failed runs and why, the paired ratio and the ratio of medians,
// each with its interval) under its chart. A pure function of results.json, so a report can be rebuilt.
import { Document, visit } from 'yaml'
import type { BenchConfig } from '../config/bench.js'
import { formatMs } from '../config/duration.js'
import { median } from '../quantile.js'
import { axes, type CellKey, cellId, groupRuns, type ImplCell, metricSummary, metricValues } from './cells.js'
import { formatValue, HEADLINE, METRICS, type Metric, metricByKey, RATIO_CHART } from './metrics.js'
import {
  bootstrapInterval,
  formatInterval,
  type Interval,
  medianRatio,
  pairedRatio,
  pairedRatios,
  verdict,
  verdictWords,
} from './paired.js'
import { formatDuration } from './progress.js'
import type { ResultsFile, RunRecord } from './results.js'
import { geomean } from './stats.js'

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
  /** the ratio chart's path, when there is one */
  ratioChart: string | undefined
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
    ratioChart: opts.charts?.get(RATIO_CHART),
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
    ...(loaded(results) > 0
      ? [
          `**The machine was loaded:** ${loaded(results)} runs started with the load average above its cores (see Load).`,
          '',
        ]
      : []),
  ]
}

function summary(v: View): string[] {
  const out = ['## Summary', '']
  if (!v.both) return [...out, `Only ${v.impls.join(', ') || 'no implementation'} ran: no ratios.`, '']
  const largest = v.grid[v.grid.length - 1]?.at(-1)
  const big = largest ? v.cells.get(cellId(largest.hosts, largest.msgs)) : undefined
  const at = largest ? `${largest.hosts} hosts × ${largest.msgs} msgs` : '—'
  out.push(
    'Paired ratio: each machine run divided by the vanilla run of the same cell and seed, run next to it; ' +
      'the geometric mean of those ratios, then in brackets its 95% interval (seeded bootstrap over the pairs). ' +
      'Above 1.00 the machine implementation costs more. A difference is named only when the whole interval ' +
      'lies on one side of 1.00; the ratio of medians is shown second, with its own interval.',
    '',
  )
  const nums = [NUM, FULL].filter((x) => v.impls.includes(x))
  for (const num of nums) {
    if (num === FULL) {
      out.push(
        `machine-full/vanilla: the machine implementation with every event through xstate's full step (\`machinePubsub({ fastPath: false })\`). ` +
          'The default `machine` runs the action of a Multi event whose transition the machine definition proves trivial ' +
          'without that step when nothing records the actor; with a transition log both take the full step.',
        '',
      )
    }
    out.push(
      `| ${num}/vanilla | paired at ${at} [95%] | verdict | all cells, paired [95%] | cells higher / no difference / lower | ratio of medians at ${at} [95%] |`,
      '|---|---|---|---|---|---|',
    )
    for (const key of HEADLINE) {
      const m = metricByKey(key)!
      if (!v.measured.includes(m)) continue
      const cells = v.grid.flat().map((c) => v.cells.get(cellId(c.hosts, c.msgs)))
      const perCell = cells.map((c) => verdict(pairedRatio(c?.get(num), c?.get(DEN), m)))
      const tally = (x: string) => perCell.filter((p) => p === x).length
      const head = pairedRatio(big?.get(num), big?.get(DEN), m)
      const mr = medianRatio(metricValues(big?.get(num), m), metricValues(big?.get(DEN), m))
      out.push(
        `| ${m.label} | **${formatInterval(head)}** | ${words(head, m, num)} | ${formatInterval(pooled(cells, m, num))} | ` +
          `${tally('higher')} / ${tally('no difference')} / ${tally('lower')}${tally('too few runs') ? ` (${tally('too few runs')} too few runs)` : ''} | ` +
          `${formatInterval(mr)} |`,
      )
    }
    out.push('')
  }
  out.push(...aim(big, at), '')
  if (v.ratioChart) out.push(`![paired ratios to vanilla with their 95% intervals](${v.ratioChart})`, '')
  return out
}

/** Every paired ratio of every cell, pooled: ratios are scale-free, so cells of any size can be pooled. */
function pooled(cells: (Map<string, ImplCell> | undefined)[], m: Metric, num: string): Interval | undefined {
  const all = cells.flatMap((c) => pairedRatios(c?.get(num), c?.get(DEN), m))
  const value = geomean(all)
  if (value === undefined) return undefined
  const ci = bootstrapInterval(all, geomean)
  return { value, lo: ci?.[0], hi: ci?.[1], n: all.length }
}

const words = (i: Interval | undefined, m: Metric, num: string): string => {
  const v = verdict(i)
  return v === 'higher' || v === 'lower' ? `${num} ${verdictWords(v, m.unit)}` : v
}

/** The aim holds only when the whole interval is at or under it: a point estimate under it is not enough. */
function aim(big: Map<string, ImplCell> | undefined, at: string): string[] {
  const parts = AIM.metrics.map((k) => {
    const m = metricByKey(k)!
    return { label: m.label, i: pairedRatio(big?.get(NUM), big?.get(DEN), m) }
  })
  const each = parts.map((p) => {
    if (!p.i) return 'not measured'
    if (p.i.lo === undefined || p.i.hi === undefined) return 'no interval'
    if (p.i.hi <= AIM.ratio) return 'met'
    if (p.i.lo > AIM.ratio) return 'not met'
    return 'undecided'
  })
  const overall = each.includes('not met')
    ? 'not met'
    : each.every((e) => e === 'met')
      ? 'met'
      : each.includes('not measured')
        ? 'not measured'
        : each.includes('no interval')
          ? 'undecided (fewer than 3 pairs: no interval)'
          : 'undecided (an interval straddles the aim: more runs, or a quieter machine, could decide it)'
  return [
    `Aim: paired machine/vanilla ≤ ${AIM.ratio} at ${at} for ${parts.map((p) => p.label).join(' and ')}, ` +
      `met only when the whole 95% interval is ≤ ${AIM.ratio}: **${overall}** ` +
      `(${parts.map((p, i) => `${p.label} ${formatInterval(p.i)}${each[i] === 'no interval' ? '' : ` ${each[i]}`}`).join('; ')}).`,
  ]
}

function whatRan({ results }: View): string[] {
  const { meta, config } = results
  const mi = meta.machine
  const load = `at start ${mi.loadAtStart.join(' / ')}${mi.loadAtEnd ? `; at end ${mi.loadAtEnd.join(' / ')}` : ''}`
  const pin = config.cpus ? `every run pinned with \`taskset -c ${config.cpus}\`` : 'none (runs may move between cores)'
  return [
    '## What ran',
    '',
    '| | |',
    '|---|---|',
    ...Object.entries(meta.versions).map(([k, v]) => `| ${k} | ${v} |`),
    `| machine | ${mi.cpuModel}, ${mi.cores} cores, ${(mi.memoryBytes / GiB).toFixed(1)} GiB, ${mi.os} |`,
    `| load average (1/5/15 min) | ${load} |`,
    `| CPU pin | ${pin} |`,
    `| command | \`${meta.command.replace(/\|/g, '\\|')}\` |`,
    '',
    'Each run is a fresh `psm scenario` process; runs go one at a time, implementations interleaved ' +
      '(A B, B A, …) with the same seed per iteration. Statistics use successful runs only; failures are counted below.',
    '',
    '```yaml',
    configYaml(config),
    '```',
    '',
    ...loadSection(results),
  ]
}

/**
 * Was the machine loaded? The 1-minute load average before and after each run. The bench's own run
 * adds about 1; a run that starts with the average above the core count shared the machine with other
 * work, and its figures (and the ratios it is in) are noisier.
 */
const loaded = ({ runs, meta }: ResultsFile): number =>
  runs.filter((r) => r.loadBefore && r.loadBefore[0]! > meta.machine.cores).length

function loadSection({ runs, meta }: ResultsFile): string[] {
  const measured = runs.filter((r) => r.loadBefore && r.loadAfter)
  if (measured.length === 0) return ['Load per run: not recorded (results from an older psm).', '']
  const before = measured.map((r) => r.loadBefore![0]!)
  const after = measured.map((r) => r.loadAfter![0]!)
  const cores = meta.machine.cores
  const busy = measured.filter((r) => r.loadBefore![0]! > cores)
  const f = (x: number) => x.toFixed(2)
  const busyCells = [...new Set(busy.map((r) => `${r.impl} ${r.hosts}×${r.msgs}`))]
  return [
    '### Load',
    '',
    '| 1-min load average | median | max |',
    '|---|---|---|',
    `| before each run | ${f(median(before))} | ${f(Math.max(...before))} |`,
    `| after each run | ${f(median(after))} | ${f(Math.max(...after))} |`,
    '',
    busy.length === 0
      ? `No run started with the load above the ${cores} cores: the machine was not loaded beyond the bench itself.`
      : `**Loaded: ${busy.length} of ${measured.length} runs started with the load above the ${cores} cores** ` +
        `(${busyCells.slice(0, 6).join(', ')}${busyCells.length > 6 ? ', …' : ''}): other work competed with them, ` +
        'so their figures are noisier; the intervals include that noise.',
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
      'over its successful runs; n = successful/all runs and why the others failed, when some did; then the ' +
      'paired machine/vanilla ratio (geometric mean over runs with the same seed) and the ratio of medians, each ' +
      'with its 95% bootstrap interval in square brackets ("no interval" below 3 runs a side).',
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
    const failed = c && c.failed.length > 0 ? `, ${failedRuns(c.failed)}` : ''
    if (!s) return `${impl} —${c ? ` (0/${c.runs.length} ok${failed})` : ''}`
    const n = c && c.failed.length > 0 ? ` n=${c.ok.length}/${c.runs.length}` : ''
    return `${impl} ${formatValue(s.median, m.unit)} (${formatValue(s.q1, m.unit)}–${formatValue(s.q3, m.unit)})${n}${failed}`
  })
  const ratios = (num: string, name: string) => {
    const paired = pairedRatio(byImpl?.get(num), byImpl?.get(DEN), m)
    const ofMedians = medianRatio(metricValues(byImpl?.get(num), m), metricValues(byImpl?.get(DEN), m))
    lines.push(`${name} **${formatInterval(paired)}**, of medians ${formatInterval(ofMedians)}`)
  }
  if (both) ratios(NUM, 'paired ratio')
  if (byImpl?.has(FULL) && byImpl.has(DEN)) ratios(FULL, 'full-step paired ratio')
  return lines.join('<br>')
}

/** `2 failed: timeout ×2`: how many runs of a cell failed and why, reasons grouped by kind. */
function failedRuns(failed: readonly RunRecord[]): string {
  const kinds = new Map<string, number>()
  for (const r of failed) {
    const why = (r.failure ?? '?').replace(/\s+/g, ' ').replace(/\|/g, '\\|')
    const short = why.length > 60 ? `${why.slice(0, 57)}…` : why
    kinds.set(short, (kinds.get(short) ?? 0) + 1)
  }
  const reasons = [...kinds].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join('; ')
  return `${failed.length} failed: ${reasons}`
}
