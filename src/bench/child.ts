// One bench run: `psm scenario <name> ... --json` in a fresh child process. Whatever goes wrong (a
// non-zero exit, no or bad JSON, a missing field, undelivered messages, a hang) becomes the run's
// `failure` with its reason; nothing is silently passed.
import { type ChildProcess, spawn as nodeSpawn, type SpawnOptions } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatMs } from '../config/duration.js'
import type { RunRecord, ScenarioResult } from './results.js'

export type SpawnFn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess

export interface RunSpec {
  hosts: number
  msgs: number
  impl: string
  iteration: number
  seed: number
  warmup: boolean
}

export interface ChildOptions {
  /** the psm binary (bin/psm.js of this package) */
  binPath: string
  scenario: string
  /** the scenario's own time limit; the bench kills the child `graceMs` after it */
  timeoutMs: number
  graceMs?: number
  /** more flags for every run (host options, scenarioArgs from bench.yml) */
  extraArgs?: readonly string[]
  spawn?: SpawnFn
  /** a command the child runs under, e.g. `taskset -c 1` (see pin.ts) */
  prefix?: readonly string[]
  signal?: AbortSignal
  env?: NodeJS.ProcessEnv
  /** wall clock in ms, injectable for tests */
  now?: () => number
}

const STDOUT_LIMIT = 4 * 1024 * 1024
const STDERR_TAIL = 4096
const REQUIRED = ['delivered', 'expected', 'wallMs'] as const

/** bin/psm.js of the package this module belongs to, wherever the command was started from. */
export function psmBinPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'psm')
          return join(dir, 'bin', 'psm.js')
      } catch {}
    }
    dir = dirname(dir)
  }
  throw new Error('cannot find the psm package root above src/bench') // an install problem, not a user's
}

export function scenarioArgs(
  spec: RunSpec,
  opts: Pick<ChildOptions, 'scenario' | 'timeoutMs' | 'extraArgs'>,
): string[] {
  return [
    'scenario',
    opts.scenario,
    '--hosts',
    String(spec.hosts),
    '--msgs',
    String(spec.msgs),
    '--impl',
    spec.impl,
    '--seed',
    String(spec.seed),
    '--timeout',
    formatMs(opts.timeoutMs),
    '--json',
    ...(opts.extraArgs ?? []),
  ]
}

/** The scenario's JSON object from its stdout: the whole output, or else the last line that is an object. */
export function parseScenarioOutput(stdout: string): Partial<ScenarioResult> | undefined {
  const tryParse = (text: string): Partial<ScenarioResult> | undefined => {
    try {
      const v: unknown = JSON.parse(text)
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Partial<ScenarioResult>) : undefined
    } catch {
      return undefined
    }
  }
  const whole = tryParse(stdout.trim())
  if (whole) return whole
  const lines = stdout.split('\n')
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim()
    if (line.startsWith('{')) {
      const v = tryParse(line)
      if (v) return v
    }
  }
  return undefined
}

const lastLine = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop() ?? ''

/** Why a finished run failed, or null when it delivered everything and exited 0. */
export function judgeRun(
  spec: RunSpec,
  exit: { code: number | null; signal: string | null; timedOut: boolean; timeoutMs: number; spawnError?: string },
  result: Partial<ScenarioResult> | undefined,
  stderr: string,
): string | null {
  const said = lastLine(stderr)
  const tail = said ? `: ${said.slice(0, 300)}` : ''
  if (exit.spawnError) return `could not start: ${exit.spawnError}`
  if (exit.timedOut) return `timeout: still running ${formatMs(exit.timeoutMs)} after start, killed`
  if (exit.code === null) return `killed by ${exit.signal ?? 'a signal'}${tail}`
  if (!result) return `exit ${exit.code}, no JSON result on stdout${tail}`
  if (typeof result.failure === 'string' && result.failure !== '') {
    return exit.code === 1 ? result.failure : `${result.failure} (exit ${exit.code})`
  }
  if (exit.code !== 0) return `exit ${exit.code}${tail}`
  const missing = REQUIRED.filter((k) => typeof result[k] !== 'number')
  if (missing.length > 0) return `JSON result lacks ${missing.join(', ')}`
  for (const k of ['hosts', 'msgs', 'impl'] as const) {
    if (result[k] !== undefined && result[k] !== spec[k]) return `ran ${k} ${String(result[k])}, asked for ${spec[k]}`
  }
  if (result.delivered! < result.expected! || (typeof result.failures === 'number' && result.failures > 0)) {
    return `exit 0 but delivered ${result.delivered} of ${result.expected}`
  }
  return null
}

