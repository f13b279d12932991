// report.md from results.json: numeric tables and SVG charts (vega-lite, rendered headless like the
// bench report's). Every number printed here is a value of the results, formatted by `fmt`; the report
// computes nothing (test/experiment checks the two agree).
import type { TopLevelSpec } from 'vega-lite'
import { renderSvg } from '../bench/charts.js'
import { type Quantiles, REACH_LEVELS, type Results } from './analyze.js'
import { CONTROL_KINDS } from './observations.js'

/** How a results value appears in the report: '—' for none, thousands separators, up to 3 decimals. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—'
  // results hold at most 3 decimals: shown exactly, with thousands separators
  return v.toLocaleString('en-US', { maximumFractionDigits: 3 })
}

const pct = (ratio: number | null) => (ratio === null ? '—' : `${fmt(Math.round(ratio * 1000) / 10)} %`)
const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
const table = (head: readonly string[], rows: readonly (readonly string[])[]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n')

/** Okabe–Ito colours, one per series, with a dash pattern each (readable in grey print). */
const COLORS = ['#000000', '#D55E00', '#0072B2', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442']
const DASHES = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 2, 2, 2],
  [4, 4],
  [1, 3],
  [10, 4],
  [3, 1],
]

function lineSpec(
  title: string,
  x: string,
  y: string,
  values: { x: number; y: number; series: string }[],
  rules: { y: number; label: string }[] = [],
): TopLevelSpec {
  const series = [...new Set(values.map((v) => v.series))]
  const layers: unknown[] = [
    {
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: x },
        y: { field: 'y', type: 'quantitative', title: y },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: { domain: series, range: series.map((_, i) => COLORS[i % COLORS.length]) },
        },
        strokeDash: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: { domain: series, range: series.map((_, i) => DASHES[i % DASHES.length]) },
        },
      },
    },
  ]
  if (rules.length > 0) {
    layers.push({
      data: { values: rules },
      mark: { type: 'rule', color: '#888', strokeDash: [3, 3] },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    })
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, ...(rules.length ? { subtitle: rules.map((r) => `dotted: ${r.label}`) } : {}) },
    background: 'white',
    width: 560,
    height: 260,
    data: { values: values as unknown as Record<string, unknown>[] },
    layer: layers,
    config: { legend: { orient: 'top', labelFontSize: 12, symbolStrokeWidth: 2 } },
  } as unknown as TopLevelSpec
}

function barSpec(title: string, x: string, y: string, values: { x: number; y: number }[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    background: 'white',
    width: 560,
    height: 220,
    data: { values },
    mark: { type: 'bar', color: '#0072B2' },
    encoding: {
      x: { field: 'x', type: 'ordinal', title: x, axis: { labelAngle: 0 } },
      y: { field: 'y', type: 'quantitative', title: y },
    },
  } as TopLevelSpec
}

