// `npm run bench:soak`: a long sim at 100 peers with metrics (scraped every 5 s, as prometheus.yml does) and
// traces on (level 1, OTLP/HTTP to a local receiver that counts spans), in a child process that samples its
// own RSS, heap used and event-loop delay (p50/p99 of each 10 s interval) every 10 s. After a warm-up, the
// last window is compared with the first (RSS and event-loop delay by their medians, heap by its floor and
// by the heap V8 leaves after its major GCs, the live heap, over 5-minute windows):
// growth must stay ≤ 10% (aim of issue 16), or the run is reported as growing (exit 1). Peers churn
// (RemovePeer, then AddPeer refills to the limit), so a leak per peer or per topic shows.
// Env: BENCH_SOAK_DURATION (30m), BENCH_SOAK_WARMUP (5m, or a fifth of a shorter run), BENCH_SOAK_WINDOW
// (1m), BENCH_SOAK_PEERS (100), BENCH_SOAK_OUT (bench-out/soak-<time>.json).
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname } from 'node:path'
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { formatMs, parseDuration } from '../src/config/duration.js'
import { installPolyfills } from '../src/polyfill.js'
import { median } from '../src/quantile.js'
import { freePort, spanCounter as receiver } from './otlp-counter.js'
import { shapeBenchSim } from './sim-shape.js'

const SAMPLE_MS = 10_000
const AIM = 1.1

interface Sample {
  /** seconds since the run started */
  t: number
  rssMiB: number
  heapUsedMiB: number
  /** heap used read right after the interval's major GCs (their lowest): the live heap; absent without one */
  heapAfterGcMiB?: number
  eventLoopP50Ms: number
  eventLoopP99Ms: number
  peers: number
  load1: number
}

interface ChildSummary {
  elapsedMs: number
  transitions: number
  msgsSent: number
  msgsRecv: number
  msgsMiss: number
  peers: number
  droppedSpans: number
  droppedRecords: Record<string, number>
}

function durationEnv(name: string, fallback: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const ms = parseDuration(text)
  if (ms === undefined || ms <= 0) throw new Error(`${name}: '${text}' is not a duration (e.g. 5m, 30m)`)
  return ms
}

const DURATION_MS = durationEnv('BENCH_SOAK_DURATION', 30 * 60_000)
const WARMUP_MS = durationEnv('BENCH_SOAK_WARMUP', Math.min(5 * 60_000, Math.round(DURATION_MS / 5)))
const WINDOW_MS = durationEnv('BENCH_SOAK_WINDOW', 60_000)
const PEERS = Number(process.env.BENCH_SOAK_PEERS ?? 100)

async function child(metricsPort: number, otlp: string): Promise<void> {
  installPolyfills()
  const { loadSimConfig } = await import('../src/config/sim.js')
  const { runSim } = await import('../src/sim/run.js')
  const { createTraceSink } = await import('../src/telemetry/traces/otel.js')
  const config = shapeBenchSim(loadSimConfig({ env: {}, flags: {} }), PEERS, DURATION_MS)
  config.telemetry.metrics.enabled = true
  config.telemetry.metrics.listen = `127.0.0.1:${metricsPort}`
  const traces = await createTraceSink({ exporter: 'otlp', endpoint: otlp, level: 1 })
  const t0 = Date.now()
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  // the live heap, without forcing a GC (a forced one would land in the event-loop delay): heap used as soon
  // as V8 reports a major (mark-sweep-compact) GC done
  let afterGc: number | undefined
  const gcs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue
      const used = process.memoryUsage().heapUsed / 2 ** 20
      afterGc = afterGc === undefined ? used : Math.min(afterGc, used)
    }
  })
  gcs.observe({ entryTypes: ['gc'] })
  const sampler = setInterval(() => {
    const mem = process.memoryUsage()
    const sample: Sample = {
      t: Math.round((Date.now() - t0) / 1000),
      rssMiB: mem.rss / 2 ** 20,
      heapUsedMiB: mem.heapUsed / 2 ** 20,
      ...(afterGc !== undefined ? { heapAfterGcMiB: afterGc } : {}),
      eventLoopP50Ms: loop.percentile(50) / 1e6,
      eventLoopP99Ms: loop.percentile(99) / 1e6,
      peers: 0, // the parent fills it in from its last scrape of sim_peers
      load1: loadavg()[0]!,
    }
    loop.reset()
    afterGc = undefined
    process.stdout.write(`${JSON.stringify({ sample })}\n`)
  }, SAMPLE_MS)
  const summary = await runSim({
    config,
    out: () => {},
    quiet: true,
    traces,
  })
  clearInterval(sampler)
  gcs.disconnect()
  const result: ChildSummary = {
    elapsedMs: summary.elapsedMs,
    transitions: summary.transitions,
    msgsSent: summary.stats.msgsSent,
    msgsRecv: summary.stats.msgsRecv,
    msgsMiss: summary.stats.msgsMiss,
    peers: summary.stats.peers,
    droppedSpans: summary.droppedSpans,
    droppedRecords: summary.droppedRecords,
  }
  process.stdout.write(`${JSON.stringify({ summary: result })}\n`)
  process.exit(0)
}

