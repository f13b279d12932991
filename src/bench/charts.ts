// SVG charts for a bench report, one per metric, like the Go original's: x = messages, one line per
// implementation and host count, y = the median of the cell. Built with vega-lite, rendered headless
// by vega (no canvas: text widths are estimated, which is fine for SVG).
import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import { groupRuns, metricSummary } from './cells.js'
import type { Metric } from './metrics.js'
import type { RunRecord } from './results.js'

export interface ChartPoint {
  msgs: number
  hosts: string
  impl: string
  median: number
  q1: number
  q3: number
}

export function chartData(runs: readonly RunRecord[], metric: Metric): ChartPoint[] {
  const points: ChartPoint[] = []
  for (const byImpl of groupRuns(runs).values()) {
    for (const [impl, cell] of byImpl) {
      const s = metricSummary(cell, metric)
      const first = cell.runs[0]
      if (!s || !first) continue
      points.push({ msgs: first.msgs, hosts: `${first.hosts} hosts`, impl, median: s.median, q1: s.q1, q3: s.q3 })
    }
  }
  return points.sort((a, b) => a.msgs - b.msgs)
}

export function chartSpec(metric: Metric, data: ChartPoint[]): TopLevelSpec {
  const impls = [...new Set(data.map((d) => d.impl))].sort((a, b) => (a === 'vanilla' ? -1 : b === 'vanilla' ? 1 : 0))
  const hostOrder = [...new Set(data.map((d) => d.hosts))].sort(
    (a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10),
  )
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${metric.label} (${metric.unit})`,
      subtitle: `median per cell; ${impls.length > 1 ? `solid: ${impls[0]}, dashed: ${impls.slice(1).join(', ')}` : impls[0]}`,
    },
    width: 520,
    height: 320,
    background: 'white',
    data: { values: data as unknown as Record<string, unknown>[] },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: {
        field: 'msgs',
        type: 'quantitative',
        title: 'messages',
        axis: { values: [...new Set(data.map((d) => d.msgs))] },
      },
      y: { field: 'median', type: 'quantitative', title: `${metric.label} (${metric.unit})`, scale: { zero: true } },
      // a categorical scheme: host counts must stay apart on screen and in print, not fade into each other
      color: { field: 'hosts', type: 'ordinal', title: 'hosts', sort: hostOrder, scale: { scheme: 'category10' } },
      strokeDash: {
        field: 'impl',
        type: 'nominal',
        title: 'implementation',
        scale: { domain: impls, range: impls.map((_, i) => (i === 0 ? [1, 0] : [6, 3 + i])) },
      },
      detail: [{ field: 'hosts' }, { field: 'impl' }],
    },
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

/** metric key → SVG, for every metric with at least one value */
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
  return out
}
