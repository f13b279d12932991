// SVG charts for a bench report. Per metric: the median of each cell with its 95% interval as an error
// bar, one panel per host count, x = messages per run; and one ratio chart: the paired
// machine/vanilla ratio per cell with its interval against a rule at 1.0. Each implementation has its
// own colour AND mark (readable in grey print and by colour-blind readers) and the legend names them.
// Built with vega-lite, rendered headless by vega (no canvas: text widths are estimated, fine for SVG).
import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import { median } from '../quantile.js'
import { cellId, groupRuns, metricSummary, metricValues } from './cells.js'
import { type Metric, metricByKey, RATIO_CHART } from './metrics.js'
import { bootstrapInterval, pairedRatio } from './paired.js'
import type { RunRecord } from './results.js'

export interface ChartPoint {
  msgs: number
  hosts: string
  /** host count as a number, to order the panels */
  hostCount: number
  impl: string
  median: number
  q1: number
  q3: number
  /** 95% bootstrap interval of the median; absent with fewer than 3 successful runs */
  lo?: number
  hi?: number
  /** successful runs behind the point */
  n: number
}

/** Okabe–Ito colours and distinct marks: one pair per implementation, the same in every chart. */
const STYLE: Record<string, { color: string; shape: string }> = {
  vanilla: { color: '#0072B2', shape: 'circle' },
  machine: { color: '#D55E00', shape: 'square' },
  'machine-full': { color: '#009E73', shape: 'triangle-up' },
}
const FALLBACK = [
  { color: '#CC79A7', shape: 'diamond' },
  { color: '#E69F00', shape: 'cross' },
]

function implScales(impls: readonly string[]) {
  const styles = impls.map((impl, i) => STYLE[impl] ?? FALLBACK[i % FALLBACK.length]!)
  return {
    color: { domain: [...impls], range: styles.map((s) => s.color) },
    shape: { domain: [...impls], range: styles.map((s) => s.shape) },
  }
}

