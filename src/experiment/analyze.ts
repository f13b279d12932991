// From what a run observed (Observations: deliveries, plus counters and samples when the run has them)
// to results.json: per message reach and time to 50/90/95/99/100% of its subscribers, duplicates, latency
// distributions overall / per group / per region, per node delivery, bytes and control traffic, and the
// attack windows (honest delivery and latency during the attack, eclipse targets' recovery). report.md
// prints these numbers; it computes none of its own.
import { rankQuantile } from '../quantile.js'
import type { Deliveries, Receive } from './deliveries.js'
import { CONTROL_KINDS, type ControlKind, type Observations, type Sample } from './observations.js'

export const REACH_LEVELS = [50, 90, 95, 99, 100] as const

export interface MessageResult {
  msgId: string
  topic: string
  publisher: number
  group: string
  publishMs: number
  bytes: number
  expected: number
  reached: number
  reachPct: number
  /** ms after the publish until 50/90/95/99/100% of the subscribers had it; null: never */
  timeTo: Record<`p${(typeof REACH_LEVELS)[number]}`, number | null>
  /** duplicate copies at the subscribers that got it, per such subscriber */
  duplicates: number
}

export interface NodeResult {
  index: number
  name: string
  group: string
  role: string
  region: string | null
  expected: number
  received: number
  deliveryRatio: number | null
  duplicates: number
  latencyP50: number | null
  latencyP99: number | null
  bytesIn: number | null
  bytesOut: number | null
  /** bytes of the messages it had to receive, each once */
  idealBytesIn: number
  /** bytesIn / idealBytesIn */
  amplification: number | null
  controlSent: Record<ControlKind, number> | null
  controlRecv: Record<ControlKind, number> | null
  invalidRejected: number | null
  meshDegree: number | null
  scoreSeen: number | null
}

export interface Quantiles {
  n: number
  p50: number | null
  p90: number | null
  p99: number | null
  max: number | null
}

export interface TargetResult {
  node: number
  expectedDuring: number
  receivedDuring: number
  deliveryRatioDuring: number | null
  /** run ms when the target got the first message of the streak it got every later message of; null: never */
  recoveredAtMs: number | null
  /** recoveredAtMs minus the attack's stop (or start when it never stops); null: not recovered */
  recoveryMs: number | null
}

export interface AttackResult {
  kind: string
  group: string
  startMs: number
  stopMs: number | null
  spamRate: number
  censor: boolean
  before: { messages: number; honestDeliveryRatio: number | null; latency: Quantiles }
  during: { messages: number; honestDeliveryRatio: number | null; latency: Quantiles }
  targets: TargetResult[]
  /** invalid messages honest validators rejected over the whole run */
  invalidRejected: number | null
  /** at the last sample: attacker-peer observations, and how many were below the graylist threshold */
  final: { attackerScoreMean: number; attackerScoreMax: number; observations: number; belowGraylist: number } | null
}

export interface Summary {
  nodes: number
  messages: number
  expectedDeliveries: number
  delivered: number
  /** delivered / expected over every honest subscriber */
  deliveryRatio: number | null
  reachPctMean: number | null
  reachPctMin: number | null
  fullyDelivered: number
  latency: Quantiles
  timeTo99: { p50: number | null; p99: number | null; missing: number }
  duplicates: { avg: number | null; p95: number | null; max: number | null }
  bytesInMean: number | null
  bytesOutMean: number | null
  amplificationMean: number | null
  controlSentMean: Record<ControlKind, number> | null
}

export interface Results {
  format: 'psm-experiment-results/1'
  meta: Record<string, unknown>
  summary: Summary
  messages: MessageResult[]
  nodes: NodeResult[]
  latencyCdf: { overall: number[]; byGroup: Record<string, number[]>; byRegion: Record<string, number[]> }
  /** copies beyond the first at one subscriber for one message → how many (subscriber, message) pairs */
  duplicateHistogram: { copies: number; count: number }[]
  samples: Sample[]
  attacks: AttackResult[]
  graylistThreshold: number | null
}

