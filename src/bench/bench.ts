// `psm bench` as a library call: plan the matrix, run every scenario in its own child process, save
// results.json after each run (a hard kill still leaves what finished), then write the report.
// An aborted signal (Ctrl-C) stops after the current run is killed and writes a partial report.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { BenchConfig } from '../config/bench.js'
import type { NetworkSource } from '../config/network-flags.js'
import { sectionToYaml } from '../config/network-yaml.js'
import type { HostOptions } from '../config/sim.js'
import { stackVersions } from '../version.js'
import { renderCharts } from './charts.js'
import { psmBinPath, type RunSpec, runChild, type SpawnFn } from './child.js'
import { currentLoad, machineInfo } from './machine-info.js'
import { METRICS } from './metrics.js'
import { cpuPin } from './pin.js'
import { type ProgressSink, progressPrinter } from './progress.js'
import { renderReport } from './report.js'
import type { ResultsFile, RunRecord } from './results.js'
import { planRuns, runPlan } from './runner.js'

export interface BenchOptions {
  config: BenchConfig
  /** report directory; default config.out, else bench-out/<timestamp> */
  out?: string | undefined
  quiet?: boolean
  /** where progress goes (stderr) */
  progress?: ProgressSink
  signal?: AbortSignal
  /** the command line, for the report */
  command?: string
  /** replaces the child process per run (tests) */
  runOne?: (spec: RunSpec) => Promise<RunRecord>
  spawn?: SpawnFn
  binPath?: string
}

export interface BenchOutcome {
  dir: string
  results: ResultsFile
  /** failed runs, warm-up included */
  failures: number
  complete: boolean
}

export function defaultOutDir(date = new Date()): string {
  return join(
    'bench-out',
    date
      .toISOString()
      .replace(/:/g, '-')
      .replace(/\.\d+Z$/, 'Z'),
  )
}

/** Host options as scenario flags. */
export function hostArgs(host: HostOptions): string[] {
  return [
    '--transport',
    host.transport,
    '--encrypter',
    host.encrypter,
    '--muxer',
    host.muxer,
    '--signing',
    host.signing,
  ]
}

/**
 * The network model as scenario flags: a file as it is; a model inline written to `<dir>/network.yml`
 * once, so each child reads the same model.
 */
export function networkArgs(network: NetworkSource | null, dir: string): string[] {
  if (network === null) return []
  if (typeof network === 'string') return ['--network', network]
  const file = join(dir, 'network.yml')
  writeFileSync(file, sectionToYaml(network))
  return ['--network', file]
}

export async function runBench(opts: BenchOptions): Promise<BenchOutcome> {
  const { config } = opts
  const dir = opts.out ?? config.out ?? defaultOutDir()
  // before anything is written: a pin that cannot be applied stops the bench with one line
  const prefix = config.cpus !== null && !opts.runOne ? cpuPin(config.cpus) : []
  mkdirSync(dir, { recursive: true })
  const plan = planRuns(config)
  const netArgs = opts.runOne ? [] : networkArgs(config.network, dir)
  const binPath = opts.binPath ?? psmBinPath()
  const child =
    opts.runOne ??
    ((spec: RunSpec) =>
      runChild(spec, {
        binPath,
        scenario: config.scenario,
        timeoutMs: config.timeout,
        extraArgs: [...hostArgs(config.host), ...netArgs, ...config.scenarioArgs],
        prefix,
        ...(opts.spawn ? { spawn: opts.spawn } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      }))
  // the load average around each run says whether other work competed with it
  const runOne = async (spec: RunSpec): Promise<RunRecord> => {
    const loadBefore = currentLoad()
    const run = await child(spec)
    return { ...run, loadBefore, loadAfter: currentLoad() }
  }
  const results: ResultsFile = {
    format: 'psm-bench-results',
    version: 1,
    config,
    meta: {
      startedAt: new Date().toISOString(),
      finishedAt: null,
      complete: false,
      plannedRuns: plan.runs.length,
      plannedWarmup: plan.warmup.length,
      versions: stackVersions(),
      machine: machineInfo(),
      command: opts.command ?? 'psm bench',
    },
    runs: [],
    warmup: [],
  }
  const save = () => writeJson(join(dir, 'results.json'), results)
  save()
  const loop = await runPlan(plan, {
    runOne,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.quiet || !opts.progress ? {} : { onProgress: progressPrinter(opts.progress) }),
    onRun: (run, warmup) => {
      ;(warmup ? results.warmup : results.runs).push(run)
      save()
    },
  })
  results.meta.finishedAt = new Date().toISOString()
  results.meta.complete = loop.complete
  results.meta.machine.loadAtEnd = currentLoad()
  await writeReport(dir, results)
  const failures = [...results.runs, ...results.warmup].filter((r) => r.failure !== null).length
  return { dir, results, failures, complete: loop.complete }
}

/** results.json, charts/<metric>.svg and bench.md in `dir`. */
export async function writeReport(dir: string, results: ResultsFile): Promise<void> {
  mkdirSync(join(dir, 'charts'), { recursive: true })
  writeJson(join(dir, 'results.json'), results)
  const svgs = await renderCharts(results.runs, METRICS)
  const charts = new Map<string, string>()
  for (const [key, svg] of svgs) {
    const file = join(dir, 'charts', `${key}.svg`)
    writeFileSync(file, svg)
    charts.set(key, relative(dir, file).split('\\').join('/'))
  }
  writeFileSync(join(dir, 'bench.md'), renderReport(results, { charts }))
}

function writeJson(path: string, value: unknown): void {
  // write then rename: a reader (or a kill mid-write) never sees half a file
  const tmp = `${path}.tmp`
  writeFileSync(tmp, `${JSON.stringify(value, null, 1)}\n`)
  renameSync(tmp, path)
}
