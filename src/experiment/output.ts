// `psm experiment run`: the output folder. The experiment file is copied first (the run can be repeated
// from it), the transition log streams while the run goes, and results.json, report.md and the charts are
// written at the end — also after Ctrl-C (the report then says `interrupted`). Files are written whole
// (temporary name, then rename), so a crash never leaves half a results.json.
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { errorMessage, InputError } from '../errors.js'
import type { Recorder } from '../telemetry/recorder.js'
import { analyze, type Results } from './analyze.js'
import type { ExperimentConfig } from './config.js'
import type { Observations } from './observations.js'
import { renderExperimentCharts, renderReport } from './report.js'
import { type RunMeta, runExperiment } from './run.js'

export const RESULTS_FILE = 'results.json'
export const REPORT_FILE = 'report.md'
export const EXPERIMENT_COPY = 'experiment.yml'
export const TRANSITIONS_FILE = 'transitions.jsonl.gz'

/** data/experiment-<UTC time>/ (the real time of day, whatever clock the run uses) */
export function defaultOutDir(now: Date): string {
  return join(
    'data',
    `experiment-${now
      .toISOString()
      .replace(/[:.]/g, '-')
      .replace(/-\d{3}Z$/, 'Z')}`,
  )
}

export function writeWhole(path: string, text: string): void {
  const tmp = `${path}.tmp`
  writeFileSync(tmp, text)
  renameSync(tmp, path)
}

export function prepareOutDir(dir: string, file: string): void {
  try {
    mkdirSync(dir, { recursive: true })
    copyFileSync(file, join(dir, EXPERIMENT_COPY))
  } catch (err) {
    throw new InputError(`--out: cannot write to '${dir}': ${errorMessage(err)}`)
  }
}

export interface ExperimentRunOptions {
  file: string
  outDir: string
  config: ExperimentConfig
  log: boolean
  progress: (line: string) => void
  signal?: AbortSignal
}

/** Runs the experiment and writes the folder; returns the results. */
export async function runAndWrite(opts: ExperimentRunOptions): Promise<{ results: Results; files: string[] }> {
  const { config, outDir } = opts
  prepareOutDir(outDir, opts.file)
  let recorder: Recorder | undefined
  const files = [EXPERIMENT_COPY]
  if (opts.log && config.nodes.some((g) => g.implementation === 'machine')) {
    const { Recorder } = await import('../telemetry/recorder.js')
    const { createJsonlFileSink } = await import('../telemetry/log/file-sink.js')
    recorder = new Recorder({ source: `psm experiment ${config.name}` })
    recorder.addSink(createJsonlFileSink(join(outDir, TRANSITIONS_FILE)))
    files.push(TRANSITIONS_FILE)
  }
  let out: Awaited<ReturnType<typeof runExperiment>>
  try {
    out = await runExperiment(config, {
      ...(recorder ? { recorder } : {}),
      progress: opts.progress,
      ...(opts.signal ? { signal: opts.signal } : {}),
    })
  } finally {
    await recorder?.close()
  }
  const degrees = [...new Set(config.nodes.filter((g) => g.role !== 'attacker').map((g) => g.gossipsub.D))]
  const written = await writeResults(outDir, out.observations, out.meta, degrees)
  return { results: written.results, files: [...files, RESULTS_FILE, REPORT_FILE, ...written.charts] }
}

/** results.json, report.md and the charts from a run's observations (also for runs psm did not drive). */
export async function writeResults(
  outDir: string,
  obs: Observations,
  meta: RunMeta | Record<string, unknown>,
  degrees: readonly number[],
): Promise<{ results: Results; charts: string[] }> {
  const results = analyze(obs, { ...meta })
  writeWhole(join(outDir, RESULTS_FILE), `${JSON.stringify(results, null, 1)}\n`)
  const charts = await renderExperimentCharts(results)
  for (const [name, svg] of charts) writeWhole(join(outDir, name), svg)
  const names = [...charts.keys()]
  writeWhole(join(outDir, REPORT_FILE), renderReport(results, { charts: names, degrees }))
  return { results, charts: names }
}