interface Growth {
  metric: string
  early: number
  late: number
  ratio: number
  within: boolean
}

/** The first window after warm-up against the last window, each summarised by `of` (median, or min). */
function growth(
  samples: Sample[],
  metric: keyof Sample,
  label: string,
  of: (xs: number[]) => number = median,
  windowMs = WINDOW_MS,
): Growth | undefined {
  const after = samples.filter((s) => s.t * 1000 > WARMUP_MS)
  const windowSamples = Math.max(1, Math.min(Math.round(windowMs / SAMPLE_MS), Math.floor(after.length / 3)))
  if (after.length < 2 * windowSamples) return undefined
  const values = (xs: Sample[]) => xs.map((s) => s[metric]).filter((v): v is number => typeof v === 'number')
  const first = values(after.slice(0, windowSamples))
  const last = values(after.slice(-windowSamples))
  if (first.length === 0 || last.length === 0) return undefined
  const early = of(first)
  const late = of(last)
  const ratio = late / early
  return { metric: label, early, late, ratio, within: ratio <= AIM }
}

async function main(): Promise<void> {
  const rx = await receiver()
  const port = await freePort()
  const started = new Date()
  process.stderr.write(
    `bench:soak: ${PEERS} peers for ${formatMs(DURATION_MS)} (warm-up ${formatMs(WARMUP_MS)}, windows of ` +
      `${formatMs(WINDOW_MS)}), metrics scraped every 5 s, traces level 1; a sample every 10 s\n`,
  )
  // scrape as the repository's Prometheus config does: the exposition cost lands in the child
  let peers = 0
  const scraper = setInterval(() => {
    fetch(`http://127.0.0.1:${port}/metrics`)
      .then((r) => r.text())
      .then((text) => {
        const m = /^sim_peers(?:\{[^}]*\})? (\d+)/m.exec(text)
        if (m) peers = Number(m[1])
      })
      .catch(() => {})
  }, 5000)
  const samples: Sample[] = []
  let summary: ChildSummary | undefined
  await new Promise<void>((resolve, reject) => {
    const self = fileURLToPath(import.meta.url)
    const c = execFile(
      process.execPath,
      [self, '--child', String(port), rx.url],
      { maxBuffer: 64 << 20, timeout: DURATION_MS + 180_000 },
      (err) => (err && !summary ? reject(err) : resolve()),
    )
    let buffered = ''
    c.stdout!.on('data', (d: string) => {
      buffered += d
      let nl = buffered.indexOf('\n')
      while (nl >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        nl = buffered.indexOf('\n')
        let msg: { sample?: Sample; summary?: ChildSummary }
        try {
          msg = JSON.parse(line) as typeof msg
        } catch {
          continue
        }
        if (msg.sample) {
          const s = { ...msg.sample, peers }
          samples.push(s)
          process.stderr.write(
            `  ${String(s.t).padStart(5)}s  rss ${s.rssMiB.toFixed(0)} MiB  heap ${s.heapUsedMiB.toFixed(0)} MiB${s.heapAfterGcMiB !== undefined ? ` (after GC ${s.heapAfterGcMiB.toFixed(0)})` : ''}  ` +
              `loop p50 ${s.eventLoopP50Ms.toFixed(1)} ms p99 ${s.eventLoopP99Ms.toFixed(1)} ms  peers ${s.peers}  ` +
              `load ${s.load1.toFixed(1)}\n`,
          )
        }
        if (msg.summary) summary = msg.summary
      }
    })
    c.stderr!.on('data', (d: string) => process.stderr.write(d))
  })
  clearInterval(scraper)
  rx.close()
  if (!summary) throw new Error('the sim child ended without a summary')
  const growths = [
    growth(samples, 'rssMiB', 'RSS, window median (MiB)'),
    // heap used is a GC sawtooth (±50% within a minute): its floor, the lowest sample of a window, is the
    // live heap a leak would raise
    growth(samples, 'heapUsedMiB', 'heap used, window floor (MiB)', (xs) => Math.min(...xs)),
    // the floor above samples a sawtooth every 10 s and can miss its low point; this one is read after
    // V8's own major GCs: what a leak would raise. Major GCs come every minute or two, so its windows are
    // 5 minutes (at most a third of the run after warm-up)
    growth(samples, 'heapAfterGcMiB', 'heap after major GC, 5-min window min (MiB)', (xs) => Math.min(...xs), 300_000),
    growth(samples, 'eventLoopP99Ms', 'event-loop delay p99, window median (ms)'),
  ].filter((g): g is Growth => g !== undefined)
  const shortened = DURATION_MS < 30 * 60_000 ? ` (shortened from 30m with BENCH_SOAK_DURATION)` : ''
  const lines = [
    `soak: ${PEERS} peers, ${formatMs(DURATION_MS)}${shortened}, warm-up ${formatMs(WARMUP_MS)}, ` +
      `${samples.length} samples; aim: growth after warm-up ≤ ${Math.round((AIM - 1) * 100)}%`,
    `sim: ${summary.transitions} transitions, ${summary.msgsSent} msgs sent, ${summary.msgsRecv} received, ` +
      `${summary.msgsMiss} missed, ${summary.peers} peers at the end; ${rx.spans()} spans received, ` +
      `${summary.droppedSpans} dropped`,
    `load average (1 min) during the run: median ${median(samples.map((s) => s.load1)).toFixed(1)}, ` +
      `max ${Math.max(...samples.map((s) => s.load1)).toFixed(1)}`,
    '',
    '| metric | first window after warm-up | last window | late/early | ≤ 1.10 |',
    '| --- | --- | --- | --- | --- |',
    ...growths.map(
      (g) =>
        `| ${g.metric} | ${g.early.toFixed(1)} | ${g.late.toFixed(1)} | ${g.ratio.toFixed(3)} | ${g.within ? 'yes' : 'NO'} |`,
    ),
  ]
  if (growths.length === 0) lines.push('(the run is too short for two windows after the warm-up: no growth figure)')
  process.stdout.write(`${lines.join('\n')}\n`)
  const out =
    process.env.BENCH_SOAK_OUT ?? `bench-out/soak-${started.toISOString().slice(0, 19).replace(/:/g, '-')}.json`
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(
    out,
    `${JSON.stringify({ peers: PEERS, durationMs: DURATION_MS, warmupMs: WARMUP_MS, windowMs: WINDOW_MS, summary, spans: rx.spans(), growths, samples }, null, 2)}\n`,
  )
  process.stderr.write(`bench:soak: samples in ${out}\n`)
  process.exitCode = growths.every((g) => g.within) ? 0 : 1
}

if (process.argv[2] === '--child') {
  void child(Number(process.argv[3]), process.argv[4] ?? '')
} else {
  void main().catch((err: unknown) => {
    process.stderr.write(`bench:soak: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
}
