// The model's view of hosts: where each host sits (region, graph node, matrix row), its bandwidth class,
// and the one-way latency and loss of each ordered pair. Every draw is seeded by what it is for, so host
// 7's region or the latency 3 → 9 are the same whatever order hosts come in; draws are cached.
import { graphPaths } from './graph-paths.js'
import { matrixLatency } from './matrix.js'
import { gaussian, streamFor, weightedIndex } from './seed.js'
import type { BandwidthClass, NetworkSpec } from './spec.js'
import { formatRate } from './units.js'

export interface HostRates {
  /** the class name, the graph node's label, or 'unlimited' */
  name: string
  upBps: number
  downBps: number
}

export interface Topology {
  /** region, graph node label or matrix row of a host */
  placeOf(host: number): string
  ratesOf(host: number): HostRates
  /** one-way base latency in ms (before jitter) */
  latencyMs(from: number, to: number): number
  /** probability a segment from → to is lost */
  lossOf(from: number, to: number): number
}

/**
 * Hosts whose place is chosen, not drawn (an experiment group's `network: {class, region}`): a name the
 * spec knows, or undefined to draw as usual.
 */
export interface HostPins {
  class?(host: number): string | undefined
  region?(host: number): string | undefined
}

const UNLIMITED: HostRates = { name: 'unlimited', upBps: Number.POSITIVE_INFINITY, downBps: Number.POSITIVE_INFINITY }

export function buildTopology(spec: NetworkSpec, seed: number, pins: HostPins = {}): Topology {
  const lat = spec.latency
  const pairCache = new Map<number, number>()
  // a pair key good for 2^26 hosts, cheaper than a string key on the hot path
  const pairKey = (a: number, b: number): number => a * 67_108_864 + b
  const cached = (from: number, to: number, draw: () => number): number => {
    const k = pairKey(from, to)
    let v = pairCache.get(k)
    if (v === undefined) {
      v = draw()
      pairCache.set(k, v)
    }
    return v
  }

  let placeOf: (host: number) => string = () => ''
  let latencyMs: (from: number, to: number) => number
  let lossOf: (from: number, to: number) => number = () => spec.loss
  let graphRates: ((host: number) => HostRates | undefined) | undefined

  switch (lat.kind) {
    case 'constant':
      latencyMs = () => lat.ms
      break
    case 'uniform':
      latencyMs = (a, b) => cached(a, b, () => streamFor(seed, 'latency', a, b).range(lat.minMs, lat.maxMs))
      break
    case 'normal':
      latencyMs = (a, b) =>
        cached(a, b, () => Math.max(0, lat.meanMs + lat.stddevMs * gaussian(streamFor(seed, 'latency', a, b))))
      break
    case 'lognormal':
      latencyMs = (a, b) =>
        cached(a, b, () => Math.exp(Math.log(lat.medianMs) + lat.sigma * gaussian(streamFor(seed, 'latency', a, b))))
      break
    case 'matrix':
      placeOf = (h) => `row ${h % lat.ms.length}`
      latencyMs = (a, b) => matrixLatency(lat.ms, a, b)
      break
    case 'graph': {
      const paths = graphPaths(lat.graph)
      const nodes = lat.graph.nodes
      // host → node index: shadow.yaml's mapping when it covers the host, else round robin over the nodes
      const nodeIndex = (h: number): number => {
        const id = lat.nodeOf?.[h]
        return id !== undefined ? paths.indexOf.get(id)! : h % nodes.length
      }
      placeOf = (h) => nodes[nodeIndex(h)]!.label
      latencyMs = (a, b) => paths.latency[nodeIndex(a)]![nodeIndex(b)]!
      lossOf = (a, b) => Math.max(spec.loss, paths.loss[nodeIndex(a)]![nodeIndex(b)]!)
      graphRates = (h) => {
        const node = nodes[nodeIndex(h)]!
        if (node.upBps === undefined && node.downBps === undefined) return undefined
        const upBps = node.upBps ?? Number.POSITIVE_INFINITY
        const downBps = node.downBps ?? Number.POSITIVE_INFINITY
        return { name: `${formatRate(upBps)}/${formatRate(downBps)}`, upBps, downBps }
      }
      break
    }
    case 'regions': {
      const { regions, ms } = lat.table
      const weights = regions.map((r) => r.weight)
      const regionCache = new Map<number, number>()
      const regionOf = (h: number): number => {
        let r = regionCache.get(h)
        if (r === undefined) {
          const pinned = pins.region?.(h)
          const i = pinned === undefined ? -1 : regions.findIndex((x) => x.name === pinned)
          r = i >= 0 ? i : weightedIndex(streamFor(seed, 'region', h), weights)
          regionCache.set(h, r)
        }
        return r
      }
      placeOf = (h) => regions[regionOf(h)]!.name
      latencyMs = (a, b) => ms[regionOf(a)]![regionOf(b)]!
      break
    }
  }

  const classes: BandwidthClass[] = spec.bandwidth
  const rateCache = new Map<number, HostRates>()
  const ratesOf = (h: number): HostRates => {
    let r = rateCache.get(h)
    if (r === undefined) {
      const pinned = pins.class?.(h)
      const chosen = pinned === undefined ? undefined : classes.find((x) => x.name === pinned)
      if (chosen) r = { name: chosen.name, upBps: chosen.upBps, downBps: chosen.downBps }
      else if (classes.length > 0) {
        const c =
          classes[
            weightedIndex(
              streamFor(seed, 'class', h),
              classes.map((x) => x.weight),
            )
          ]!
        r = { name: c.name, upBps: c.upBps, downBps: c.downBps }
      } else {
        r = graphRates?.(h) ?? UNLIMITED
      }
      rateCache.set(h, r)
    }
    return r
  }

  return { placeOf, ratesOf, latencyMs, lossOf }
}
