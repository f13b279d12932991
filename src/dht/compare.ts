// `psm dht compare A B`: two runs' results.json side by side, like `psm bench compare`: per kind, the
// ratio B/A of median latencies with its 95% bootstrap interval (each side resampled on its own: runs are
// not paired) and the success-rate difference B − A with its interval; a verdict only when the whole
// interval lies on one side. Runs with different knobs are compared all the same, and the knobs that
// differ are listed first: a ratio across different networks says little.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import {
  bootstrapInterval,
  formatInterval,
  type Interval,
  medianRatio,
  verdict,
  verdictWords,
} from '../bench/paired.js'
import { InputError } from '../errors.js'
import { rankQuantile } from '../quantile.js'
import type { OperationKind } from './ops.js'
import type { DhtResults } from './report.js'

export function loadResults(path: string): { path: string; results: DhtResults } {
  let file = path
  try {
    if (statSync(path).isDirectory()) file = join(path, 'results.json')
  } catch {
    throw new InputError(`${path}: no such file or folder`)
  }
  let value: unknown
  try {
    value = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new InputError(`${file}: not a psm dht results.json (${(err as Error).message.split('\n')[0]})`)
  }
  const r = value as Partial<DhtResults>
  if (r.version !== 1 || !Array.isArray(r.operations) || typeof r.config !== 'object') {
    throw new InputError(`${file}: not a psm dht results.json (no version 1 and operations)`)
  }
  return { path: file, results: r as DhtResults }
}

export interface KindComparison {
  kind: OperationKind
  a: { n: number; ok: number; p50: number | null; p90: number | null; p99: number | null }
  b: { n: number; ok: number; p50: number | null; p90: number | null; p99: number | null }
  /** B/A of median latency over successful operations */
  median: Interval | undefined
  medianVerdict: string
  /** B − A of the success rate */
  success: Interval | undefined
  successVerdict: string
}

function side(r: DhtResults, kind: OperationKind) {
  const mine = r.operations.filter((o) => o.kind === kind)
  const d = mine
    .filter((o) => o.success)
    .map((o) => o.durationMs)
    .sort((x, y) => x - y)
  const q = (p: number) => (d.length ? rankQuantile(d, p) : null)
  return { n: mine.length, ok: d.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), durations: d, mine }
}

function successDiff(a: boolean[], b: boolean[]): Interval | undefined {
  if (a.length === 0 || b.length === 0) return undefined
  const rate = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length
  const av = a.map(Number)
  const bv = b.map(Number)
  const value = rate(bv) - rate(av)
  // resample each side on its own; the statistic is the difference of the resampled rates
  const ia = bootstrapInterval(av, rate, { seed: 1 })
  const ib = bootstrapInterval(bv, rate, { seed: 2 })
  if (!ia || !ib) return { value, lo: undefined, hi: undefined, n: Math.min(a.length, b.length) }
  // a conservative interval for the difference: the ends of the two sides' intervals
  return { value, lo: ib[0] - ia[1], hi: ib[1] - ia[0], n: Math.min(a.length, b.length) }
}

export function compareDht(a: DhtResults, b: DhtResults): { differing: string[]; kinds: KindComparison[] } {
  const keys = ['nodes', 'k', 'alpha', 'disjointPaths', 'retrievers', 'errorRate', 'delayRange', 'network', 'clock']
  const differing = keys.filter(
    (k) =>
      JSON.stringify((a.config as Record<string, unknown>)[k]) !==
      JSON.stringify((b.config as Record<string, unknown>)[k]),
  )
  const kinds = (['provide', 'retrieve'] as const).map((kind): KindComparison => {
    const sa = side(a, kind)
    const sb = side(b, kind)
    const median = medianRatio(sb.durations, sa.durations)
    const success = successDiff(
      sa.mine.map((o) => o.success),
      sb.mine.map((o) => o.success),
    )
    // verdict() judges against 1: shift the difference so that 0 sits there
    const shifted =
      success === undefined
        ? undefined
        : {
            ...success,
            value: success.value + 1,
            lo: success.lo === undefined ? undefined : success.lo + 1,
            hi: success.hi === undefined ? undefined : success.hi + 1,
          }
    const sv = verdict(shifted)
    return {
      kind,
      a: { n: sa.n, ok: sa.ok, p50: sa.p50, p90: sa.p90, p99: sa.p99 },
      b: { n: sb.n, ok: sb.ok, p50: sb.p50, p90: sb.p90, p99: sb.p99 },
      median,
      medianVerdict:
        median === undefined && sa.ok > 0 && sb.ok > 0
          ? 'no ratio (a median is 0 ms)'
          : verdictWords(verdict(median), 'ms'),
      success,
      successVerdict:
        sv === 'higher'
          ? 'B succeeds more'
          : sv === 'lower'
            ? 'B succeeds less'
            : sv === 'too few runs'
              ? sv
              : 'no difference',
    }
  })
  return { differing, kinds }
}

export function formatDhtComparison(pa: string, pb: string, a: DhtResults, b: DhtResults): string {
  const { differing, kinds } = compareDht(a, b)
  const f = (x: number | null) => (x === null ? '–' : x.toFixed(1))
  const pct = (i: Interval | undefined) => {
    if (!i) return '—'
    const p = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`
    return i.lo === undefined || i.hi === undefined
      ? `${p(i.value)} pp [no interval]`
      : `${p(i.value)} pp [${p(i.lo)}–${p(i.hi)}]`
  }
  const lines = [
    `A: ${pa} (${a.runId}, ${a.config.nodes} nodes, ${a.roundsDone} rounds, seed ${a.seed})`,
    `B: ${pb} (${b.runId}, ${b.config.nodes} nodes, ${b.roundsDone} rounds, seed ${b.seed})`,
    ...(differing.length > 0 ? [`knobs that differ: ${differing.join(', ')}`] : ['same knobs']),
    '',
    'latencies in ms (simulated on a virtual clock) over successful operations; B/A with its 95% bootstrap interval',
    '',
    '| kind | A ok | B ok | A p50 | B p50 | A p90 | B p90 | A p99 | B p99 | B/A median | verdict | success B − A | verdict |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|',
    ...kinds.map(
      (k) =>
        `| ${k.kind} | ${k.a.ok}/${k.a.n} | ${k.b.ok}/${k.b.n} | ${f(k.a.p50)} | ${f(k.b.p50)} | ${f(k.a.p90)} | ${f(k.b.p90)} | ${f(k.a.p99)} | ${f(k.b.p99)} | ${formatInterval(k.median)} | ${k.medianVerdict} | ${pct(k.success)} | ${k.successVerdict} |`,
    ),
    '',
    'A verdict is given only when the whole interval lies on one side; "no difference" means the runs cannot tell.',
    '',
  ]
  return lines.join('\n')
}