const implOrder = (impls: Iterable<string>): string[] =>
  [...new Set(impls)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
const rank = (impl: string): number => {
  const i = Object.keys(STYLE).indexOf(impl)
  return i < 0 ? 99 : i
}

export function chartData(runs: readonly RunRecord[], metric: Metric): ChartPoint[] {
  const points: ChartPoint[] = []
  for (const byImpl of groupRuns(runs).values()) {
    for (const [impl, cell] of byImpl) {
      const s = metricSummary(cell, metric)
      const first = cell.runs[0]
      if (!s || !first) continue
      const ci = bootstrapInterval(metricValues(cell, metric), median)
      points.push({
        msgs: first.msgs,
        hosts: `${first.hosts} hosts`,
        hostCount: first.hosts,
        impl,
        median: s.median,
        q1: s.q1,
        q3: s.q3,
        ...(ci ? { lo: ci[0], hi: ci[1] } : {}),
        n: s.n,
      })
    }
  }
  return points.sort((a, b) => a.hostCount - b.hostCount || a.msgs - b.msgs || rank(a.impl) - rank(b.impl))
}

/** A y axis for the metric: whole numbers only where the values are counts. */
function valueAxis(metric: Metric) {
  return metric.unit === 'count' ? { format: ',d', tickMinStep: 1 } : { format: ',~r' }
}

export function chartSpec(metric: Metric, data: ChartPoint[]): TopLevelSpec {
  const impls = implOrder(data.map((d) => d.impl))
  const hostOrder = [...new Set(data.map((d) => d.hostCount))].sort((a, b) => a - b).map((h) => `${h} hosts`)
  const withCi = data.some((d) => d.lo !== undefined)
  const scales = implScales(impls)
  // messages are a handful of discrete counts: an ordinal axis labels each one as an integer and keeps
  // a single message count a labelled column instead of a collapsed domain
  const x = { field: 'msgs', type: 'ordinal', title: 'messages per run', axis: { labelAngle: 0 } } as const
  const xOffset = { field: 'impl', type: 'nominal', scale: { domain: impls, paddingOuter: 0.4 } } as const
  const color = { field: 'impl', type: 'nominal', title: 'implementation', scale: scales.color } as const
  const y = {
    field: 'median',
    type: 'quantitative',
    title: `${metric.label} (${metric.unit})`,
    scale: { zero: true },
    axis: valueAxis(metric),
  } as const
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${metric.label} (${metric.unit})`,
      subtitle: withCi
        ? ['mark: median of the successful runs of a cell', 'bar: its 95% interval (bootstrap over the runs)']
        : ['mark: median of the successful runs of a cell', 'fewer than 3 runs: no interval'],
    },
    background: 'white',
    data: { values: data as unknown as Record<string, unknown>[] },
    // one panel per host count, two to a row: the default 4 × 5 matrix stays about a page wide
    facet: { field: 'hosts', type: 'ordinal', sort: hostOrder, title: null, header: { labelFontSize: 13 } },
    columns: 2,
    spec: {
      width: 260,
      height: 260,
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 2 },
          encoding: { x, xOffset, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color },
        },
        {
          mark: { type: 'point', filled: true, size: 70, opacity: 1 },
          encoding: {
            x,
            xOffset,
            y,
            color,
            shape: { field: 'impl', type: 'nominal', title: 'implementation', scale: scales.shape },
            tooltip: [
              { field: 'impl' },
              { field: 'hosts' },
              { field: 'msgs' },
              { field: 'median' },
              { field: 'lo' },
              { field: 'hi' },
              { field: 'n' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: 'shared' } },
    config: { legend: { orient: 'top', titleFontSize: 12, labelFontSize: 12, symbolSize: 90 } },
  }
}

export interface RatioPoint {
  /** "machine/vanilla" */
  pair: string
  impl: string
  metric: string
  cell: string
  hosts: number
  msgs: number
  ratio: number
  lo?: number
  hi?: number
  n: number
}

/** The paired ratio of each numerator implementation to vanilla, per cell and headline metric. */
export function ratioData(runs: readonly RunRecord[], metrics = ratioMetrics()): RatioPoint[] {
  const points: RatioPoint[] = []
  const cells = groupRuns(runs)
  const keys = [...new Map(runs.map((r) => [cellId(r.hosts, r.msgs), r])).values()].sort(
    (a, b) => a.hosts - b.hosts || a.msgs - b.msgs,
  )
  for (const m of metrics) {
    for (const k of keys) {
      const byImpl = cells.get(cellId(k.hosts, k.msgs))
      for (const impl of implOrder(byImpl?.keys() ?? [])) {
        if (impl === 'vanilla') continue
        const p = pairedRatio(byImpl?.get(impl), byImpl?.get('vanilla'), m)
        if (!p) continue
        points.push({
          pair: `${impl}/vanilla`,
          impl,
          metric: `${m.label} (${m.unit})`,
          cell: `${k.hosts} hosts × ${k.msgs} msgs`,
          hosts: k.hosts,
          msgs: k.msgs,
          ratio: p.value,
          ...(p.lo !== undefined && p.hi !== undefined ? { lo: p.lo, hi: p.hi } : {}),
          n: p.n,
        })
      }
    }
  }
  return points
}

/** time and memory: what the issue's aims are about; the other metrics have their own charts */
function ratioMetrics(): Metric[] {
  return ['wallMs', 'cpuMs', 'peakRssBytes'].map((k) => metricByKey(k)!)
}

export function ratioSpec(data: RatioPoint[]): TopLevelSpec {
  const impls = implOrder(data.map((d) => d.impl))
  const scales = implScales(impls)
  const cells = [...new Map(data.map((d) => [d.cell, d])).values()]
    .sort((a, b) => a.hosts - b.hosts || a.msgs - b.msgs)
    .map((d) => d.cell)
  const metrics = [...new Set(data.map((d) => d.metric))]
  const extent = data.flatMap((d) => [d.ratio, d.lo ?? d.ratio, d.hi ?? d.ratio, 1])
  const pad = 0.08 * (Math.max(...extent) - Math.min(...extent) || 0.1)
  const domain = [Math.max(0, Math.min(...extent) - pad), Math.max(...extent) + pad]
  const y = { field: 'cell', type: 'ordinal', sort: cells, title: null } as const
  const yOffset = { field: 'impl', type: 'nominal', scale: { domain: impls } } as const
  const x = {
    field: 'ratio',
    type: 'quantitative',
    title: 'ratio to vanilla',
    scale: { domain, zero: false, nice: false },
    axis: { format: '.2f', tickCount: 5 },
  } as const
  const color = { field: 'impl', type: 'nominal', title: 'implementation', scale: scales.color } as const
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${impls.map((i) => `${i}/vanilla`).join(', ')}: paired ratio per cell`,
      subtitle: [
        'mark: geometric mean of the ratios of runs with the same seed',
        'bar: its 95% interval (bootstrap over the pairs; none below 3 pairs)',
        'right of the 1.00 rule the machine costs more; an interval across it is noise',
      ],
    },
    background: 'white',
    data: { values: data as unknown as Record<string, unknown>[] },
    facet: { column: { field: 'metric', type: 'nominal', sort: metrics, title: null, header: { labelFontSize: 13 } } },
    spec: {
      width: 220,
      height: { step: impls.length > 1 ? 34 : 26 },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [4, 3], color: '#555' },
          encoding: { x: { datum: 1, type: 'quantitative' } },
        },
        {
          mark: { type: 'rule', strokeWidth: 2 },
          encoding: { y, yOffset, x: { ...x, field: 'lo' }, x2: { field: 'hi' }, color },
        },
        {
          mark: { type: 'point', filled: true, size: 70, opacity: 1 },
          encoding: {
            y,
            yOffset,
            x,
            color,
            shape: { field: 'impl', type: 'nominal', title: 'implementation', scale: scales.shape },
            tooltip: [
              { field: 'pair' },
              { field: 'cell' },
              { field: 'ratio' },
              { field: 'lo' },
              { field: 'hi' },
              { field: 'n' },
            ],
          },
        },
      ],
    },
    config: { legend: { orient: 'top', titleFontSize: 12, labelFontSize: 12, symbolSize: 90 } },
  }
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/** metric key → SVG, for every metric with at least one value; plus `ratios` when both sides ran */
export async function renderCharts(
  runs: readonly RunRecord[],
  metrics: readonly Metric[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const metric of metrics) {
    const data = chartData(runs, metric)
    if (data.length === 0) continue
    out.set(metric.key, await renderSvg(chartSpec(metric, data)))
  }
  const ratios = ratioData(runs)
  if (ratios.length > 0) out.set(RATIO_CHART, await renderSvg(ratioSpec(ratios)))
  return out
}
