// Runs one experiment: builds every node with the project's host factory (machine or vanilla gossipsub
// per group), wires the topology, runs the warm-up, run and cool-down phases with their publish rates,
// plays the attacks, samples mesh degrees and peer scores, and returns what it observed. The report is
// computed from that (analyze.ts), never from here.
//
// What the run sees comes from gossipsub's public surface only: its `msgIdFn` option (called once per
// received copy, so it counts duplicates), its `metricsRegister` option (RPC bytes and control entries
// sent and received), the `gossipsub:message` event (first delivery and the peer it came from),
// `getMeshPeers`, `getPeers` and `getScore`.
//
// Attackers are ordinary psm hosts with a documented misbehaviour on their OWN host (see attacks.ts):
// a topic validator that ignores every message (they never forward: censoring) and a publish loop of
// messages flagged invalid (spam that honest validators reject). gossipsub itself is not patched.

import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { MetricsRegister } from '@libp2p/gossipsub/metrics'
import type { KadDHT } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { activeClock, activeClockMode } from '../clock/virtual-install.js'
import { hostKey } from '../clock/virtual-keys.js'
import { seedRandom } from '../clock/virtual-random.js'
import { realClearInterval, realPerformanceNow, realSetInterval } from '../clock/virtual-real.js'
import { untilRouted } from '../dht/network.js'
import { DEFAULT_DHT_KNOBS, dhtService } from '../dht/node.js'
import { DhtDiscovery } from '../discovery/dht.js'
import { InProcessRegistry } from '../discovery/registry.js'
import { TopicDiscovery } from '../discovery/topic-discovery.js'
import { DEFAULT_STOP_TIMEOUT_MS } from '../net/constants.js'
import { createHost, type Host, type PubsubFactory } from '../net/host.js'
import { loadNetworkModel } from '../net/model/load.js'
import type { NetworkModel } from '../net/model/model.js'
import { networkLogEntry } from '../net/model/provenance.js'
import { stopHosts } from '../net/stop-hosts.js'
import { machinePubsub } from '../pubsub/machine.js'
import type { PubsubInit } from '../pubsub/vanilla.js'
import { vanillaPubsub } from '../pubsub/vanilla.js'
import { createRng } from '../rng.js'
import { type ResourceFigures, ResourceMeter } from '../scenario/measure.js'
import { sleep } from '../sleep.js'
import type { Recorder } from '../telemetry/recorder.js'
import { type AttackRuntime, attackRuntime, behavesAt } from './attacks.js'
import type { ExperimentConfig, GroupConfig } from './config.js'
import { experimentDurationMs } from './config.js'
import type { Deliveries, NodeInfo, Publish, Receive } from './deliveries.js'
import { CONTROL_KINDS, type ControlKind, type NodeCounters, type Observations, type Sample } from './observations.js'
import { decodeId, encodeMessage, isValidPayload, msgIdHex, SPAM_BIT } from './payload.js'

export interface RunOptions {
  recorder?: Recorder
  /** one line now and then while it runs */
  progress?: (line: string) => void
  /** real milliseconds between progress lines (default 2000) */
  progressEveryMs?: number
  /** aborts the run early (Ctrl-C): what was observed so far is returned */
  signal?: AbortSignal
}

export interface RunMeta {
  name: string
  seed: number
  clock: string
  nodes: number
  /** simulated (or real) milliseconds the phases took */
  simMs: number
  /** topology wiring before the warm-up, run-clock milliseconds */
  setupMs: number
  dials: { ok: number; failed: number; maintained: number }
  publishFailures: number
  interrupted: boolean
  resources: ResourceFigures
  stopMs: number
}

export interface RunOutput {
  observations: Observations
  meta: RunMeta
}

type PubsubView = {
  getMeshPeers(topic: string): string[]
  getScore(id: string): number
  getPeers(): { toString(): string }[]
  publish(topic: string, data: Uint8Array): Promise<unknown>
  subscribe(topic: string): void
  topicValidators: { set(topic: string, fn: unknown): void }
}

