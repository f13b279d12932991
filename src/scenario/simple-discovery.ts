// The seed's TestSimpleDiscovery as a scripted run: H hosts join topic `foobar` through discovery (no
// manual dials), host 0 publishes a first message once the topic is ready and every other host must
// get it, then M messages from random hosts must each reach every subscriber. The script is the same
// for both implementations; only the pubsub factory differs.
//
// Hosts keep a bounded degree, like real nodes: discovery hands each host `findLimit` peers to dial
// and libp2p caps it at `maxConnections`, so start-up is O(n). "Ready" is then: every host joined the
// topic (knows a topic peer) and the topic's mesh connects every host (see mesh.ts) — not "host 0
// knows every other host", which bounded degree rules out.
import { performance } from 'node:perf_hooks'
import type { KadDHT } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { activeClock, activeClockMode } from '../clock/virtual-install.js'
import { hostKey } from '../clock/virtual-keys.js'
import type { ClockMode } from '../clock/virtual-mode.js'
import { seedRandom } from '../clock/virtual-random.js'
import type { NetworkSource } from '../config/network-flags.js'
import { DEFAULT_DHT_KNOBS, dhtService } from '../dht/node.js'
import { DhtDiscovery, isDhtServer } from '../discovery/dht.js'
import { InProcessRegistry } from '../discovery/registry.js'
import { TopicDiscovery } from '../discovery/topic-discovery.js'
import type { DiscoveryBackend } from '../discovery/types.js'
import { errorMessage } from '../errors.js'
import { DEFAULT_STOP_TIMEOUT_MS } from '../net/constants.js'
import { createHost, type Host, type HostOptions, type PubsubFactory } from '../net/host.js'
import { loadNetworkModel } from '../net/model/load.js'
import { networkLogEntry } from '../net/model/provenance.js'
import { stopHosts } from '../net/stop-hosts.js'
import { machinePubsub, pubsubHostOf } from '../pubsub/machine.js'
import { vanillaPubsub } from '../pubsub/vanilla.js'
import { createRng } from '../rng.js'
import type { Recorder } from '../telemetry/recorder.js'
import type { HostTracer, TraceSink } from '../telemetry/traces/otel.js'
import { latencySummary, ResourceMeter } from './measure.js'
import { waitForMesh } from './mesh.js'
import { type NetSummary, summarizeNet } from './net-summary.js'

export const SIMPLE_DISCOVERY = 'simple-discovery'
export const SCENARIO_TOPIC = 'foobar'
export const IMPLS = ['vanilla', 'machine', 'machine-full'] as const
export type Impl = (typeof IMPLS)[number]

export interface SimpleDiscoveryOptions {
  hosts: number
  msgs: number
  impl: Impl
  seed?: number
  /** the whole run's time limit (default 60 s) */
  timeoutMs?: number
  /** topic peers host 0 waits for before the first publish (default 1, like the others) */
  minPeers?: number
  /** peers discovery hands each host to dial per round (default 6; 0: all, every host dials every other) */
  findLimit?: number
  /** the discovery backend: the in-process registry (default) or the DHT (hosts on yamux with kad-dht) */
  discovery?: DiscoveryBackend
  /** libp2p connection limit of every host (default 50) */
  maxConnections?: number
  /** records every machine's transitions (absent: no inspection at all) */
  recorder?: Recorder
  /** host-level traces (one trace per message, gossipsub events per host) into this sink */
  traces?: TraceSink
  /** transport, encrypter, muxer, signing, heartbeat of every host */
  host?: Omit<HostOptions, 'pubsub' | 'network'>
  /** the network model between the hosts (a model file or a section); absent: in-process pipes */
  network?: NetworkSource
  /** machine impl: every pubsub host event takes the full xstate step even when not recording */
  fullStep?: boolean
  /** one line per phase */
  progress?: (line: string) => void
}

export interface ScenarioResult {
  scenario: string
  hosts: number
  msgs: number
  impl: Impl
  seed: number
  delivered: number
  expected: number
  /** messages that did not reach every subscriber, plus failed publishes */
  failures: number
  /** why the run failed, one line; null when everything was delivered */
  failure: string | null
  /** the clock the run was on: readyMs, publishMs and latencyMs are on it; wallMs and cpuMs are always real */
  clock: ClockMode
  /** simulated milliseconds from start to the last delivery (equal to wall time on the real clock) */
  simMs: number
  wallMs: number
  /** waiting for every host's topic to be ready (discovery, dials, subscriptions) */
  readyMs: number
  /** publishing and delivering every message */
  publishMs: number
  cpuMs: number
  peakRssBytes: number
  heapAllocatedBytes: number
  gcCollectedBytes: number
  gcCount: number
  gcPauseMs: number
  latencyMs: { p50: number; p99: number; max: number }
  /** transitions of the pubsub host machines (0 for vanilla) */
  transitions: number
  /** transitions of the discovery and bootstrap-flow machines (both implementations run them) */
  discoveryTransitions: number
  /** connections per host once the topic was ready */
  connections: { mean: number; max: number }
  /** stopping every host (parallel, bounded) */
  stopMs: number
  /** what the network model did; null without a model */
  net: NetSummary | null
}

