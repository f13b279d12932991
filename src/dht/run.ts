// `psm dht run`: parsec's schedule over N nodes. Each round one node (drawn by the seed) provides a
// fresh random CID, then M other nodes look it up at once; every operation is one row. After each
// round results.json is rewritten (atomically), so a crash leaves the rounds done so far; report.md
// is written at the end, and on Ctrl-C / SIGTERM after the round in flight.
import { randomUUID } from 'node:crypto'
import { activeClock, activeClockMode } from '../clock/virtual-install.js'
import { seedRandom } from '../clock/virtual-random.js'
import { RealDate, realPerformanceNow } from '../clock/virtual-real.js'
import { createRng, randomSeed } from '../rng.js'
import type { Recorder } from '../telemetry/recorder.js'
import { type DhtConfig, dhtNetworkSpec } from './config.js'
import type { DhtMetrics } from './metrics.js'
import { type DhtDriver, type InitFigures, LocalDhtNetwork } from './network.js'
import type { Operation } from './ops.js'
import { buildResults, type DhtResults, initialised, writeReport, writeResultsJson } from './report.js'

export interface DhtRunOptions {
  config: DhtConfig
  out: string
  runId?: string
  metrics?: DhtMetrics
  /** resolves when the run must stop early (a signal) */
  stopRequested?: () => boolean
  progress?: (line: string, final: boolean) => void
  /** impl machine: where the discovery machines' transitions go */
  recorder?: Recorder
  /** a driver instead of nodes in this process (--procs) */
  driver?: (seed: number) => Promise<DhtDriver>
}

export interface DhtRunOutcome {
  results: DhtResults
  reportPath: string
  resultsPath: string
}

export async function runDht(opts: DhtRunOptions): Promise<DhtRunOutcome> {
  const c = opts.config
  const seed = c.seed ?? randomSeed()
  if (activeClock()) seedRandom(seed)
  const rng = createRng(seed)
  const runId = opts.runId ?? randomUUID()
  const startedAt = new RealDate(RealDate.now()).toISOString()
  const wall0 = realPerformanceNow()
  const say = (line: string, final = false) => opts.progress?.(line, final)

  let driver: DhtDriver
  let init: InitFigures | null = null
  if (opts.driver) {
    const d = await opts.driver(seed)
    driver = d
    init = (d as { init?: InitFigures }).init ?? null
  } else {
    const net = new LocalDhtNetwork({
      nodes: c.nodes,
      k: c.k,
      alpha: c.alpha,
      disjointPaths: c.disjointPaths ?? undefined,
      bootstrapPeers: c.bootstrapPeers,
      initConcurrency: c.initConcurrency,
      opTimeoutMs: c.opTimeout,
      maxConnections: c.maxConnections,
      spec: dhtNetworkSpec(c),
      seed,
      rng: createRng(seed ^ 0x9e3779b9),
      ...(opts.stopRequested ? { stopRequested: opts.stopRequested } : {}),
      impl: c.impl,
      recorder: opts.recorder,
      onProgress: (phase, done, total) => {
        if (done === total || done % Math.max(1, Math.floor(total / 10)) === 0)
          say(`dht: init ${phase} ${done}/${total} · ${((realPerformanceNow() - wall0) / 1000).toFixed(1)} s wall`)
      },
    })
    driver = net
    init = await net.start()
    say(
      `dht: ${initialised(c.nodes, init.joined)} in ${Math.round(init.initMs)} ms (${(init.initWallMs / 1000).toFixed(1)} s wall)`,
    )
  }

  const operations: Operation[] = []
  let roundsDone = 0
  const results = () =>
    buildResults({
      runId,
      startedAt,
      interrupted: roundsDone < c.rounds,
      clock: activeClockMode(),
      seed,
      config: c,
      init,
      roundsDone,
      operations,
    })
  let resultsPath = writeResultsJson(opts.out, results())
  try {
    for (let round = 0; round < c.rounds; round++) {
      if (opts.stopRequested?.()) break
      const publisher = rng.int(driver.size)
      const p = await driver.provide(publisher, round)
      operations.push(p)
      opts.metrics?.observe(p)
      const others = new Set<number>()
      while (others.size < Math.min(c.retrievers, driver.size - 1)) {
        const j = rng.int(driver.size)
        if (j !== publisher) others.add(j)
      }
      const got = await Promise.all([...others].map((j) => driver.retrieve(j, round, p.cid, publisher)))
      for (const r of got) {
        operations.push(r)
        opts.metrics?.observe(r)
      }
      roundsDone = round + 1
      resultsPath = writeResultsJson(opts.out, results())
      const ok = operations.filter((o) => o.kind === 'retrieve' && o.success).length
      const all = operations.filter((o) => o.kind === 'retrieve').length
      const okP = operations.filter((o) => o.kind === 'provide' && o.success).length
      const wall = ((realPerformanceNow() - wall0) / 1000).toFixed(1)
      say(
        `dht: round ${roundsDone}/${c.rounds} · provides ok ${okP}/${roundsDone} · retrievals ok ${ok}/${all} · ${wall} s wall`,
      )
    }
  } finally {
    await driver.stop()
  }
  const final = results()
  resultsPath = writeResultsJson(opts.out, final)
  const reportPath = await writeReport(opts.out, final)
  say(`dht: wrote ${reportPath} and ${resultsPath}`, true)
  return { results: final, reportPath, resultsPath }
}