/** gossipsub's metrics hook as plain sums by family name (labels are added up). */
class SumRegister {
  readonly values = new Map<string, number>()
  readonly register: MetricsRegister
  constructor() {
    const add = (name: string, v: number) => this.values.set(name, (this.values.get(name) ?? 0) + v)
    const noop = () => {}
    this.register = {
      gauge: (cfg: { name: string }) => ({
        inc: (a?: unknown, b?: unknown) => add(cfg.name, typeof a === 'number' ? a : typeof b === 'number' ? b : 1),
        set: noop,
        addCollect: noop,
      }),
      histogram: () => ({ startTimer: () => noop, observe: noop, reset: noop }),
      avgMinMax: () => ({ set: noop }),
    } as unknown as MetricsRegister
  }
  get(name: string): number {
    return this.values.get(name) ?? 0
  }
}

interface NodeRt {
  info: NodeInfo
  group: GroupConfig
  host: Host
  ps: PubsubView
  metrics: SumRegister
  /** message ids this node got a first copy of (the `gossipsub:message` event records it) */
  seen: Set<string>
  invalidRejected: number
  attack: AttackRuntime | undefined
  stopped: boolean
  graylist: number
}

/**
 * Dials in flight at once while wiring the topology. 1024 against 64 on blob.yml's 100 nodes: the wiring
 * took 0.8 instead of 12 simulated seconds (fewer heartbeats meanwhile) and 16 % less CPU, for a higher
 * transient RSS (844 against 667 MiB). PSM_EXPERIMENT_DIAL_BATCH overrides it.
 */
const DIAL_BATCH = 1024

/** how long a kad-dht lookup may take with `topology.backend: dht` */
const DHT_TIMEOUT_MS = 10_000

