// results.json and report.md of a `psm dht run`: latency CDFs (SVG, through src/bench/charts.ts's
// renderer), p50/p90/p99, success rates, errors and the init time of the network.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { TopLevelSpec } from 'vega-lite'
import { renderSvg } from '../bench/charts.js'
import type { DhtConfig } from './config.js'
import { writeFileAtomic } from './files.js'
import type { InitFigures } from './network.js'
import type { Operation, OperationKind } from './ops.js'
import { type KindSummary, summarise } from './stats.js'

export interface DhtResults {
  version: 1
  runId: string
  startedAt: string
  /** true when a signal stopped the run before its last round */
  interrupted: boolean
  clock: string
  seed: number
  config: DhtConfig
  init: InitFigures | null
  roundsDone: number
  summary: { provide: KindSummary; retrieve: KindSummary }
  operations: Operation[]
}

/** "N nodes initialised", or "J of N nodes initialised" when a signal cut the joins short. */
export function initialised(nodes: number, joined: number | undefined): string {
  return joined === undefined || joined >= nodes
    ? `${nodes} nodes initialised`
    : `${joined} of ${nodes} nodes initialised (the rest skipped: interrupted)`
}

export function buildResults(base: Omit<DhtResults, 'summary' | 'version'>): DhtResults {
  return {
    version: 1,
    ...base,
    summary: { provide: summarise(base.operations, 'provide'), retrieve: summarise(base.operations, 'retrieve') },
  }
}

export function writeResultsJson(dir: string, r: DhtResults): string {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'results.json')
  writeFileAtomic(path, `${JSON.stringify(r, null, 1)}\n`)
  return path
}

/** The empirical CDF of successful operations' durations, per kind. */
export function cdfSpec(ops: readonly Operation[], kind: OperationKind, unit: string): TopLevelSpec | undefined {
  const d = ops
    .filter((o) => o.kind === kind && o.success)
    .map((o) => o.durationMs)
    .sort((a, b) => a - b)
  if (d.length === 0) return undefined
  const values = d.map((ms, i) => ({ ms, fraction: (i + 1) / d.length }))
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${kind} latency CDF`, subtitle: [`${d.length} successful ${kind} operations`] },
    background: 'white',
    width: 480,
    height: 280,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', point: d.length <= 50 },
    encoding: {
      x: { field: 'ms', type: 'quantitative', title: `duration (${unit})` },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of operations', scale: { domain: [0, 1] } },
    },
  }
}

const fmt = (x: number | null, digits = 1) => (x === null ? '–' : x.toFixed(digits))
const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`)

export async function writeReport(dir: string, r: DhtResults): Promise<string> {
  mkdirSync(join(dir, 'charts'), { recursive: true })
  const unit = r.clock === 'real' ? 'ms' : 'simulated ms'
  const charts: string[] = []
  for (const kind of ['provide', 'retrieve'] as const) {
    const spec = cdfSpec(r.operations, kind, unit)
    if (!spec) continue
    writeFileAtomic(join(dir, 'charts', `${kind}-cdf.svg`), await renderSvg(spec))
    charts.push(`![${kind} latency CDF](charts/${kind}-cdf.svg)`)
  }
  const c = r.config
  const row = (s: KindSummary) =>
    `| ${s.kind} | ${s.count} | ${s.successes} | ${pct(s.successRate)} | ${fmt(s.p50)} | ${fmt(s.p90)} | ${fmt(s.p99)} | ${fmt(s.meanHops, 2)} | ${fmt(s.meanPeersContacted, 1)} |`
  const errors = (s: KindSummary) =>
    Object.entries(s.errors)
      .sort((a, b) => b[1] - a[1])
      .map(([e, n]) => `- ${s.kind}: ${n} × \`${e.replace(/`/g, "'")}\``)
  const errorLines = [...errors(r.summary.provide), ...errors(r.summary.retrieve)]
  const init = r.init
  const lines = [
    `# psm dht run ${r.runId}`,
    '',
    `${c.nodes} nodes · ${r.roundsDone}/${c.rounds} rounds · ${c.retrievers} retrievers per round · k ${c.k} · alpha ${c.alpha} · disjoint paths ${c.disjointPaths ?? c.alpha} · seed ${r.seed} · clock ${r.clock} · impl ${c.impl ?? 'vanilla'}${r.interrupted ? ' · **interrupted**' : ''}`,
    '',
    `Network: ${c.network === null ? 'no model file' : typeof c.network === 'string' ? c.network : 'inline model'}; error rate ${c.errorRate ?? 'from the model'}; delay range ${c.delayRange ? `${c.delayRange[0]}–${c.delayRange[1]} ms` : 'from the model'}.`,
    '',
    '## Init',
    '',
    init
      ? `${initialised(c.nodes, init.joined)} (started, bootstrapped, self-lookup done) in ${fmt(init.initMs, 0)} ${unit} (${fmt(init.initWallMs / 1000, 2)} s wall); ${init.failedDials} failed dials, ${init.failedJoins} failed self-lookups; mean routing table ${fmt(init.meanRoutingTable, 1)} peers${init.meanConnections !== undefined ? `, ${fmt(init.meanConnections, 1)} connections and ${fmt(init.meanPeerStore ?? 0, 1)} peer-store entries per node` : ''}.${init.phaseCpuMs ? ` CPU: ${fmt(init.phaseCpuMs.start / 1000, 1)} s starting hosts, ${fmt(init.phaseCpuMs.dial / 1000, 1)} s bootstrap dials, ${fmt(init.phaseCpuMs.join / 1000, 1)} s self-lookups (${fmt(init.phaseCpuMs.join / Math.max(1, init.joined ?? c.nodes), 0)} ms per join).` : ''}`
      : 'not measured (nodes in other processes)',
    '',
    '## Operations',
    '',
    `Latencies in ${unit}, over successful operations. Hops: sequential query hops (a retrieval's to the first provider).`,
    '',
    '| kind | ops | ok | success | p50 | p90 | p99 | mean hops | mean peers contacted |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    row(r.summary.provide),
    row(r.summary.retrieve),
    '',
    `First provider found is the publisher: ${pct(r.summary.retrieve.firstProviderIsPublisher)} of successful retrievals.`,
    '',
    ...(errorLines.length > 0 ? ['## Failures', '', ...errorLines, ''] : []),
    ...(charts.length > 0 ? ['## Latency CDFs', '', ...charts.flatMap((ch) => [ch, ''])] : []),
    'Every operation is in results.json (`operations`).',
    '',
  ]
  const path = join(dir, 'report.md')
  writeFileAtomic(path, lines.join('\n'))
  return path
}
