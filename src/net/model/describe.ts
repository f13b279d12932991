// What a model means for N hosts, for `psm net show`: hosts per region (or graph node, or matrix row)
// and per bandwidth class, and the one-way latency over every ordered pair (min/p50/p99/max), so a user
// can check a model before a long run.
import { quantile } from '../../quantile.js'
import type { NetworkModel } from './model.js'
import type { LatencySpec } from './spec.js'
import { formatLatency, formatRate } from './units.js'

export interface ModelDescription {
  source: string
  latencySource: string
  hosts: number
  /** hosts per region / graph node / matrix row, most first; empty when the model places no one */
  places: { name: string; hosts: number }[]
  classes: { name: string; up: string; down: string; hosts: number }[]
  /** one-way latency over all ordered pairs of distinct hosts, ms */
  latencyMs: { pairs: number; min: number; p50: number; p99: number; max: number }
  jitter: string
  loss: number
  dialFailure: number
}

/** Pairs beyond this are sampled (every k-th pair) so `--hosts 10000` stays quick. */
const MAX_PAIRS = 1_000_000

export function describeModel(model: NetworkModel, hosts: number): ModelDescription {
  const t = model.topology
  const places = new Map<string, number>()
  const classes = new Map<string, { up: string; down: string; hosts: number }>()
  for (let h = 0; h < hosts; h++) {
    const place = t.placeOf(h)
    if (place !== '') places.set(place, (places.get(place) ?? 0) + 1)
    const r = t.ratesOf(h)
    const c = classes.get(r.name) ?? { up: formatRate(r.upBps), down: formatRate(r.downBps), hosts: 0 }
    c.hosts++
    classes.set(r.name, c)
  }
  const total = hosts * (hosts - 1)
  const step = Math.max(1, Math.ceil(total / MAX_PAIRS))
  const lat: number[] = []
  // walk the ordered pairs (a ≠ b) by their index a·(n−1)+b′ with a stride: no loop over skipped pairs
  for (let i = 0; i < total; i += step) {
    const a = Math.floor(i / (hosts - 1))
    const r = i % (hosts - 1)
    lat.push(t.latencyMs(a, r >= a ? r + 1 : r))
  }
  lat.sort((x, y) => x - y)
  return {
    source: model.spec.source,
    latencySource: latencyWords(model.spec.latency),
    hosts,
    places: [...places].map(([name, n]) => ({ name, hosts: n })).sort((x, y) => y.hosts - x.hosts),
    classes: [...classes].map(([name, c]) => ({ name, ...c })).sort((x, y) => y.hosts - x.hosts),
    latencyMs: {
      pairs: total,
      min: lat[0] ?? 0,
      p50: quantile(lat, 0.5) || 0,
      p99: quantile(lat, 0.99) || 0,
      max: lat[lat.length - 1] ?? 0,
    },
    jitter: formatLatency(model.spec.jitterMs),
    loss: model.spec.loss,
    dialFailure: model.spec.dialFailure,
  }
}

function latencyWords(l: LatencySpec): string {
  switch (l.kind) {
    case 'constant':
      return `constant ${formatLatency(l.ms)}`
    case 'uniform':
      return `uniform ${formatLatency(l.minMs)}–${formatLatency(l.maxMs)} per pair`
    case 'normal':
      return `normal, mean ${formatLatency(l.meanMs)}, stddev ${formatLatency(l.stddevMs)} per pair`
    case 'lognormal':
      return `log-normal, median ${formatLatency(l.medianMs)}, sigma ${l.sigma} per pair`
    case 'matrix':
      return `oar-p2p matrix ${l.file} (${l.ms.length}×${l.ms.length}, host i uses row i mod ${l.ms.length})`
    case 'graph':
      return `Shadow graph ${l.file} (${l.graph.nodes.length} nodes, ${l.graph.edges.length} edges; hosts ${l.nodeOf ? 'from shadow.yaml' : 'round robin'})`
    case 'regions':
      return `regions '${l.table.name}' (${l.table.regions.length} regions)`
  }
}

export function formatDescription(d: ModelDescription): string {
  const lines = [
    `network model: ${d.source}`,
    `latency: ${d.latencySource}; jitter up to ${d.jitter}; loss ${d.loss}; dial failure ${d.dialFailure}`,
    `hosts: ${d.hosts}`,
  ]
  if (d.places.length > 0) {
    lines.push('  per place:')
    for (const p of d.places) lines.push(`    ${p.name.padEnd(24)} ${String(p.hosts).padStart(6)}`)
  }
  lines.push('  bandwidth classes (up / down):')
  for (const c of d.classes) lines.push(`    ${c.name.padEnd(24)} ${String(c.hosts).padStart(6)}   ${c.up} / ${c.down}`)
  const l = d.latencyMs
  const f = formatLatency
  lines.push(
    `one-way latency over ${l.pairs} ordered pairs: min ${f(l.min)}, p50 ${f(l.p50)}, p99 ${f(l.p99)}, max ${f(l.max)}`,
  )
  return `${lines.join('\n')}\n`
}