export async function runExperiment(cfg: ExperimentConfig, opts: RunOptions = {}): Promise<RunOutput> {
  const progress = opts.progress ?? (() => {})
  const rec = opts.recorder
  const seed = cfg.seed
  if (activeClock()) seedRandom(seed)
  const rng = createRng(seed)
  const specs: { group: GroupConfig; info: NodeInfo }[] = []
  const useDht = cfg.topology.kind === 'discovery' && cfg.topology.backend === 'dht'
  // a group's network: {class, region} pins its hosts; the model asks when a host first sends
  const pins = {
    class: (h: number) => specs[h]?.group.network.class ?? undefined,
    region: (h: number) => specs[h]?.group.network.region ?? undefined,
  }
  const model: NetworkModel | undefined =
    cfg.network === null ? undefined : loadNetworkModel(cfg.network, { seed, pins })
  if (model && rec) rec.setNetwork(networkLogEntry(cfg.network!, seed))
  const meter = new ResourceMeter()

  // --- who is who ---------------------------------------------------------------------------------
  for (const g of cfg.nodes) {
    for (let k = 0; k < g.count; k++) {
      const index = specs.length
      const info: NodeInfo = { index, name: `ps-${index}`, peerId: '', group: g.group, role: g.role }
      specs.push({ group: g, info })
      // after the push: the model's pins read this host's group
      const place = model?.topology.placeOf(index) ?? ''
      if (place !== '') info.region = place
    }
  }
  const n = specs.length
  const attacks = cfg.attacks.map((a) =>
    attackRuntime(
      a,
      specs.filter((s) => s.group.group === a.group).map((s) => s.info.index),
      specs.filter((s) => s.group.role !== 'attacker').map((s) => s.info.index),
    ),
  )
  const attackOf = (g: GroupConfig) => attacks.find((a) => a.config.group === g.group)

  // --- deliveries ---------------------------------------------------------------------------------
  const publishes: Publish[] = []
  const receives: Receive[] = []
  const publisherOf = new Map<string, number>()
  const subscribers: Record<string, number[]> = {}
  for (const s of specs) {
    if (s.group.role === 'attacker') continue
    for (const t of s.group.topics) {
      subscribers[t] ??= []
      subscribers[t].push(s.info.index)
    }
  }
  let t0 = Date.now()
  const now = () => Date.now() - t0
  const indexOfPeer = new Map<string, number>()

  // --- hosts --------------------------------------------------------------------------------------
  const nodes: NodeRt[] = []
  const tSetup = Date.now()
  for (const s of specs) {
    const i = s.info.index
    const g = s.group
    const metrics = new SumRegister()
    const seen = new Set<string>()
    const gs = g.gossipsub
    const sc = gs.scoring
    const init: PubsubInit = {
      D: gs.D,
      Dlo: gs.Dlo,
      Dhi: gs.Dhi,
      Dscore: gs.Dscore,
      Dout: gs.Dout,
      Dlazy: gs.Dlazy,
      heartbeatInterval: gs.heartbeat,
      mcacheLength: gs.historyLength,
      mcacheGossip: gs.historyGossip,
      floodPublish: gs.floodPublish,
      idontwantMinDataSize: gs.idontwantMinDataSize,
      allowPublishToZeroTopicPeers: true,
      metricsRegister: metrics.register,
      metricsTopicStrToLabel: new Map(),
      // interop's rule: a message's id is its first 8 bytes. Called once per received copy: duplicates.
      msgIdFn: (msg) => {
        const id = msg.data.subarray(0, 8)
        onCopy(i, msgIdHex(id))
        return id
      },
      msgIdToStrFn: (id) => msgIdHex(id),
      scoreParams: sc.enabled
        ? {
            topics: Object.fromEntries(g.topics.map((t) => [t, topicScore(sc.topic)])),
            topicScoreCap: sc.topicScoreCap,
            behaviourPenaltyWeight: sc.behaviourPenaltyWeight,
            behaviourPenaltyDecay: sc.behaviourPenaltyDecay,
            decayInterval: sc.decayInterval,
          }
        : { topics: {}, behaviourPenaltyWeight: 0 },
      scoreThresholds: sc.enabled
        ? {
            gossipThreshold: sc.thresholds.gossip,
            publishThreshold: sc.thresholds.publish,
            graylistThreshold: sc.thresholds.graylist,
            acceptPXThreshold: sc.thresholds.acceptPX,
            opportunisticGraftThreshold: sc.thresholds.opportunisticGraft,
          }
        : // scoring off: no threshold is ever reached
          {
            gossipThreshold: -1e12,
            publishThreshold: -2e12,
            graylistThreshold: -3e12,
            acceptPXThreshold: 1e12,
            opportunisticGraftThreshold: 1e12,
          },
    }
    const factory: PubsubFactory =
      g.implementation === 'machine'
        ? (pi) => machinePubsub({ ...pi, id: `ps-${i}`, parent: null, ...(rec ? { recorder: rec } : {}) })
        : vanillaPubsub
    const host = await createHost({
      pubsub: factory,
      gossipsub: init,
      heartbeatMs: gs.heartbeat,
      privateKey: await hostKey(seed, i),
      maxConnections: g.maxConnections,
      ...(model ? { network: model.host(i) } : {}),
      // kad-dht opens a stream per request (mplex closes connections that open over 5 a second): yamux
      ...(useDht
        ? {
            muxer: 'yamux' as const,
            services: { ping: ping(), dht: dhtService(DEFAULT_DHT_KNOBS, true) } as never,
          }
        : {}),
    })
    s.info.peerId = host.peerId.toString()
    indexOfPeer.set(s.info.peerId, i)
    const ps = host.services.pubsub as unknown as PubsubView
    const rt: NodeRt = {
      info: s.info,
      group: g,
      host,
      ps,
      metrics,
      seen,
      invalidRejected: 0,
      attack: attackOf(g),
      stopped: false,
      graylist: sc.enabled ? sc.thresholds.graylist : -3e12,
    }
    nodes.push(rt)
    host.services.pubsub.addEventListener('gossipsub:message', (e) => {
      const { msgId, propagationSource, msg } = e.detail
      if (rt.info.role === 'attacker' || !publisherOf.has(msgId) || publisherOf.get(msgId) === i) return
      const from = indexOfPeer.get(propagationSource.toString())
      receives.push({
        msgId,
        topic: msg.topic,
        node: i,
        timeMs: now(),
        ...(from !== undefined ? { from } : {}),
        duplicate: false,
      })
    })
    for (const t of g.topics) {
      ps.subscribe(t)
      ps.topicValidators.set(t, validatorFor(rt))
    }
  }

  function onCopy(node: number, msgId: string): void {
    const publisher = publisherOf.get(msgId)
    if (publisher === undefined || publisher === node) return
    const rt = nodes[node]
    if (!rt || rt.info.role === 'attacker') return
    if (!rt.seen.has(msgId)) {
      rt.seen.add(msgId)
      return
    }
    const topic = publishes[decodeId(msgId).number]?.topic ?? ''
    receives.push({ msgId, topic, node, timeMs: now(), duplicate: true })
  }

  function validatorFor(rt: NodeRt) {
    const delay = rt.group.validationDelay
    if (rt.info.role === 'attacker') {
      // the attacker's own validator: spam is never passed on; while censoring, nothing is
      return (_peer: unknown, msg: { data: Uint8Array }) =>
        !isValidPayload(msg.data) || (rt.attack && !behavesAt(rt.attack, now()) && rt.attack.censor)
          ? TopicValidatorResult.Ignore
          : TopicValidatorResult.Accept
    }
    return async (_peer: unknown, msg: { data: Uint8Array }) => {
      if (delay > 0) await sleep(delay)
      if (isValidPayload(msg.data)) return TopicValidatorResult.Accept
      rt.invalidRejected++
      return TopicValidatorResult.Reject
    }
  }

  // --- topology -----------------------------------------------------------------------------------
  const dials = { ok: 0, failed: 0, maintained: 0 }
  const connected = (a: number, b: number) => nodes[a]!.host.getConnections(nodes[b]!.host.peerId).length > 0
  async function dial(a: number, b: number): Promise<boolean> {
    if (a === b || nodes[a]!.stopped || nodes[b]!.stopped || connected(a, b)) return false
    try {
      await nodes[a]!.host.dial(nodes[b]!.host.getMultiaddrs())
      dials.ok++
      return true
    } catch {
      dials.failed++
      return false
    }
  }
  async function dialAll(all: [number, number][]): Promise<void> {
    // one dial per unordered pair: a and b dialling each other at once would open two connections
    const seenPair = new Set<number>()
    const pairs = all.filter(([a, b]) => {
      const key = Math.min(a, b) * 1_000_003 + Math.max(a, b)
      if (seenPair.has(key)) return false
      seenPair.add(key)
      return true
    })
    const batch = Number(process.env.PSM_EXPERIMENT_DIAL_BATCH ?? DIAL_BATCH)
    for (let k = 0; k < pairs.length; k += batch) {
      await Promise.all(pairs.slice(k, k + batch).map(([a, b]) => dial(a, b)))
    }
  }
  const honest = specs.filter((s) => s.group.role !== 'attacker').map((s) => s.info.index)
  const discs: TopicDiscovery[] = []
  progress(`${n} nodes started; wiring the ${cfg.topology.kind} topology`)
  // a progress line every 2 real seconds: the dials while wiring, then the phases
  let wiring = true
  const wall0 = realPerformanceNow()
  const ticker = realSetInterval(
    () =>
      progress(
        wiring
          ? `wiring: ${dials.ok} dials made, ${dials.failed} failed · wall ${((realPerformanceNow() - wall0) / 1000).toFixed(0)}s`
          : line(),
      ),
    opts.progressEveryMs ?? 2000,
  )
  ticker.unref?.()
  // eclipse: the sybils take the targets' connection slots before anyone else dials
  for (const a of attacks) {
    if (a.config.kind !== 'eclipse') continue
    const pairs: [number, number][] = []
    for (const s of a.sybils) for (const t of a.targets) pairs.push([s, t])
    await dialAll(pairs)
  }
  const eclipsed = new Set(attacks.flatMap((a) => (a.config.kind === 'eclipse' ? a.targets : [])))
  const bootstrapPairs: [number, number][] = []
  for (const b of cfg.topology.bootstrap) for (let i = 0; i < n; i++) if (i !== b) bootstrapPairs.push([i, b])
  await dialAll(bootstrapPairs)
  const topo = cfg.topology
  if (topo.kind === 'random') {
    const pairs: [number, number][] = []
    for (let i = 0; i < n; i++) {
      if (eclipsed.has(i)) continue
      for (const j of pickPeers(i)) pairs.push([i, j])
    }
    await dialAll(pairs)
  } else if (topo.kind === 'chain') {
    await dialAll(Array.from({ length: n - 1 }, (_, i) => [i, i + 1] as [number, number]))
  } else if (topo.kind === 'explicit') {
    await dialAll(topo.edges.map((e) => [e[0]!, e[1]!] as [number, number]))
  } else {
    const registry = new InProcessRegistry({ random: () => rng.next() })
    // dht: every node joins the DHT through its bootstrap nodes (dialled above) before it looks for topics
    if (useDht) await Promise.all(nodes.map((rt) => untilRouted(rt.host, DHT_TIMEOUT_MS)))
    for (const rt of nodes) {
      const d = new TopicDiscovery(rt.host, {
        discovery: useDht
          ? new DhtDiscovery((rt.host.services as unknown as { dht: KadDHT }).dht, rt.host.peerId, {
              timeoutMs: DHT_TIMEOUT_MS,
            })
          : registry.forHost(rt.host),
        id: `ps-${rt.info.index}-disc`,
        parent: `ps-${rt.info.index}`,
        findLimit: topo.findLimit,
        maxConnections: rt.group.maxConnections,
        ...(rec ? { recorder: rec } : {}),
      })
      discs.push(d)
      d.start()
    }
    await Promise.all(
      nodes.flatMap((rt, i) =>
        rt.group.topics.map((t) => discs[i]!.joinTopic(t, { minPeers: 1, timeoutMs: 60_000 }).catch(() => 0)),
      ),
    )
  }

  /** random peers for node i: honest nodes dial honest peers (cold boot: sybils, with its bias) */
  function pickPeers(i: number): number[] {
    const me = specs[i]!
    const coldBoot = attacks.find((a) => a.config.kind === 'cold-boot')
    const sybils = attacks.flatMap((a) => a.sybils)
    const want = Math.min(topo.connect, n - 1)
    const out = new Set<number>()
    let guard = 0
    while (out.size < want && guard++ < want * 50) {
      let pool: number[] = honest
      if (me.group.role === 'attacker') pool = honest
      else if (coldBoot && sybils.length > 0 && rng.next() < coldBoot.config.bootstrapBias) pool = coldBoot.sybils
      const j = pool[rng.int(pool.length)]
      if (j === undefined || j === i || eclipsed.has(j)) continue
      out.add(j)
    }
    return [...out]
  }

  // --- phases -------------------------------------------------------------------------------------
  const setupMs = Date.now() - tSetup
  t0 = Date.now()
  const total = experimentDurationMs(cfg)
  const w = cfg.phases.warmup.duration
  const r = cfg.phases.run.duration
  const phaseAt = (t: number) =>
    t < w
      ? { name: 'warm-up', p: cfg.phases.warmup }
      : t < w + r
        ? { name: 'run', p: cfg.phases.run }
        : { name: 'cool-down', p: cfg.phases.cooldown }
  let publishFailures = 0
  let finished = false
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(
      () => {
        timers.delete(t)
        if (!finished) fn()
      },
      Math.max(0, ms),
    )
    timers.add(t)
  }

  let spamCount = 0
  async function publish(rt: NodeRt, topic: string, valid: boolean, size: number): Promise<void> {
    const i = rt.info.index
    const number = valid ? publishes.length : (SPAM_BIT | (spamCount++ % SPAM_BIT)) >>> 0
    const data = encodeMessage(number, i, valid, size)
    const msgId = msgIdHex(data.subarray(0, 8))
    if (valid) {
      publisherOf.set(msgId, i)
      publishes.push({ msgId, topic, node: i, timeMs: now(), bytes: size })
    }
    try {
      await rt.ps.publish(topic, data)
    } catch {
      if (valid) publishFailures++
    }
  }

  // publishers: a steady rate per topic with a seeded offset, the phase's rate when it sets one;
  // `turns`: one loop per group, a random node of the group each time
  const loops: { g: GroupConfig; members: NodeRt[] }[] = []
  for (const g of cfg.nodes) {
    if (g.role !== 'publisher') continue
    const members = nodes.filter((x) => x.group === g)
    if (g.schedule === 'turns') loops.push({ g, members })
    else for (const m of members) loops.push({ g, members: [m] })
  }
  for (const { g, members } of loops) {
    for (const topic of g.topics) {
      const tick = () => {
        const t = now()
        if (t >= total || (g.stop !== null && t >= g.stop)) return
        const rate = phaseAt(t).p.rate ?? g.rate
        if (t < g.start) return later(g.start - t, tick)
        if (rate <= 0) {
          const next = t < w ? w : t < w + r ? w + r : total
          return later(next - t, tick)
        }
        const live = members.filter((x) => !x.stopped)
        const rt = live.length === 1 ? live[0] : live[rng.int(live.length)]
        if (rt) void publish(rt, topic, true, g.size)
        later(1000 / rate, tick)
      }
      const rate0 = g.rate > 0 ? g.rate : 1
      later(g.start + rng.next() * (1000 / rate0), tick)
    }
  }

  // attacks: spam loops, and hanging up at the end of the attack
  for (const a of attacks) {
    if (a.spamRate > 0) {
      for (const s of a.sybils) {
        const rt = nodes[s]!
        const tick = () => {
          const t = now()
          if (rt.stopped || (a.config.stop !== null && t >= a.config.stop)) return
          if (t >= a.config.start)
            for (const topic of rt.group.topics) void publish(rt, topic, false, a.config.spamSize)
          later(t < a.config.start ? a.config.start - t : 1000 / a.spamRate, tick)
        }
        later(rng.next() * (1000 / a.spamRate), tick)
      }
    }
    if (a.config.stop !== null) {
      later(a.config.stop, () => {
        for (const s of a.sybils) {
          const rt = nodes[s]!
          rt.stopped = true
          void stopHosts([rt.host], DEFAULT_STOP_TIMEOUT_MS)
        }
      })
    }
  }

  // a peer manager: keep `connect` connections (only when asked for)
  if (topo.maintain > 0) {
    const keep = () => {
      for (const i of honest) {
        const rt = nodes[i]!
        const deficit = topo.connect - rt.host.getConnections().length
        for (let k = 0; k < deficit; k++) {
          const j = honest[rng.int(honest.length)]!
          if (j === i || connected(i, j)) continue
          dials.maintained++
          void dial(i, j)
        }
      }
      later(topo.maintain, keep)
    }
    later(topo.maintain, keep)
  }

  // samples of mesh degree and peer scores
  const samples: Sample[] = []
  const targets = [...eclipsed]
  const sample = () => {
    samples.push(takeSample(nodes, now(), indexOfPeer, targets))
    later(cfg.sample, sample)
  }
  later(0, sample)

  // progress (real time) and the end
  wiring = false
  const line = () => {
    const t = now()
    const first = receives.length - receives.filter((x) => x.duplicate).length
    return `${(t / 1000).toFixed(1)}s/${(total / 1000).toFixed(1)}s (${phaseAt(Math.min(t, total - 1)).name}) · published ${publishes.length} · delivered ${first} · wall ${((realPerformanceNow() - wall0) / 1000).toFixed(0)}s`
  }
  let interrupted = false
  await new Promise<void>((resolve) => {
    later(total, resolve)
    opts.signal?.addEventListener(
      'abort',
      () => {
        interrupted = true
        resolve()
      },
      { once: true },
    )
  })
  finished = true
  for (const t of timers) clearTimeout(t)
  realClearInterval(ticker)
  const simMs = now()
  progress(`${interrupted ? 'interrupted at' : 'done:'} ${line()}`)
  samples.push(takeSample(nodes, simMs, indexOfPeer, targets))

  // --- counters -----------------------------------------------------------------------------------
  const seen = scoresSeen(nodes, indexOfPeer)
  const counters: NodeCounters[] = nodes.map((rt) => {
    const m = rt.metrics
    const ctl = (dir: 'sent' | 'recv'): Record<ControlKind, number> => {
      const out = {} as Record<ControlKind, number>
      for (const k of CONTROL_KINDS) {
        out[k] = m.get(`gossipsub_rpc_${dir}_${k}_total`)
      }
      return out
    }
    const wire = model ? model.stats(rt.info.index) : undefined
    return {
      node: rt.info.index,
      rpcBytesIn: m.get('gossipsub_rpc_recv_bytes_total'),
      rpcBytesOut: m.get('gossipsub_rpc_sent_bytes_total'),
      ...(wire ? { wireBytesIn: wire.bytesReceived, wireBytesOut: wire.bytesSent } : {}),
      controlSent: ctl('sent'),
      controlRecv: ctl('recv'),
      invalidRejected: rt.invalidRejected,
      meshDegree: rt.stopped ? 0 : meshDegree(rt),
      scoreSeen: seen[rt.info.index] ?? null,
    }
  })

  for (const d of discs) d.stop()
  const resources = meter.stop()
  const stop = await stopHosts(
    nodes.filter((x) => !x.stopped).map((x) => x.host),
    DEFAULT_STOP_TIMEOUT_MS,
  )
  const deliveries: Deliveries = { nodes: nodes.map((x) => x.info), publishes, receives, subscribers }
  return {
    observations: {
      deliveries,
      counters,
      samples,
      attacks: attacks.map((a) => ({
        kind: a.config.kind,
        group: a.config.group,
        startMs: a.config.start,
        stopMs: a.config.stop,
        targets: a.targets,
        spamRate: a.spamRate,
        censor: a.censor,
      })),
      graylistThreshold: honestGraylist(nodes),
    },
    meta: {
      name: cfg.name,
      seed,
      clock: activeClockMode(),
      nodes: n,
      simMs,
      setupMs,
      dials,
      publishFailures,
      interrupted,
      resources,
      stopMs: stop.ms,
    },
  }
}