/**
 * The run's time limit when none is given: 60 s, or 150 ms per host when that is more. On the real clock
 * start-up costs CPU per connection (about 85 s for 1,000 hosts on this 2-core box), so a fixed 60 s
 * failed every run past a few hundred hosts before it could say anything about the network.
 */
export function defaultTimeoutMs(hosts: number): number {
  return Math.max(60_000, hosts * 150)
}
const DEFAULT_SEED = 1

/** One message in flight: resolves when every other host got it. */
interface Pending {
  seq: number
  from: number
  sentAt: number
  got: number
  want: number
  done: () => void
}

export async function runSimpleDiscovery(opts: SimpleDiscoveryOptions): Promise<ScenarioResult> {
  const { hosts: n, msgs, impl } = opts
  const seed = opts.seed ?? DEFAULT_SEED
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs(n)
  const minPeers = opts.minPeers ?? 1
  const progress = opts.progress ?? (() => {})
  const rec = opts.recorder
  const rng = createRng(seed)
  // on a virtual clock every random source of the process is seeded: restart its streams from this run's seed
  if (activeClock()) seedRandom(seed)
  // a bad model stops the run before any host starts (InputError: exit 2)
  const model = opts.network === undefined ? undefined : loadNetworkModel(opts.network, { seed })
  if (model && rec) rec.setNetwork(networkLogEntry(opts.network!, seed))
  const meter = new ResourceMeter()
  const t0 = performance.now()
  const deadline = t0 + timeoutMs
  const expected = (n - 1) * (msgs + 1)

  const factory = (i: number): PubsubFactory =>
    impl === 'machine' || impl === 'machine-full'
      ? (init, network) =>
          machinePubsub({
            ...init,
            ...(network ? { network } : {}),
            id: `ps-${i}`,
            parent: null,
            // machine-full: every event through xstate's step, even when nothing records it
            fastPath: impl === 'machine' && opts.fullStep !== true,
            ...(rec ? { recorder: rec } : {}),
          })
      : vanillaPubsub
  const registry = new InProcessRegistry({ random: () => rng.next() })
  const hosts: Host[] = []
  const tracers: HostTracer[] = []
  const discs: TopicDiscovery[] = []
  const latencies: number[] = []
  let delivered = 0
  let failures = 0
  let failure: string | null = null
  let readyMs = 0
  let publishMs = 0
  let connections = { mean: 0, max: 0 }
  let pending: Pending | undefined
  const dec = new TextDecoder()
  const enc = new TextEncoder()

  try {
    const hostOpts = {
      ...opts.host,
      ...(opts.maxConnections !== undefined ? { maxConnections: opts.maxConnections } : {}),
    }
    const dht = opts.discovery === 'dht'
    for (let i = 0; i < n; i++) {
      const tracer = opts.traces?.hostTracer({ host: `ps-${i}` })
      const base = factory(i)
      const host = await createHost({
        ...hostOpts,
        // kad-dht opens a stream per request; mplex closes connections that open over 5 a second
        ...(dht
          ? {
              muxer: 'yamux' as const,
              services: { ping: ping(), dht: dhtService(DEFAULT_DHT_KNOBS, isDhtServer(i, 2)) } as never,
            }
          : {}),
        pubsub: tracer ? (init) => base({ ...init, ...tracer.gossipsubOptions(null) }) : base,
        privateKey: await hostKey(seed, i),
        ...(model ? { network: model.host(i) } : {}),
      })
      if (tracer) {
        tracer.observe(host.services.pubsub as never, host as never, host.peerId.toString())
        tracers.push(tracer)
      }
      hosts.push(host)
    }
    hosts.forEach((h, i) => {
      h.services.pubsub.addEventListener('message', (e) => {
        if (e.detail.topic !== SCENARIO_TOPIC) return
        // payload: "<seq>" — the sender and send time are in the pending record
        const seq = Number(dec.decode(e.detail.data))
        const p = pending
        if (!p || p.seq !== seq || p.from === i) return
        latencies.push(performance.now() - p.sentAt)
        delivered++
        if (++p.got === p.want) p.done()
      })
      const disc = new TopicDiscovery(h, {
        discovery: dht
          ? new DhtDiscovery((h.services as unknown as { dht: KadDHT }).dht, h.peerId)
          : registry.forHost(h),
        id: `ps-${i}-disc`,
        parent: `ps-${i}`,
        ...(opts.findLimit !== undefined ? { findLimit: opts.findLimit } : {}),
        ...(opts.maxConnections !== undefined ? { maxConnections: opts.maxConnections } : {}),
        ...(rec ? { recorder: rec } : {}),
      })
      discs.push(disc)
    })
    progress(
      `${n} hosts started; joining '${SCENARIO_TOPIC}' through discovery (host 0 waits for ${minPeers} topic peers, then the mesh must connect every host)`,
    )

    const tReady = performance.now()
    // the DHT needs a way in: every host dials a DHT server that started before it (host 0 is one)
    if (dht)
      await Promise.allSettled(hosts.slice(1).map((h, j) => h.dial(hosts[2 * Math.floor(j / 2)]!.getMultiaddrs())))
    for (const d of discs) d.start()
    await Promise.all(
      discs.map((d, i) =>
        d.joinTopic(SCENARIO_TOPIC, {
          minPeers: i === 0 ? minPeers : Math.min(1, minPeers),
          timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
        }),
      ),
    )
    progress(`every host joined in ${Math.round(performance.now() - tReady)} ms; waiting for the mesh`)
    await waitForMesh(hosts, SCENARIO_TOPIC, deadline, () => performance.now())
    readyMs = performance.now() - tReady
    connections = connectionStats(hosts)
    progress(
      `topic ready on every host in ${Math.round(readyMs)} ms (connections per host: mean ${connections.mean}, max ${connections.max}); publishing ${msgs + 1} messages`,
    )

    const tPub = performance.now()
    for (let seq = 0; seq <= msgs; seq++) {
      const from = seq === 0 ? 0 : rng.int(n)
      const reached = await deliver(seq, from)
      if (!reached) break
    }
    publishMs = performance.now() - tPub
  } catch (err) {
    const why = errorMessage(err).split('\n')[0] ?? 'error'
    // a wait cut short by the run's own limit says so: the limit, not the network, may be what to change
    failure ??= performance.now() >= deadline ? `time limit of ${timeoutMs} ms ran out (--timeout): ${why}` : why
  } finally {
    pending = undefined
  }

  async function deliver(seq: number, from: number): Promise<boolean> {
    const host = hosts[from]!
    let timer: ReturnType<typeof setTimeout> | undefined
    const p: Pending = { seq, from, sentAt: performance.now(), got: 0, want: n - 1, done: () => {} }
    const all = new Promise<boolean>((resolve) => {
      p.done = () => resolve(true)
      timer = setTimeout(() => resolve(false), Math.max(1, deadline - performance.now()))
    })
    pending = p
    try {
      await host.services.pubsub.publish(SCENARIO_TOPIC, enc.encode(String(seq)))
    } catch (err) {
      clearTimeout(timer)
      failures++
      failure = `message ${seq} from host ${from}: ${errorMessage(err)}`
      return false
    }
    const ok = await all
    clearTimeout(timer)
    if (!ok) {
      failures++
      failure = `message ${seq} from host ${from} reached ${p.got} of ${p.want} hosts within the ${timeoutMs} ms limit`
    }
    return ok
  }

  const simMs = Math.round(performance.now() - t0)
  const figures = meter.stop()
  let transitions = 0
  for (const h of hosts) transitions += pubsubHostOf(h.services.pubsub)?.events() ?? 0
  const discoveryTransitions = discs.reduce((s, d) => s + d.transitions(), 0)
  for (const d of discs) d.stop()
  for (const t of tracers) t.end()
  const stop = await stopHosts(hosts, DEFAULT_STOP_TIMEOUT_MS)
  if (stop.unfinished > 0) progress(`${stop.unfinished} of ${n} hosts had not stopped after ${stop.ms} ms`)
  if (failure === null && delivered < expected) failure = `${expected - delivered} of ${expected} deliveries missing`
  const res: ScenarioResult = {
    scenario: SIMPLE_DISCOVERY,
    hosts: n,
    msgs,
    impl,
    seed,
    delivered,
    expected,
    failures: failures + (failure !== null && failures === 0 ? 1 : 0),
    failure,
    clock: activeClockMode(),
    simMs,
    ...figures,
    readyMs: Math.round(readyMs),
    publishMs: Math.round(publishMs),
    latencyMs: latencySummary(latencies),
    transitions,
    discoveryTransitions,
    connections,
    stopMs: stop.ms,
    net: model ? summarizeNet(model, n) : null,
  }
  progress(
    failure === null
      ? `delivered ${delivered}/${expected} in ${res.wallMs} ms`
      : `FAILED: ${failure} (delivered ${delivered}/${expected})`,
  )
  return res
}

function connectionStats(hosts: readonly Host[]): { mean: number; max: number } {
  let sum = 0
  let max = 0
  for (const h of hosts) {
    const c = h.getConnections().length
    sum += c
    max = Math.max(max, c)
  }
  return { mean: hosts.length === 0 ? 0 : Math.round((sum / hosts.length) * 10) / 10, max }
}