/** Runs one scenario in a child process and records it; resolves (never rejects) when the child is gone. */
export function runChild(spec: RunSpec, opts: ChildOptions): Promise<RunRecord> {
  const spawn = opts.spawn ?? (nodeSpawn as SpawnFn)
  const now = opts.now ?? (() => performance.now())
  const grace = opts.graceMs ?? 15_000
  const limit = opts.timeoutMs + grace
  return new Promise((resolve) => {
    const start = now()
    let stdout = ''
    let stderr = ''
    let timedOut = false
    let spawnError: string | undefined
    let done = false
    let killTimer: NodeJS.Timeout | undefined
    let timer: NodeJS.Timeout | undefined
    let onAbort: (() => void) | undefined
    let onExitHook: () => void = () => {}
    let child: ChildProcess
    try {
      // its own process group: a Ctrl-C in the terminal reaches the bench only, which then decides
      // (stop this run, discard it, write the partial report) instead of racing the child's own exit
      const argv = [...(opts.prefix ?? []), process.execPath, opts.binPath, ...scenarioArgs(spec, opts)]
      child = spawn(argv[0]!, argv.slice(1), {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: opts.env ?? process.env,
        detached: true,
      })
    } catch (err) {
      resolve(finish(null, null, String(err)))
      return
    }
    // a detached child outlives a bench that exits abruptly (a second Ctrl-C): take it along
    onExitHook = () => child.kill('SIGKILL')
    process.once('exit', onExitHook)
    const stop = () => {
      child.kill('SIGTERM')
      // a child stuck in its own shutdown gets no second chance
      killTimer = setTimeout(() => child.kill('SIGKILL'), 3000)
    }
    timer = setTimeout(() => {
      timedOut = true
      stop()
    }, limit)
    onAbort = () => stop()
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    if (opts.signal?.aborted) stop()
    child.stdout?.setEncoding('utf8')
    child.stderr?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => {
      if (stdout.length < STDOUT_LIMIT) stdout += chunk
    })
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL)
    })
    child.on('error', (err) => {
      // only a child that never started is finished here ('close' may never come); a failed kill is not
      if (child.pid !== undefined) return
      spawnError = err.message
      setImmediate(() => {
        if (!done) resolve(finish(null, null, spawnError))
      })
    })
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (!done) resolve(finish(code, signal, spawnError))
    })

    function finish(code: number | null, signal: string | null, startError: string | undefined): RunRecord {
      done = true
      if (timer) clearTimeout(timer)
      if (killTimer) clearTimeout(killTimer)
      if (onAbort) opts.signal?.removeEventListener('abort', onAbort)
      process.off('exit', onExitHook)
      const processMs = Math.round((now() - start) * 10) / 10
      const result = startError ? undefined : parseScenarioOutput(stdout)
      const aborted = opts.signal?.aborted === true && !timedOut
      const failure = aborted
        ? 'interrupted'
        : judgeRun(
            spec,
            { code, signal, timedOut, timeoutMs: limit, ...(startError ? { spawnError: startError } : {}) },
            result,
            stderr,
          )
      return {
        ...result,
        hosts: spec.hosts,
        msgs: spec.msgs,
        impl: spec.impl,
        seed: result?.seed ?? spec.seed,
        iteration: spec.iteration,
        failure,
        exitCode: code,
        processMs,
      }
    }
  })
}
