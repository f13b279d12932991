// The bench's schedule and loop: warm-up runs, then each cell of the matrix in turn, implementations
// interleaved run by run (A B, then B A, …) so drift on a shared machine hits both alike, and the
// starting implementation alternating from cell to cell. Runs are strictly one at a time.
import type { BenchConfig } from '../config/bench.js'
import type { RunSpec } from './child.js'
import type { RunRecord } from './results.js'

export interface Plan {
  warmup: RunSpec[]
  /** in run order; `cell` indexes `cells` */
  runs: (RunSpec & { cell: number })[]
  cells: { hosts: number; msgs: number }[]
}

export function planRuns(
  config: Pick<BenchConfig, 'hosts' | 'msgs' | 'impls' | 'iterations' | 'warmup' | 'seed'>,
): Plan {
  const hosts = [...config.hosts].sort((a, b) => a - b)
  const msgs = [...config.msgs].sort((a, b) => a - b)
  const impls = [...config.impls]
  const cells = hosts.flatMap((h) => msgs.map((m) => ({ hosts: h, msgs: m })))
  const warmup: RunSpec[] = []
  for (let w = 0; w < config.warmup; w++) {
    const order = w % 2 === 0 ? impls : [...impls].reverse()
    // the smallest cell wakes up node, the disk cache and the CPU governor without costing much
    for (const impl of order) {
      warmup.push({ hosts: hosts[0]!, msgs: msgs[0]!, impl, iteration: w, seed: config.seed + w, warmup: true })
    }
  }
  const runs: Plan['runs'] = []
  cells.forEach((c, cell) => {
    for (let i = 0; i < config.iterations; i++) {
      const order = (cell + i) % 2 === 0 ? impls : [...impls].reverse()
      // every implementation of an iteration runs the same seed: the same script, the same publishers
      for (const impl of order) runs.push({ ...c, impl, iteration: i, seed: config.seed + i, warmup: false, cell })
    }
  })
  return { warmup, runs, cells }
}

export interface Progress {
  phase: 'warmup' | 'measure' | 'done'
  cellsDone: number
  cells: number
  runsDone: number
  runs: number
  warmupDone: number
  warmup: number
  failures: number
  elapsedMs: number
  /** remaining time at the mean pace so far; undefined before the first run ends */
  etaMs: number | undefined
  current: RunSpec | undefined
}

export interface LoopOptions {
  runOne(spec: RunSpec): Promise<RunRecord>
  signal?: AbortSignal
  onProgress?(p: Progress): void
  /** after each run, e.g. to save results.json so that a hard kill still leaves what finished */
  onRun?(run: RunRecord, warmup: boolean): void
  now?: () => number
}

export interface LoopResult {
  runs: RunRecord[]
  warmup: RunRecord[]
  complete: boolean
}

export async function runPlan(plan: Plan, opts: LoopOptions): Promise<LoopResult> {
  const now = opts.now ?? (() => performance.now())
  const start = now()
  const runs: RunRecord[] = []
  const warmup: RunRecord[] = []
  let failures = 0
  let spentMs = 0
  let finished = 0
  const total = plan.warmup.length + plan.runs.length
  const perCell = plan.cells.length > 0 ? plan.runs.length / plan.cells.length : 0
  const progress = (phase: Progress['phase'], current: RunSpec | undefined): Progress => ({
    phase,
    cellsDone: perCell > 0 ? Math.floor(runs.length / perCell) : 0,
    cells: plan.cells.length,
    runsDone: runs.length,
    runs: plan.runs.length,
    warmupDone: warmup.length,
    warmup: plan.warmup.length,
    failures,
    elapsedMs: now() - start,
    etaMs: finished > 0 ? (spentMs / finished) * (total - finished) : undefined,
    current,
  })

  const steps: [RunSpec, boolean][] = [
    ...plan.warmup.map((s) => [s, true] as [RunSpec, boolean]),
    ...plan.runs.map((s) => [s, false] as [RunSpec, boolean]),
  ]
  for (const [spec, isWarmup] of steps) {
    if (opts.signal?.aborted) break
    opts.onProgress?.(progress(isWarmup ? 'warmup' : 'measure', spec))
    const t0 = now()
    const run = await opts.runOne(spec)
    // a run cut short by Ctrl-C is not a result: the partial report holds only what finished
    if (opts.signal?.aborted) break
    spentMs += now() - t0
    finished++
    if (run.failure !== null) failures++
    ;(isWarmup ? warmup : runs).push(run)
    opts.onRun?.(run, isWarmup)
  }
  const complete = runs.length === plan.runs.length && warmup.length === plan.warmup.length
  opts.onProgress?.(progress('done', undefined))
  return { runs, warmup, complete }
}