const r1 = (x: number) => Math.round(x * 10) / 10
const r3 = (x: number) => Math.round(x * 1000) / 1000

export function quantiles(values: readonly number[]): Quantiles {
  if (values.length === 0) return { n: 0, p50: null, p90: null, p99: null, max: null }
  const s = Float64Array.from(values).sort()
  return {
    n: s.length,
    p50: r1(rankQuantile(s, 0.5)),
    p90: r1(rankQuantile(s, 0.9)),
    p99: r1(rankQuantile(s, 0.99)),
    max: r1(s[s.length - 1]!),
  }
}

/** 101 points: the latency at 0, 1, ..., 100 % of the deliveries */
function cdf(values: readonly number[]): number[] {
  if (values.length === 0) return []
  const s = Float64Array.from(values).sort()
  return Array.from({ length: 101 }, (_, k) => r1(k === 0 ? s[0]! : rankQuantile(s, k / 100)))
}

export function analyze(obs: Observations, meta: Record<string, unknown> = {}): Results {
  const d = obs.deliveries
  const nodes = d.nodes
  const expectedAt = expectedSets(d)
  const firstAt = new Map<string, Map<number, Receive>>()
  const dupAt = new Map<string, Map<number, number>>()
  for (const r of d.receives) {
    if (r.duplicate) {
      let m = dupAt.get(r.msgId)
      if (!m) {
        m = new Map()
        dupAt.set(r.msgId, m)
      }
      m.set(r.node, (m.get(r.node) ?? 0) + 1)
    } else {
      let m = firstAt.get(r.msgId)
      if (!m) {
        m = new Map()
        firstAt.set(r.msgId, m)
      }
      if (!m.has(r.node)) m.set(r.node, r)
    }
  }

  // --- per message ---
  const messages: MessageResult[] = []
  const latAll: number[] = []
  const latGroup = new Map<string, number[]>()
  const latRegion = new Map<string, number[]>()
  const perNode = nodes.map(() => ({ expected: 0, received: 0, dups: 0, lat: [] as number[], ideal: 0 }))
  const hist = new Map<number, number>()
  for (const p of d.publishes) {
    const exp = expectedAt(p)
    const got = firstAt.get(p.msgId) ?? new Map<number, Receive>()
    const dups = dupAt.get(p.msgId) ?? new Map<number, number>()
    const lats: number[] = []
    let dupSum = 0
    for (const node of exp) {
      const pn = perNode[node]!
      pn.expected++
      pn.ideal += p.bytes
      const r = got.get(node)
      if (!r) continue
      const lat = Math.max(0, r.timeMs - p.timeMs)
      lats.push(lat)
      pn.received++
      pn.lat.push(lat)
      latAll.push(lat)
      const info = nodes[node]!
      push(latGroup, info.group, lat)
      if (info.region !== undefined) push(latRegion, info.region, lat)
      const c = dups.get(node) ?? 0
      dupSum += c
      pn.dups += c
      hist.set(c, (hist.get(c) ?? 0) + 1)
    }
    lats.sort((a, b) => a - b)
    const e = exp.length
    const timeTo = {} as MessageResult['timeTo']
    for (const level of REACH_LEVELS) {
      const need = Math.max(1, Math.ceil((level / 100) * e - 1e-9))
      timeTo[`p${level}`] = e > 0 && lats.length >= need ? r1(lats[need - 1]!) : null
    }
    messages.push({
      msgId: p.msgId,
      topic: p.topic,
      publisher: p.node,
      group: nodes[p.node]?.group ?? '',
      publishMs: r1(p.timeMs),
      bytes: p.bytes,
      expected: e,
      reached: lats.length,
      reachPct: e === 0 ? 100 : r1((100 * lats.length) / e),
      timeTo,
      duplicates: lats.length === 0 ? 0 : r3(dupSum / lats.length),
    })
  }

  // --- per node ---
  const counters = new Map((obs.counters ?? []).map((c) => [c.node, c]))
  const nodeResults: NodeResult[] = nodes.map((info, i) => {
    const pn = perNode[i]!
    const c = counters.get(i)
    const q = quantiles(pn.lat)
    const bytesIn = c ? (c.wireBytesIn ?? c.rpcBytesIn) : null
    return {
      index: i,
      name: info.name,
      group: info.group,
      role: info.role,
      region: info.region ?? null,
      expected: pn.expected,
      received: pn.received,
      deliveryRatio: pn.expected === 0 ? null : r3(pn.received / pn.expected),
      duplicates: pn.dups,
      latencyP50: q.p50,
      latencyP99: q.p99,
      bytesIn,
      bytesOut: c ? (c.wireBytesOut ?? c.rpcBytesOut) : null,
      idealBytesIn: pn.ideal,
      amplification: bytesIn !== null && pn.ideal > 0 ? r3(bytesIn / pn.ideal) : null,
      controlSent: c ? c.controlSent : null,
      controlRecv: c ? c.controlRecv : null,
      invalidRejected: c ? c.invalidRejected : null,
      meshDegree: c ? c.meshDegree : null,
      scoreSeen: c && c.scoreSeen !== null ? r3(c.scoreSeen) : null,
    }
  })

  // --- summary ---
  const expectedDeliveries = messages.reduce((s, m) => s + m.expected, 0)
  const delivered = messages.reduce((s, m) => s + m.reached, 0)
  const t99 = messages.map((m) => m.timeTo.p99).filter((x): x is number => x !== null)
  const dupPer = messages.filter((m) => m.reached > 0).map((m) => m.duplicates)
  const dq = dupPer.length ? Float64Array.from(dupPer).sort() : undefined
  const honestNodes = nodeResults.filter((x) => x.role !== 'attacker')
  const mean = (xs: (number | null)[]): number | null => {
    const v = xs.filter((x): x is number => x !== null)
    return v.length ? r1(v.reduce((a, b) => a + b, 0) / v.length) : null
  }
  let controlSentMean: Record<ControlKind, number> | null = null
  if (obs.counters && honestNodes.length > 0) {
    controlSentMean = {} as Record<ControlKind, number>
    for (const k of CONTROL_KINDS) {
      controlSentMean[k] = r1(honestNodes.reduce((s, x) => s + (x.controlSent?.[k] ?? 0), 0) / honestNodes.length)
    }
  }
  const summary: Summary = {
    nodes: nodes.length,
    messages: messages.length,
    expectedDeliveries,
    delivered,
    deliveryRatio: expectedDeliveries === 0 ? null : r3(delivered / expectedDeliveries),
    reachPctMean: mean(messages.map((m) => m.reachPct)),
    reachPctMin: messages.length ? Math.min(...messages.map((m) => m.reachPct)) : null,
    fullyDelivered: messages.filter((m) => m.reached === m.expected).length,
    latency: quantiles(latAll),
    timeTo99: {
      p50: t99.length ? r1(rankQuantile(Float64Array.from(t99).sort(), 0.5)) : null,
      p99: t99.length ? r1(rankQuantile(Float64Array.from(t99).sort(), 0.99)) : null,
      missing: messages.length - t99.length,
    },
    duplicates: {
      avg: dupPer.length ? r3(dupPer.reduce((a, b) => a + b, 0) / dupPer.length) : null,
      p95: dq ? r3(rankQuantile(dq, 0.95)) : null,
      max: dq ? r3(dq[dq.length - 1]!) : null,
    },
    bytesInMean: mean(honestNodes.map((x) => x.bytesIn)),
    bytesOutMean: mean(honestNodes.map((x) => x.bytesOut)),
    amplificationMean: mean(honestNodes.map((x) => x.amplification)),
    controlSentMean,
  }

  // --- attacks ---
  const samples = obs.samples ?? []
  const lastSample = samples[samples.length - 1]
  const invalidTotal = obs.counters ? honestNodes.reduce((s, x) => s + (x.invalidRejected ?? 0), 0) : null
  const attacks: AttackResult[] = (obs.attacks ?? []).map((a) => {
    const end = a.stopMs ?? Number.POSITIVE_INFINITY
    const window = (from: number, to: number) => {
      const ms = messages.filter((m) => m.publishMs >= from && m.publishMs < to)
      const ids = new Set(ms.map((m) => m.msgId))
      const exp = ms.reduce((s, m) => s + m.expected, 0)
      const got = ms.reduce((s, m) => s + m.reached, 0)
      const lats: number[] = []
      for (const p of d.publishes) {
        if (!ids.has(p.msgId)) continue
        for (const r of firstAt.get(p.msgId)?.values() ?? []) lats.push(Math.max(0, r.timeMs - p.timeMs))
      }
      return { messages: ms.length, honestDeliveryRatio: exp === 0 ? null : r3(got / exp), latency: quantiles(lats) }
    }
    const targets = a.targets.map((t) => targetResult(t, a.startMs, a.stopMs, d, expectedAt, firstAt))
    return {
      kind: a.kind,
      group: a.group,
      startMs: a.startMs,
      stopMs: a.stopMs,
      spamRate: a.spamRate,
      censor: a.censor,
      before: window(0, a.startMs),
      during: window(a.startMs, end),
      targets,
      invalidRejected: invalidTotal,
      final: lastSample
        ? {
            attackerScoreMean: lastSample.scores.attacker.mean,
            attackerScoreMax: lastSample.scores.attacker.max,
            observations: lastSample.scores.attacker.n,
            belowGraylist: lastSample.scores.attacker.belowGraylist,
          }
        : null,
    }
  })

  return {
    format: 'psm-experiment-results/1',
    meta,
    summary,
    messages,
    nodes: nodeResults,
    latencyCdf: {
      overall: cdf(latAll),
      byGroup: Object.fromEntries([...latGroup].map(([k, v]) => [k, cdf(v)])),
      byRegion: Object.fromEntries([...latRegion].map(([k, v]) => [k, cdf(v)])),
    },
    duplicateHistogram: [...hist].sort((a, b) => a[0] - b[0]).map(([copies, count]) => ({ copies, count })),
    samples,
    attacks,
    graylistThreshold: obs.graylistThreshold ?? null,
  }
}

