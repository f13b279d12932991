// A checked `network:` section written back as model YAML, so a model given inline in bench.yml can be
// handed to each child run as a file (`--network <out>/network.yml`). Values are written exactly (ms and
// bit/s, no rounding); file paths become absolute since the child reads them from elsewhere.
import { resolve } from 'node:path'
import { stringify } from 'yaml'
import { BUILT_IN_TABLES } from '../net/model/regions.js'
import type { LatencySpec } from '../net/model/spec.js'
import type { NetworkSection } from './network.js'

const ms = (x: number) => `${x}ms`
const rate = (bps: number) => `${bps}bit`

function latencyInput(l: LatencySpec): unknown {
  switch (l.kind) {
    case 'constant':
      return ms(l.ms)
    case 'uniform':
      return { uniform: [ms(l.minMs), ms(l.maxMs)] }
    case 'normal':
      return { normal: { mean: ms(l.meanMs), stddev: ms(l.stddevMs) } }
    case 'lognormal':
      return { lognormal: { median: ms(l.medianMs), sigma: l.sigma } }
    default:
      // matrix, graph and regions are keys of their own, never a `latency:` value
      return null
  }
}

export function sectionToYaml(s: NetworkSection): string {
  const out: Record<string, unknown> = {}
  if (s.latency !== null) out.latency = latencyInput(s.latency)
  if (s.matrix !== null) out.matrix = resolve(s.matrix)
  if (s.graph !== null) out.graph = resolve(s.graph)
  if (s.shadow !== null) out.shadow = resolve(s.shadow)
  if (s.regions !== null) {
    const t = s.regions
    const names = t.regions.map((r) => r.name)
    out.regions =
      BUILT_IN_TABLES[t.name] === t
        ? t.name
        : {
            weights: Object.fromEntries(t.regions.map((r) => [r.name, r.weight])),
            latency: Object.fromEntries(
              names.map((from, i) => [from, Object.fromEntries(names.map((to, j) => [to, ms(t.ms[i]![j]!)]))]),
            ),
          }
  }
  out.jitter = ms(s.jitter)
  out.loss = s.loss
  out.dialFailure = s.dialFailure
  if (s.bandwidth.length > 0) {
    out.bandwidth = {
      classes: Object.fromEntries(
        s.bandwidth.map((c) => [c.name, { up: rate(c.upBps), down: rate(c.downBps), weight: c.weight }]),
      ),
    }
  }
  return stringify(out)
}
