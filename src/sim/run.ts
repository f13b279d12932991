// `runSim`: one simulator run with its telemetry — transition log, live debugger stream, metrics
// endpoint, traces — started before the network and flushed after it, on any kind of stop.
import { statSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { activeClock } from '../clock/virtual-install.js'
import type { ClockMode } from '../clock/virtual-mode.js'
import { seedRandom } from '../clock/virtual-random.js'
import { RealDate, realPerformanceNow } from '../clock/virtual-real.js'
import type { SimConfig } from '../config/sim.js'
import type { Host } from '../net/host.js'
import { loadNetworkModel } from '../net/model/load.js'
import type { NetworkModel } from '../net/model/model.js'
import { networkLogEntry } from '../net/model/provenance.js'
import { randomSeed } from '../rng.js'
import { createJsonlFileSink } from '../telemetry/log/file-sink.js'
import { createRunMetrics, type RunMetrics } from '../telemetry/metrics/metrics.js'
import type { GossipsubHostMetrics } from '../telemetry/metrics/metrics-gossipsub.js'
import { type MetricsServer, parseMetricsAddress, startMetricsServer } from '../telemetry/metrics/metrics-server.js'
import { Recorder } from '../telemetry/recorder.js'
import type { NetworkLogEntry, Sink } from '../telemetry/records.js'
import type { HostTracer, TraceReport, TraceSink } from '../telemetry/traces/otel.js'
import { peerGrowth } from './growth.js'
import { Simulator } from './runtime.js'
import { formatStatus, type SimStats } from './stats.js'

export interface RunSimOptions {
  config: SimConfig
  /** status blocks and notices */
  out: (text: string) => void
  /** resolves when the run must stop early (Ctrl-C) */
  stop?: Promise<unknown>
  /** extra sinks for the records (the live debugger stream) */
  sinks?: Sink[]
  /** optional trace sink: machine spans from the recorder, gossipsub spans per host */
  traces?: TraceSink
  quiet?: boolean
  /** called with the final stats while the metrics endpoint still serves them (tests, tools) */
  beforeClose?: (stats: SimStats, metricsUrl: string | null) => Promise<void>
}

export interface SimSummary {
  seed: number
  /** the clock of the run: elapsedMs and every record's time are on it; process.wallMs and cpuMs are real */
  clock: ClockMode
  elapsedMs: number
  stats: SimStats
  transitions: number
  logFile: string | null
  metricsUrl: string | null
  decisions: Simulator['decisions']
  droppedRecords: Record<string, number>
  droppedSpans: number
  traces: TraceReport | null
  interrupted: boolean
  /** the network model the run used (as in the log header); null: none */
  network: NetworkLogEntry | null
  /** what the run cost this process */
  process: { wallMs: number; cpuMs: number; cpuPercent: number; peakRssBytes: number; eventLoopDelayP99Ms: number }
}

export async function runSim(opts: RunSimOptions): Promise<SimSummary> {
  const { config, out } = opts
  const seed = config.seed ?? randomSeed()
  // on a virtual clock every random source of the process is seeded: restart its streams from this run's seed
  if (activeClock()) seedRandom(seed)
  // a bad model stops the run before anything starts (InputError: exit 2)
  const model = config.network === null ? undefined : loadNetworkModel(config.network, { seed })
  const network = config.network === null ? null : networkLogEntry(config.network, seed)
  const logFile = resolveLogPath(config.telemetry.log)
  const wantsRecords =
    Boolean(logFile) || (opts.sinks?.length ?? 0) > 0 || Boolean(opts.traces) || config.telemetry.metrics.enabled
  const recorder = wantsRecords ? new Recorder({ source: 'psm sim' }) : undefined
  if (recorder && network) recorder.setNetwork(network)
  if (recorder && logFile) recorder.addSink(createJsonlFileSink(logFile))
  for (const s of opts.sinks ?? []) recorder?.addSink(s)
  if (recorder && opts.traces) opts.traces.attach(recorder)

  let metrics: RunMetrics | undefined
  let server: MetricsServer | undefined
  if (config.telemetry.metrics.enabled) {
    metrics = createRunMetrics({ hostLabelLimit: config.telemetry.metrics.hostLabelLimit })
    if (recorder) metrics.attach(recorder)
    server = await startMetricsServer(
      metrics.registry,
      parseMetricsAddress(config.telemetry.metrics.listen, 'telemetry.metrics.listen'),
    )
  }

  const tracers = new Map<number, HostTracer>()
  const hostMetrics = new Map<number, GossipsubHostMetrics>()
  const traces = opts.traces
  const sim = new Simulator(config, seed, {
    ...(recorder ? { recorder } : {}),
    ...(model ? { hostNetwork: (n: number) => model.host(n) } : {}),
    ...(metrics || traces
      ? {
          gossipsubInit: (n: number) => {
            const m = metrics?.gossipsub.forHost(`ps-${n}`)
            if (m) hostMetrics.set(n, m)
            if (!traces)
              return m ? { metricsRegister: m.metricsRegister, metricsTopicStrToLabel: m.metricsTopicStrToLabel } : {}
            const tracer = traces.hostTracer({ host: `ps-${n}` })
            tracers.set(n, tracer)
            return { ...tracer.gossipsubOptions(m ?? null) }
          },
          onHost: (n: number, host: Host) =>
            tracers.get(n)?.observe(host.services.pubsub as never, host as never, host.peerId.toString()),
          onHostStopped: (n: number) => {
            tracers.get(n)?.end()
            tracers.delete(n)
            // a removed peer's gossipsub series leave the exposition
            hostMetrics.get(n)?.release()
            hostMetrics.delete(n)
          },
        }
      : {}),
    ...(metrics
      ? {
          onDelivery: (ms: number, topic: string) => metrics!.sim.deliveryLatency(ms / 1000, topic),
          onRefresh: (s: SimStats) => publishStats(metrics!, s, model),
          onVerified: (recv: number, miss: number) => {
            if (recv) metrics!.sim.msgsRecv(recv)
            if (miss) metrics!.sim.msgsMiss(miss)
          },
          onTopicRemoved: (topic: string) => metrics!.sim.topicRemoved(topic),
        }
      : {}),
    onNotice: (text) => {
      if (!opts.quiet) out(`notice: ${text}\n`)
    },
  })

  out(
    `psm sim: seed ${seed}, ${config.initial.peers} initial peers (max ${config.limits.maxPeers}; ` +
      `${peerGrowth(config, config.initial.peers)}), ` +
      `${config.duration ? `${config.duration / 1000}s` : 'until Ctrl-C'}` +
      `${logFile ? `, log ${logFile}` : ''}${server ? `, metrics ${server.url}` : ''}\n`,
  )
  const t0 = Date.now()
  const wall0 = realPerformanceNow()
  const cpu0 = process.cpuUsage()
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  let peakRss = process.memoryUsage.rss()
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss())
  }, 250)
  rssTimer.unref()
  let interrupted = false
  let printer: NodeJS.Timeout | undefined
  try {
    const started = sim.start()
    const first = await Promise.race([
      started.then(() => 'started' as const),
      (opts.stop ?? new Promise(() => {})).then(() => 'stop' as const),
    ])
    if (first === 'stop') interrupted = true
    else {
      if (config.printInterval > 0 && !opts.quiet) {
        printer = setInterval(() => {
          const now = sim.stats()
          out(formatStatus(now, Date.now() - t0, 'status', peerGrowth(config, now.peers)))
        }, config.printInterval)
      }
      const timers: Array<Promise<unknown>> = []
      if (config.duration > 0)
        timers.push(new Promise((r) => setTimeout(r, Math.max(0, config.duration - (Date.now() - t0)))))
      if (opts.stop) timers.push(opts.stop.then(() => (interrupted = true)))
      await Promise.race(timers.length ? timers : [new Promise(() => {})])
    }
  } finally {
    if (printer) clearInterval(printer)
  }
  loop.disable()
  clearInterval(rssTimer)
  const cpu = process.cpuUsage(cpu0)
  // CPU share of real time, whatever clock the run is on
  const runMs = Math.max(1, realPerformanceNow() - wall0)
  const cost = {
    wallMs: Math.round(runMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    cpuPercent: Number(((100 * (cpu.user + cpu.system)) / 1000 / runMs).toFixed(1)),
    peakRssBytes: Math.max(peakRss, process.memoryUsage.rss()),
    eventLoopDelayP99Ms: Number((loop.percentile(99) / 1e6).toFixed(2)),
  }
  const stats = await sim.stop()
  if (metrics) publishStats(metrics, stats, model)
  const elapsedMs = Date.now() - t0
  out(formatStatus(stats, elapsedMs, interrupted ? 'final (interrupted)' : 'final'))
  await opts.beforeClose?.(stats, server?.url ?? null)
  const transitions = recorder?.transitions() ?? 0
  const droppedRecords = recorder?.dropped() ?? {}
  await recorder?.close()
  for (const t of tracers.values()) t.end()
  const spans = (await opts.traces?.shutdown()) ?? null
  await server?.close()
  metrics?.close()
  return {
    seed,
    clock: config.clock,
    elapsedMs,
    stats,
    transitions,
    logFile: logFile ?? null,
    metricsUrl: server?.url ?? null,
    decisions: sim.decisions,
    droppedRecords,
    droppedSpans: spans?.dropped ?? 0,
    traces: spans,
    interrupted,
    network,
    process: cost,
  }
}

function publishStats(metrics: RunMetrics, s: SimStats, model: NetworkModel | undefined): void {
  for (const n of model?.hosts() ?? []) metrics.sim.net(`ps-${n}`, model!.stats(n))
  metrics.sim.set({
    peers: s.peers,
    topics: s.topics,
    connections: s.connections,
    streams: s.streams,
    friends: s.friendships,
    peersWithTopics: s.peersWithTopics,
  })
  for (const t of s.perTopic) metrics.sim.peersPerTopic(t.name, t.peers)
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** `dir/` (a trailing slash, or an existing folder) means a new timestamped file in dir: `dir/sim-2026-11-21T06-27-34.jsonl.gz` (real time, so that virtual runs do not share a name; `prefix` names other commands' logs). */
export function resolveLogPath(log: string | null, now: Date = new RealDate(), prefix = 'sim'): string | null {
  if (!log) return log
  const folder = /[\\/]$/.test(log) ? log : isDirectory(log) ? `${log}/` : undefined
  if (folder === undefined) return log
  const stamp = now.toISOString().slice(0, 19).replace(/:/g, '-')
  return `${folder}${prefix}-${stamp}.jsonl.gz`
}
