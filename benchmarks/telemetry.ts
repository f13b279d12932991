// `npm run bench:telemetry`: what telemetry costs a 100-peer sim. Runs the sim for 60 s in a fresh child process
// per mode — off, recorder (transition records with no consumer: the base every telemetry mode pays), metrics
// (scraped every BENCH_SCRAPE_S seconds, 5 as prometheus/prometheus.yml does), traces at level 1 and 2
// (OTLP/HTTP to a local receiver), and metrics + traces level 1 — and prints CPU and peak RSS as ratios to off.
// Aim (issue 5): metrics + level 1 costs <= 10% CPU. Env: BENCH_PEERS (100), BENCH_SECONDS (60), BENCH_RUNS (1),
// BENCH_MODES (comma list), BENCH_SCRAPE_S (5).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { installPolyfills } from '../src/polyfill.js'
import { median } from '../src/quantile.js'
import { freePort, spanCounter as receiver } from './otlp-counter.js'
import { shapeBenchSim } from './sim-shape.js'

const MODES = ['off', 'recorder', 'metrics', 'trace1', 'trace2', 'metrics+trace1'] as const
type Mode = (typeof MODES)[number]

interface ChildResult {
  mode: Mode
  cpuS: number
  peakRssMB: number
  wallS: number
  transitions: number
  msgsRecv: number
  msgsMiss: number
  peers: number
  spansExported: number
  spansDropped: number
}

const PEERS = Number(process.env.BENCH_PEERS ?? 100)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60)
const RUNS = Number(process.env.BENCH_RUNS ?? 1)
const SCRAPE_S = Number(process.env.BENCH_SCRAPE_S ?? 5)

async function child(mode: Mode, metricsPort: number, otlp: string): Promise<void> {
  installPolyfills()
  const { loadSimConfig } = await import('../src/config/sim.js')
  const { runSim } = await import('../src/sim/run.js')
  const { createTraceSink } = await import('../src/telemetry/traces/otel.js')
  const config = shapeBenchSim(loadSimConfig({ env: {}, flags: {} }), PEERS, SECONDS * 1000)
  config.periods.RemovePeer = 0
  config.metricsInterval = 1000
  if (mode.includes('metrics')) {
    config.telemetry.metrics.enabled = true
    config.telemetry.metrics.listen = `127.0.0.1:${metricsPort}`
  }
  const level = mode.includes('trace2') ? 2 : mode.includes('trace1') ? 1 : 0
  const traces =
    level > 0 ? await createTraceSink({ exporter: 'otlp', endpoint: otlp, level: level as 1 | 2 }) : undefined
  // a sink that keeps nothing: the recorder runs (machines are inspected) with no telemetry consumer
  const discard = { name: 'discard', write: () => {}, dropped: () => 0, close: async () => {} }
  const summary = await runSim({
    config,
    out: () => {},
    quiet: true,
    ...(traces ? { traces } : {}),
    ...(mode === 'recorder' ? { sinks: [discard] } : {}),
  })
  const cpu = process.cpuUsage()
  const result: ChildResult = {
    mode,
    cpuS: (cpu.user + cpu.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    wallS: summary.elapsedMs / 1000,
    transitions: summary.transitions,
    msgsRecv: summary.stats.msgsRecv,
    msgsMiss: summary.stats.msgsMiss,
    peers: summary.stats.peers,
    spansExported: 0,
    spansDropped: summary.droppedSpans,
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}

function runChild(mode: Mode, otlp: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    void freePort().then((port) => {
      // scrape as the repository's Prometheus config does: the exposition cost lands in the child
      const scraper = mode.includes('metrics')
        ? setInterval(() => {
            fetch(`http://127.0.0.1:${port}/metrics`)
              .then((r) => r.text())
              .catch(() => {})
          }, SCRAPE_S * 1000)
        : undefined
      const self = fileURLToPath(import.meta.url)
      execFile(
        process.execPath,
        [self, '--child', mode, String(port), otlp],
        { maxBuffer: 1 << 20, timeout: (SECONDS + 180) * 1000 },
        (err, stdout, stderr) => {
          if (scraper) clearInterval(scraper)
          const line = stdout.trim().split('\n').pop() ?? ''
          try {
            resolve(JSON.parse(line) as ChildResult)
          } catch {
            reject(new Error(`${mode}: ${err?.message ?? 'no result'}\n${stderr.slice(-2000)}`))
          }
        },
      )
    })
  })
}

async function main(): Promise<void> {
  const modes = (process.env.BENCH_MODES?.split(',') as Mode[] | undefined) ?? [...MODES]
  if (!modes.includes('off')) modes.unshift('off')
  const rx = await receiver()
  const results = new Map<Mode, ChildResult[]>(modes.map((m) => [m, []]))
  process.stderr.write(
    `bench:telemetry: ${PEERS} peers, ${SECONDS} s, scrape every ${SCRAPE_S} s, ${RUNS} run(s) per mode: ` +
      `${modes.join(', ')}\n`,
  )
  for (let run = 0; run < RUNS; run++) {
    for (const mode of modes) {
      const before = rx.spans()
      const r = await runChild(mode, rx.url)
      r.spansExported = rx.spans() - before
      results.get(mode)!.push(r)
      process.stderr.write(`  run ${run + 1} ${mode}: ${JSON.stringify(r)}\n`)
    }
  }
  rx.close()
  const off = results.get('off')!
  const offCpu = median(off.map((r) => r.cpuS))
  const offRss = median(off.map((r) => r.peakRssMB))
  const rows = modes.map((mode) => {
    const rs = results.get(mode)!
    const cpu = median(rs.map((r) => r.cpuS))
    const rss = median(rs.map((r) => r.peakRssMB))
    return [
      mode,
      cpu.toFixed(1),
      (cpu / offCpu).toFixed(3),
      rss.toFixed(0),
      (rss / offRss).toFixed(3),
      String(median(rs.map((r) => r.transitions))),
      String(median(rs.map((r) => r.spansExported))),
      String(median(rs.map((r) => r.spansDropped))),
      `${median(rs.map((r) => r.msgsRecv))}/${median(rs.map((r) => r.msgsMiss))}`,
    ]
  })
  const head = ['mode', 'CPU s', 'CPU/off', 'peak RSS MB', 'RSS/off', 'transitions', 'spans', 'dropped', 'recv/miss']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const fmt = (r: string[]) => r.map((c, i) => c.padStart(widths[i]!)).join('  ')
  process.stdout.write(`${[fmt(head), ...rows.map(fmt)].join('\n')}\n`)
}

if (process.argv[2] === '--child') {
  void child(process.argv[3] as Mode, Number(process.argv[4]), process.argv[5] ?? '')
} else {
  void main().catch((err: unknown) => {
    process.stderr.write(`bench:telemetry: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
}
