// The body of `psm dht run` behind the flag parsing: metrics server, the run, the results database,
// the summary printed at the end.
import { join } from 'node:path'
import { RealDate, realMathRandom } from '../clock/virtual-real.js'
import { parseHostPort } from '../config/host-port.js'
import { errorMessage } from '../errors.js'
import { randomSeed } from '../rng.js'
import { resolveLogPath } from '../sim/run.js'
import { createJsonlFileSink } from '../telemetry/log/file-sink.js'
import { startMetricsServer } from '../telemetry/metrics/metrics-server.js'
import { Recorder } from '../telemetry/recorder.js'
import { type DhtConfig, dhtNetworkEntry } from './config.js'
import { DEFAULT_DB, openResultsDb, type ResultsDb } from './db.js'
import { createDhtMetrics } from './metrics.js'
import { runDht } from './run.js'

export interface DhtCommandOptions {
  config: DhtConfig
  out?: string | undefined
  /** .sqlite paths and postgres://… URLs (each gets the rows), or ['none'] */
  db?: readonly string[] | undefined
  quiet: boolean
  json?: boolean
  stopRequested: () => boolean
}

export async function runDhtCommand(opts: DhtCommandOptions): Promise<{ text: string; exitCode: number }> {
  // the seed is fixed here, so that the log header names the one the run uses
  const c: DhtConfig = { ...opts.config, seed: opts.config.seed ?? randomSeed() }
  const runId = newRunId()
  const out = opts.out ?? join('data', 'dht', runId)
  const targets = (opts.db ?? [DEFAULT_DB]).filter((t) => t !== 'none')
  // open the databases first: a bad --db stops the command before any node starts
  const dbs: ResultsDb[] = []
  try {
    for (const t of targets) dbs.push(await openResultsDb(t))
  } catch (err) {
    for (const d of dbs) await d.close()
    throw err
  }
  // impl machine: the discovery machines' transitions, to the log file when there is one
  const logFile = resolveLogPath(c.log, undefined, 'dht')
  const recorder = c.impl === 'machine' && logFile !== null ? new Recorder({ source: 'psm dht run' }) : undefined
  if (recorder && logFile) {
    const network = dhtNetworkEntry(c)
    if (network) recorder.setNetwork(network)
    recorder.addSink(createJsonlFileSink(logFile))
  }
  const metrics = c.metrics !== null ? createDhtMetrics() : undefined
  const server =
    metrics && c.metrics !== null ? await startMetricsServer(metrics.registry, parseHostPort(c.metrics)!) : undefined
  const isTTY = process.stderr.isTTY === true
  const progress = (line: string, final: boolean) => {
    if (opts.quiet) return
    if (isTTY && !final) process.stderr.write(`\r\x1b[K${line}`)
    else process.stderr.write(`${isTTY ? '\r\x1b[K' : ''}${line}\n`)
  }
  if (server && !opts.quiet) process.stderr.write(`dht: metrics at ${server.url}\n`)
  let driver: Parameters<typeof runDht>[0]['driver']
  if (c.procs > 0) {
    const { ServeFleet } = await import('./fleet.js')
    driver = (seed) => ServeFleet.start({ config: c, seed, progress: (line) => progress(line, false) })
  }
  try {
    const outcome = await runDht({
      config: c,
      out,
      runId,
      ...(metrics ? { metrics } : {}),
      stopRequested: opts.stopRequested,
      progress,
      ...(driver ? { driver } : {}),
      ...(recorder ? { recorder } : {}),
    })
    const transitions = recorder?.transitions() ?? 0
    await recorder?.close()
    const dbLines = dbs.length === 0 ? ['results database: none'] : []
    let exitCode = 0
    for (const db of dbs) {
      try {
        await db.append(outcome.results)
        dbLines.push(`results database: ${outcome.results.operations.length} rows appended to ${db.where}`)
      } catch (err) {
        exitCode = 1
        dbLines.push(`results database: writing to ${db.where} failed: ${errorMessage(err)}`)
      }
    }
    const s = outcome.results.summary
    const f = (x: number | null) => (x === null ? '–' : x.toFixed(1))
    const summary = {
      runId,
      out,
      seed: outcome.results.seed,
      clock: outcome.results.clock,
      nodes: c.nodes,
      roundsDone: outcome.results.roundsDone,
      init: outcome.results.init,
      provide: s.provide,
      retrieve: s.retrieve,
      db: dbs.map((d) => d.where),
      impl: c.impl,
      log: logFile,
    }
    const text = opts.json
      ? `${JSON.stringify(summary)}\n`
      : [
          `run ${runId} · ${c.nodes} nodes · ${outcome.results.roundsDone} rounds · seed ${outcome.results.seed} · clock ${outcome.results.clock}`,
          ...(outcome.results.init
            ? [
                `init: ${outcome.results.init.initMs.toFixed(0)} ms (${(outcome.results.init.initWallMs / 1000).toFixed(1)} s wall)`,
              ]
            : []),
          `provide:  ${s.provide.successes}/${s.provide.count} ok · p50 ${f(s.provide.p50)} · p90 ${f(s.provide.p90)} · p99 ${f(s.provide.p99)} ms`,
          `retrieve: ${s.retrieve.successes}/${s.retrieve.count} ok · p50 ${f(s.retrieve.p50)} · p90 ${f(s.retrieve.p90)} · p99 ${f(s.retrieve.p99)} ms`,
          `report: ${outcome.reportPath}`,
          ...(logFile
            ? [`transition log: ${logFile} (${transitions} transitions) — open it with: npx psm dbg ${logFile}`]
            : []),
          ...dbLines,
          '',
        ].join('\n')
    return { text, exitCode }
  } finally {
    await recorder?.close()
    await server?.close()
    for (const d of dbs) await d.close()
  }
}

/**
 * A run id from the real clock and the real Math.random: on a virtual clock every random source is seeded,
 * so a seeded UUID would repeat across runs and collide in the results database.
 */
export function newRunId(): string {
  const stamp = new RealDate(RealDate.now())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  const tail = Array.from({ length: 8 }, () => Math.floor(realMathRandom() * 16).toString(16)).join('')
  return `${stamp}-${tail}`
}
