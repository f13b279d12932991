// `psm experiment compare A B`: the tables of two runs side by side. Each metric is a distribution over
// the run's messages or honest nodes; the ratio is median(B) / median(A) with a 95% bootstrap interval
// (each side resampled on its own, src/bench/paired.ts), and the verdict only calls a difference when the
// whole interval lies on one side of 1. Messages and nodes of one run are not independent draws (they
// share a mesh), so the interval is narrower than a between-runs one: a verdict says "these two runs
// differ", not "this setting is better in general" — repeat runs with other seeds for that.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { formatInterval, type Interval, medianRatio, verdict } from '../bench/paired.js'
import { errorMessage, InputError } from '../errors.js'
import { median } from '../quantile.js'
import type { Results } from './analyze.js'
import { RESULTS_FILE } from './output.js'
import { fmt } from './report.js'

interface MetricDef {
  label: string
  /** true: more is better (delivery); false: less is better (latency, bytes); null: neither (mesh degree) */
  higherIsBetter: boolean | null
  values(r: Results): number[]
}

const honest = (r: Results) => r.nodes.filter((n) => n.role !== 'attacker')
const nums = (xs: (number | null | undefined)[]) => xs.filter((x): x is number => typeof x === 'number')

export const COMPARE_METRICS: readonly MetricDef[] = [
  { label: 'reach % per message', higherIsBetter: true, values: (r) => r.messages.map((m) => m.reachPct) },
  {
    label: 'time to 50 % ms per message',
    higherIsBetter: false,
    values: (r) => nums(r.messages.map((m) => m.timeTo.p50)),
  },
  {
    label: 'time to 99 % ms per message',
    higherIsBetter: false,
    values: (r) => nums(r.messages.map((m) => m.timeTo.p99)),
  },
  {
    label: 'time to 100 % ms per message',
    higherIsBetter: false,
    values: (r) => nums(r.messages.map((m) => m.timeTo.p100)),
  },
  {
    label: 'duplicates per message',
    higherIsBetter: false,
    values: (r) => r.messages.filter((m) => m.reached > 0).map((m) => m.duplicates),
  },
  {
    label: 'delivery ratio per honest node',
    higherIsBetter: true,
    values: (r) => nums(honest(r).map((n) => n.deliveryRatio)),
  },
  {
    label: 'latency p50 ms per honest node',
    higherIsBetter: false,
    values: (r) => nums(honest(r).map((n) => n.latencyP50)),
  },
  {
    label: 'latency p99 ms per honest node',
    higherIsBetter: false,
    values: (r) => nums(honest(r).map((n) => n.latencyP99)),
  },
  { label: 'bytes in per honest node', higherIsBetter: false, values: (r) => nums(honest(r).map((n) => n.bytesIn)) },
  { label: 'bytes out per honest node', higherIsBetter: false, values: (r) => nums(honest(r).map((n) => n.bytesOut)) },
  {
    label: 'amplification per honest node',
    higherIsBetter: false,
    values: (r) => nums(honest(r).map((n) => n.amplification)),
  },
  {
    label: 'control entries sent per honest node',
    higherIsBetter: false,
    values: (r) =>
      honest(r)
        .filter((n) => n.controlSent)
        .map((n) => Object.values(n.controlSent!).reduce((a, b) => a + b, 0)),
  },
  {
    label: 'spam rejected per honest node',
    higherIsBetter: false,
    values: (r) => nums(honest(r).map((n) => n.invalidRejected)),
  },
  {
    label: 'mesh degree per honest node',
    higherIsBetter: null,
    values: (r) => nums(honest(r).map((n) => n.meshDegree)),
  },
]

export interface CompareRow {
  label: string
  a: number | null
  b: number | null
  ratio: Interval | undefined
  verdict: string
}

export function loadResults(path: string): Results {
  const file = path.endsWith('.json') ? path : join(path, RESULTS_FILE)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new InputError(`${file}: cannot read: ${code === 'ENOENT' ? 'no such file' : errorMessage(err)}`)
  }
  let r: Results
  try {
    r = JSON.parse(text) as Results
  } catch (err) {
    throw new InputError(`${file}: not valid JSON: ${errorMessage(err).split('\n')[0]}`)
  }
  if (r?.format !== 'psm-experiment-results/1') {
    throw new InputError(`${file}: not a psm experiment results file (format is ${JSON.stringify(r?.format ?? null)})`)
  }
  return r
}

/** What the interval allows one to say, in the metric's own words. */
function words(i: Interval | undefined, higherIsBetter: boolean | null): string {
  const v = verdict(i)
  if (v === 'too few runs') return 'too few values for an interval'
  if (v === 'no difference') return 'no difference (interval spans 1)'
  if (higherIsBetter === null) return `B ${v}`
  const better = (v === 'higher') === higherIsBetter
  return `B ${v} (${better ? 'better' : 'worse'})`
}

export function compareResults(a: Results, b: Results): CompareRow[] {
  return COMPARE_METRICS.map((m) => {
    const va = m.values(a)
    const vb = m.values(b)
    const ratio = medianRatio(vb, va)
    return {
      label: m.label,
      a: va.length ? Math.round(median(va) * 1000) / 1000 : null,
      b: vb.length ? Math.round(median(vb) * 1000) / 1000 : null,
      ratio,
      verdict: ratio ? words(ratio, m.higherIsBetter) : 'no values on one side',
    }
  })
}

export function formatComparison(nameA: string, nameB: string, a: Results, b: Results, rows: CompareRow[]): string {
  const sa = a.summary
  const sb = b.summary
  const side = (label: string, x: number | null, y: number | null) => `| ${label} | ${fmt(x)} | ${fmt(y)} |`
  return [
    `# Experiment comparison`,
    '',
    `A: ${nameA} (${String(a.meta.name ?? '')}, seed ${String(a.meta.seed ?? '—')}, ${fmt(sa.nodes)} nodes)`,
    `B: ${nameB} (${String(b.meta.name ?? '')}, seed ${String(b.meta.seed ?? '—')}, ${fmt(sb.nodes)} nodes)`,
    '',
    '## Summaries',
    '',
    '| metric | A | B |',
    '| --- | --- | --- |',
    side('messages', sa.messages, sb.messages),
    side('delivery ratio', sa.deliveryRatio, sb.deliveryRatio),
    side('reach % (mean)', sa.reachPctMean, sb.reachPctMean),
    side('latency p50 ms', sa.latency.p50, sb.latency.p50),
    side('latency p99 ms', sa.latency.p99, sb.latency.p99),
    side('time to 99 % p50 ms', sa.timeTo99.p50, sb.timeTo99.p50),
    side('time to 99 % p99 ms', sa.timeTo99.p99, sb.timeTo99.p99),
    side('duplicates per message (avg)', sa.duplicates.avg, sb.duplicates.avg),
    side('bytes in per honest node (mean)', sa.bytesInMean, sb.bytesInMean),
    side('amplification (mean)', sa.amplificationMean, sb.amplificationMean),
    '',
    '## Ratios (B / A of the medians, 95% bootstrap interval)',
    '',
    'A verdict is called only when the whole interval lies on one side of 1. Values within one run share a mesh,',
    'so the interval says these two runs differ, not that the setting does: repeat with other seeds for that.',
    '',
    '| metric | median A | median B | B/A [95% interval] | verdict |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.label} | ${fmt(r.a)} | ${fmt(r.b)} | ${formatInterval(r.ratio)} | ${r.verdict} |`),
    '',
  ].join('\n')
}