function honestGraylist(nodes: readonly NodeRt[]): number {
  return nodes.find((x) => x.info.role !== 'attacker')?.graylist ?? -80
}

function topicScore(t: GroupConfig['gossipsub']['scoring']['topic']) {
  return {
    topicWeight: t.weight,
    timeInMeshWeight: t.timeInMeshWeight,
    timeInMeshQuantum: t.timeInMeshQuantum,
    timeInMeshCap: t.timeInMeshCap,
    firstMessageDeliveriesWeight: t.firstMessageDeliveriesWeight,
    firstMessageDeliveriesDecay: t.firstMessageDeliveriesDecay,
    firstMessageDeliveriesCap: t.firstMessageDeliveriesCap,
    meshMessageDeliveriesWeight: t.meshMessageDeliveriesWeight,
    meshMessageDeliveriesDecay: t.meshMessageDeliveriesDecay,
    meshMessageDeliveriesThreshold: t.meshMessageDeliveriesThreshold,
    meshMessageDeliveriesCap: t.meshMessageDeliveriesCap,
    meshMessageDeliveriesActivation: t.meshMessageDeliveriesActivation,
    meshMessageDeliveriesWindow: t.meshMessageDeliveriesWindow,
    meshFailurePenaltyWeight: t.meshFailurePenaltyWeight,
    meshFailurePenaltyDecay: t.meshFailurePenaltyDecay,
    invalidMessageDeliveriesWeight: t.invalidMessageDeliveriesWeight,
    invalidMessageDeliveriesDecay: t.invalidMessageDeliveriesDecay,
  }
}

