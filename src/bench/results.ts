// The bench's raw results: what one scenario run reports, what the bench adds to it, and results.json
// (`{ config, runs }` plus what ran where), written while the bench runs and read back by `compare`.

import { readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { BenchConfig } from '../config/bench.js'
import { InputError } from '../errors.js'
import type { ScenarioResult } from '../scenario/simple-discovery.js'
import type { MachineInfo } from './machine-info.js'

/** The JSON object `psm scenario simple-discovery --json` prints (every field may be absent on a crash). */
/** What `psm scenario … --json` prints: one place defines it (src/scenario). */
export type { ScenarioResult }

/** One run as the bench records it: the scenario's object plus what the bench saw from outside. */
export interface RunRecord extends Partial<Omit<ScenarioResult, 'hosts' | 'msgs' | 'impl' | 'failure'>> {
  hosts: number
  msgs: number
  impl: string
  iteration: number
  /** null when everything was delivered and the run exited 0; otherwise why it failed */
  failure: string | null
  /** null when the process ended by a signal (or never started) */
  exitCode: number | null
  /** spawn to exit, measured by the bench: includes node start-up and module loading */
  processMs: number
  /** 1, 5 and 15 minute load averages just before the run started and just after it ended
   * (absent in results written before they were recorded) */
  loadBefore?: number[]
  loadAfter?: number[]
}

export interface ResultsMeta {
  startedAt: string
  finishedAt: string | null
  /** false when interrupted: the runs are those that finished */
  complete: boolean
  plannedRuns: number
  plannedWarmup: number
  versions: Record<string, string>
  machine: MachineInfo
  command: string
}

export interface ResultsFile {
  format: 'psm-bench-results'
  version: 1
  config: BenchConfig
  meta: ResultsMeta
  runs: RunRecord[]
  warmup: RunRecord[]
}

/** The report directory of a results.json path (or the directory itself). */
export function resultsDir(path: string): string {
  try {
    if (statSync(path).isDirectory()) return path
  } catch {}
  return dirname(path)
}

/** Reads results.json (or the results.json inside a report directory); errors name the file. */
export function readResults(path: string): ResultsFile {
  let file = path
  try {
    if (statSync(path).isDirectory()) file = join(path, 'results.json')
  } catch {
    throw new InputError(`${path}: no such file or directory`)
  }
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not valid JSON'
    throw new InputError(`${file}: ${why}`)
  }
  const d = data as Partial<ResultsFile> | null
  if (!d || typeof d !== 'object' || !Array.isArray(d.runs) || typeof d.config !== 'object' || d.config === null) {
    throw new InputError(`${file}: not a psm bench results file (needs "config" and "runs")`)
  }
  d.runs.forEach((r, i) => {
    const ok =
      r &&
      typeof r === 'object' &&
      typeof r.hosts === 'number' &&
      typeof r.msgs === 'number' &&
      typeof r.impl === 'string'
    if (!ok) throw new InputError(`${file}: runs[${i}]: needs numeric hosts and msgs and a string impl`)
  })
  // results written before a knob existed read as if it had its default (`cpus`: not pinned)
  const c = d.config as Partial<BenchConfig>
  const config = { ...c, cpus: c.cpus ?? null } // same key order as written: a rebuilt report is identical
  return { warmup: [], ...d, config } as ResultsFile
}