/** chart file name → SVG */
export async function renderExperimentCharts(res: Results): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  const cdfValues: { x: number; y: number; series: string }[] = []
  const addCdf = (series: string, pts: number[]) =>
    pts.forEach((ms, k) => {
      cdfValues.push({ x: ms, y: k / 100, series })
    })
  addCdf('all', res.latencyCdf.overall)
  for (const [g, pts] of Object.entries(res.latencyCdf.byGroup)) addCdf(`group ${g}`, pts)
  for (const [g, pts] of Object.entries(res.latencyCdf.byRegion)) addCdf(`region ${g}`, pts)
  if (cdfValues.length > 0) {
    out.set(
      'latency-cdf.svg',
      await renderSvg(lineSpec('Delivery latency CDF', 'latency (ms)', 'share of deliveries', cdfValues)),
    )
  }
  const reach: { x: number; y: number; series: string }[] = []
  for (const m of res.messages) {
    for (const level of [50, 99, 100] as const) {
      const v = m.timeTo[`p${level}`]
      if (v !== null) reach.push({ x: m.publishMs / 1000, y: v, series: `${level} %` })
    }
  }
  if (reach.length > 0) {
    out.set(
      'reach.svg',
      await renderSvg(
        lineSpec(
          'Time to reach 50 / 99 / 100 % of subscribers, per message',
          'publish time (s)',
          'ms after publish',
          reach,
        ),
      ),
    )
  }
  if (res.duplicateHistogram.length > 0) {
    out.set(
      'duplicates.svg',
      await renderSvg(
        barSpec(
          'Duplicate copies per (subscriber, message)',
          'copies beyond the first',
          'pairs',
          res.duplicateHistogram.map((h) => ({ x: h.copies, y: h.count })),
        ),
      ),
    )
  }
  if (res.samples.length > 1) {
    const mesh = res.samples.flatMap((s) => [
      { x: s.tMs / 1000, y: s.mesh.mean, series: 'mean' },
      { x: s.tMs / 1000, y: s.mesh.min, series: 'min' },
      { x: s.tMs / 1000, y: s.mesh.max, series: 'max' },
      ...(s.targets
        ? [{ x: s.tMs / 1000, y: s.targets.honestMesh, series: 'eclipse targets: honest mesh peers' }]
        : []),
    ])
    out.set(
      'mesh.svg',
      await renderSvg(lineSpec('Mesh degree of honest nodes over time', 'time (s)', 'mesh peers', mesh)),
    )
    if (res.samples.some((s) => s.scores.attacker.n > 0)) {
      const scores = res.samples.flatMap((s) => [
        { x: s.tMs / 1000, y: s.scores.honest.mean, series: 'honest peers (mean)' },
        ...(s.scores.attacker.n > 0
          ? [
              { x: s.tMs / 1000, y: s.scores.attacker.mean, series: 'attacker peers (mean)' },
              { x: s.tMs / 1000, y: s.scores.attacker.max, series: 'attacker peers (max)' },
            ]
          : []),
      ])
      const rules =
        res.graylistThreshold !== null && res.graylistThreshold > -1e9
          ? [{ y: res.graylistThreshold, label: `graylist threshold ${res.graylistThreshold}` }]
          : []
      out.set(
        'scores.svg',
        await renderSvg(lineSpec('Peer scores honest nodes give, over time', 'time (s)', 'score', scores, rules)),
      )
    }
  }
  return out
}

function qRow(label: string, q: Quantiles): string[] {
  return [label, fmt(q.n), fmt(q.p50), fmt(q.p90), fmt(q.p99), fmt(q.max)]
}

/** Every `step`-th item so a table stays readable, the last one always in. */
function thin<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs]
  const step = Math.ceil(xs.length / max)
  const out = xs.filter((_, i) => i % step === 0)
  if (out[out.length - 1] !== xs[xs.length - 1]) out.push(xs[xs.length - 1]!)
  return out
}

export interface ReportOptions {
  /** chart files written beside report.md */
  charts: readonly string[]
  /** the mesh degree D of the honest groups, for the duplicates note */
  degrees: readonly number[]
}