function meshDegree(rt: NodeRt): number {
  const ts = rt.group.topics
  let sum = 0
  for (const t of ts) sum += rt.ps.getMeshPeers(t).length
  return sum / ts.length
}

/** The mean score honest, running nodes give this node; null when none is connected to it. */
/** Per node: the mean score honest, running nodes connected to it give it; null when none is. */
function scoresSeen(nodes: readonly NodeRt[], index: Map<string, number>): (number | null)[] {
  const sum = new Float64Array(nodes.length)
  const cnt = new Uint32Array(nodes.length)
  for (const rt of nodes) {
    if (rt.stopped || rt.info.role === 'attacker') continue
    for (const p of rt.ps.getPeers()) {
      const id = p.toString()
      const j = index.get(id)
      if (j === undefined) continue
      sum[j] = sum[j]! + rt.ps.getScore(id)
      cnt[j] = cnt[j]! + 1
    }
  }
  return nodes.map((_, j) => (cnt[j] === 0 ? null : sum[j]! / cnt[j]!))
}

function takeSample(nodes: readonly NodeRt[], tMs: number, index: Map<string, number>, targets: number[]): Sample {
  let mSum = 0
  let mMin = Number.POSITIVE_INFINITY
  let mMax = 0
  let mN = 0
  let conn = 0
  const hs = { sum: 0, min: Number.POSITIVE_INFINITY, n: 0 }
  const as = { sum: 0, max: Number.NEGATIVE_INFINITY, n: 0, below: 0 }
  for (const rt of nodes) {
    if (rt.stopped || rt.info.role === 'attacker') continue
    const d = meshDegree(rt)
    mSum += d
    mMin = Math.min(mMin, d)
    mMax = Math.max(mMax, d)
    mN++
    conn += rt.host.getConnections().length
    for (const p of rt.ps.getPeers()) {
      const id = p.toString()
      const j = index.get(id)
      if (j === undefined) continue
      const s = rt.ps.getScore(id)
      if (nodes[j]!.info.role === 'attacker') {
        as.sum += s
        as.max = Math.max(as.max, s)
        as.n++
        if (s < rt.graylist) as.below++
      } else {
        hs.sum += s
        hs.min = Math.min(hs.min, s)
        hs.n++
      }
    }
  }
  const r2 = (x: number) => Math.round(x * 100) / 100
  const out: Sample = {
    tMs,
    mesh: { mean: r2(mN ? mSum / mN : 0), min: mN ? mMin : 0, max: mMax },
    connections: { mean: r2(mN ? conn / mN : 0) },
    scores: {
      honest: { mean: r2(hs.n ? hs.sum / hs.n : 0), min: r2(hs.n ? hs.min : 0), n: hs.n },
      attacker: { mean: r2(as.n ? as.sum / as.n : 0), max: r2(as.n ? as.max : 0), n: as.n, belowGraylist: as.below },
    },
  }
  if (targets.length > 0) {
    let mesh = 0
    let honestMesh = 0
    for (const t of targets) {
      const rt = nodes[t]!
      for (const topic of rt.group.topics) {
        for (const p of rt.ps.getMeshPeers(topic)) {
          mesh++
          const j = index.get(p)
          if (j !== undefined && nodes[j]!.info.role !== 'attacker') honestMesh++
        }
      }
    }
    out.targets = { mesh: r2(mesh / targets.length), honestMesh: r2(honestMesh / targets.length) }
  }
  return out
}