function push(m: Map<string, number[]>, k: string, v: number): void {
  const a = m.get(k)
  if (a) a.push(v)
  else m.set(k, [v])
}

/** The subscribers of a publish's topic but its publisher. */
function expectedSets(d: Deliveries): (p: { topic: string; node: number }) => number[] {
  const cache = new Map<string, number[]>()
  return (p) => {
    const key = `${p.topic}\u0000${p.node}`
    let v = cache.get(key)
    if (!v) {
      v = (d.subscribers[p.topic] ?? []).filter((x) => x !== p.node)
      cache.set(key, v)
    }
    return v
  }
}

function targetResult(
  node: number,
  startMs: number,
  stopMs: number | null,
  d: Deliveries,
  expectedAt: (p: { topic: string; node: number }) => number[],
  firstAt: Map<string, Map<number, Receive>>,
): TargetResult {
  const mine = d.publishes.filter((p) => expectedAt(p).includes(node)).sort((a, b) => a.timeMs - b.timeMs)
  const during = mine.filter((p) => p.timeMs >= startMs && (stopMs === null || p.timeMs < stopMs))
  const receivedDuring = during.filter((p) => firstAt.get(p.msgId)?.has(node)).length
  // the unbroken streak of messages the target got, back from the last one published; it recovered when
  // the first of them reached it (the earliest receipt in the streak)
  let recoveredAtMs: number | null = null
  const after = mine.filter((p) => p.timeMs >= startMs)
  for (let k = after.length - 1; k >= 0; k--) {
    const r = firstAt.get(after[k]!.msgId)?.get(node)
    if (!r) break
    recoveredAtMs = recoveredAtMs === null ? r1(r.timeMs) : Math.min(recoveredAtMs, r1(r.timeMs))
  }
  return {
    node,
    expectedDuring: during.length,
    receivedDuring,
    deliveryRatioDuring: during.length === 0 ? null : r3(receivedDuring / during.length),
    recoveredAtMs,
    recoveryMs: recoveredAtMs === null ? null : r1(Math.max(0, recoveredAtMs - (stopMs ?? startMs))),
  }
}