export function renderReport(res: Results, opts: ReportOptions): string {
  const m = res.meta as Record<string, unknown>
  const s = res.summary
  const chart = (f: string) => (opts.charts.includes(f) ? [`![${f}](${f})`, ''] : [])
  const out: string[] = []
  out.push(`# Experiment ${String(m.name ?? '')}`, '')
  out.push(
    table(
      ['run', 'value'],
      [
        ['seed', String(m.seed ?? '—')],
        ['clock', String(m.clock ?? '—')],
        ['nodes', fmt(s.nodes)],
        ['simulated ms', fmt(m.simMs as number)],
        ['wall ms', fmt((m.resources as { wallMs?: number } | undefined)?.wallMs)],
        [
          'peak RSS MiB',
          fmt(Math.round(((m.resources as { peakRssBytes?: number } | undefined)?.peakRssBytes ?? 0) / 1048576)),
        ],
        ['interrupted', String(m.interrupted ?? false)],
      ],
    ),
    '',
  )
  out.push('## Summary', '')
  out.push(
    table(
      ['metric', 'value'],
      [
        ['messages', fmt(s.messages)],
        ['expected deliveries', fmt(s.expectedDeliveries)],
        ['delivered', fmt(s.delivered)],
        ['delivery ratio', fmt(s.deliveryRatio)],
        ['reach % (mean)', fmt(s.reachPctMean)],
        ['reach % (min)', fmt(s.reachPctMin)],
        ['messages at 100 %', fmt(s.fullyDelivered)],
        ['latency p50 ms', fmt(s.latency.p50)],
        ['latency p90 ms', fmt(s.latency.p90)],
        ['latency p99 ms', fmt(s.latency.p99)],
        ['latency max ms', fmt(s.latency.max)],
        ['time to 99 % p50 ms', fmt(s.timeTo99.p50)],
        ['time to 99 % p99 ms', fmt(s.timeTo99.p99)],
        ['messages never at 99 %', fmt(s.timeTo99.missing)],
        ['duplicates per message (avg)', fmt(s.duplicates.avg)],
        ['duplicates per message (p95)', fmt(s.duplicates.p95)],
        ['duplicates per message (max)', fmt(s.duplicates.max)],
        ['bytes in per honest node (mean)', fmt(s.bytesInMean)],
        ['bytes out per honest node (mean)', fmt(s.bytesOutMean)],
        ['amplification over ideal (mean)', fmt(s.amplificationMean)],
      ],
    ),
    '',
  )

  out.push('## Reach per message', '')
  out.push(
    "Time (ms after the publish) until the share of the topic's subscribers (its publisher left out) had the message; — never.",
    '',
  )
  const msgs = thin(res.messages, 60)
  out.push(
    table(
      ['message', 'topic', 'from', 'published s', 'reach %', ...REACH_LEVELS.map((l) => `${l} % ms`), 'duplicates'],
      msgs.map((x) => [
        x.msgId,
        x.topic,
        fmt(x.publisher),
        fmt(Math.round(x.publishMs) / 1000),
        fmt(x.reachPct),
        ...REACH_LEVELS.map((l) => fmt(x.timeTo[`p${l}`])),
        fmt(x.duplicates),
      ]),
    ),
    '',
  )
  if (msgs.length < res.messages.length)
    out.push(`(${msgs.length} of ${res.messages.length} messages shown; every one is in results.json)`, '')
  out.push(...chart('reach.svg'))

  out.push('## Delivery latency', '')
  out.push(
    table(
      ['deliveries', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      [qRow('all', s.latency), ...groupQuantiles(res, 'group'), ...groupQuantiles(res, 'region')],
    ),
    '',
  )
  out.push(...chart('latency-cdf.svg'))

  out.push('## Duplicates', '')
  const d = opts.degrees.length ? opts.degrees : [8]
  out.push(
    `Duplicate copies a subscriber received of one message, averaged over the subscribers that got it: avg ${fmt(s.duplicates.avg)}, p95 ${fmt(s.duplicates.p95)}, max ${fmt(s.duplicates.max)}. ` +
      `For reference: ProbeLab measured about 3 per message at D=8 on Ethereum mainnet; (D−2)/2 in theory, ${d.map((x) => `${fmt((x - 2) / 2)} at D=${x}`).join(', ')}.`,
    '',
  )
  out.push(
    table(
      ['copies beyond the first', '(subscriber, message) pairs'],
      res.duplicateHistogram.map((h) => [fmt(h.copies), fmt(h.count)]),
    ),
    '',
  )
  out.push(...chart('duplicates.svg'))

  out.push('## Bytes and control traffic per node', '')
  out.push(
    "Bytes: on the modelled wire when a network model ran (every protocol), else gossipsub's own RPC bytes. Ideal: the bytes of the messages the node had to receive, once each. Control: entries sent (received); gossipsub 17.1.1 counts no IDONTWANT received.",
    '',
  )
  const nodes = thin(res.nodes, 200)
  out.push(
    table(
      [
        'node',
        'group',
        'role',
        'delivery',
        'dups',
        'bytes in',
        'bytes out',
        'ideal in',
        'amplification',
        ...CONTROL_KINDS.map((k) => k.toUpperCase()),
        'mesh',
        'score',
      ],
      nodes.map((x) => [
        x.name,
        x.group,
        x.role,
        pct(x.deliveryRatio),
        fmt(x.duplicates),
        fmt(x.bytesIn),
        fmt(x.bytesOut),
        fmt(x.idealBytesIn),
        fmt(x.amplification),
        ...CONTROL_KINDS.map((k) => (x.controlSent ? `${fmt(x.controlSent[k])} (${fmt(x.controlRecv?.[k])})` : '—')),
        fmt(x.meshDegree),
        fmt(x.scoreSeen),
      ]),
    ),
    '',
  )
  if (nodes.length < res.nodes.length) out.push(`(${nodes.length} of ${res.nodes.length} nodes shown)`, '')

  if (res.samples.length > 0) {
    out.push('## Mesh degree and peer scores over time', '')
    out.push(
      table(
        [
          't s',
          'mesh mean',
          'mesh min',
          'mesh max',
          'connections',
          'honest score',
          'attacker score mean',
          'attacker score max',
          'attacker below graylist',
          ...(res.samples[0]?.targets ? ['target mesh', 'target honest mesh'] : []),
        ],
        thin(res.samples, 40).map((x) => [
          fmt(x.tMs / 1000),
          fmt(x.mesh.mean),
          fmt(x.mesh.min),
          fmt(x.mesh.max),
          fmt(x.connections.mean),
          fmt(x.scores.honest.mean),
          x.scores.attacker.n ? fmt(x.scores.attacker.mean) : '—',
          x.scores.attacker.n ? fmt(x.scores.attacker.max) : '—',
          x.scores.attacker.n ? `${fmt(x.scores.attacker.belowGraylist)} / ${fmt(x.scores.attacker.n)}` : '—',
          ...(x.targets ? [fmt(x.targets.mesh), fmt(x.targets.honestMesh)] : []),
        ]),
      ),
      '',
    )
    out.push(...chart('mesh.svg'), ...chart('scores.svg'))
  }

  if (res.attacks.length > 0) {
    out.push('## Attacks', '')
    out.push(
      table(
        [
          'attack',
          'sybils',
          'window s',
          'spam/s',
          'censor',
          'honest delivery before',
          'honest delivery during',
          'p50 ms before',
          'p50 ms during',
          'p99 ms before',
          'p99 ms during',
          'spam rejected',
          'attacker score (mean / max)',
          'below graylist',
        ],
        res.attacks.map((a) => [
          a.kind,
          a.group,
          `${fmt(a.startMs / 1000)}–${a.stopMs === null ? 'end' : fmt(a.stopMs / 1000)}`,
          fmt(a.spamRate),
          String(a.censor),
          fmt(a.before.honestDeliveryRatio),
          fmt(a.during.honestDeliveryRatio),
          fmt(a.before.latency.p50),
          fmt(a.during.latency.p50),
          fmt(a.before.latency.p99),
          fmt(a.during.latency.p99),
          fmt(a.invalidRejected),
          a.final && a.final.observations > 0
            ? `${fmt(a.final.attackerScoreMean)} / ${fmt(a.final.attackerScoreMax)}`
            : '—',
          a.final && a.final.observations > 0 ? `${fmt(a.final.belowGraylist)} / ${fmt(a.final.observations)}` : '—',
        ]),
      ),
      '',
    )
    const targets = res.attacks.flatMap((a) => a.targets.map((t) => ({ a, t })))
    if (targets.length > 0) {
      out.push('### Eclipse targets', '')
      out.push(
        'Recovered at: when the target received the first message of the unbroken run of messages it received to the end; recovery: that time after the attack stopped (or started, for an attack without a stop).',
        '',
      )
      out.push(
        table(
          ['target', 'messages during', 'received during', 'delivery during', 'recovered at s', 'recovery ms'],
          thin(targets, 100).map(({ t }) => [
            `ps-${t.node}`,
            fmt(t.expectedDuring),
            fmt(t.receivedDuring),
            fmt(t.deliveryRatioDuring),
            t.recoveredAtMs === null ? 'never' : fmt(t.recoveredAtMs / 1000),
            fmt(t.recoveryMs),
          ]),
        ),
        '',
      )
    }
  }
  return `${out.join('\n')}\n`
}

function groupQuantiles(res: Results, by: 'group' | 'region'): string[][] {
  const cdf = by === 'group' ? res.latencyCdf.byGroup : res.latencyCdf.byRegion
  return Object.entries(cdf).map(([name, pts]) => {
    const n = res.nodes
      .filter((x) => (by === 'group' ? x.group : x.region) === name)
      .reduce((sum, x) => sum + x.received, 0)
    return [`${by} ${name}`, fmt(n), fmt(pts[50]), fmt(pts[90]), fmt(pts[99]), fmt(pts[100])]
  })
}
