// The bench schedule and loop: interleaving, alternating order, warm-up, progress, interruption.
import { describe, expect, it } from 'vitest'
import type { RunSpec } from '../../src/bench/child.js'
import { formatProgress, progressPrinter } from '../../src/bench/progress.js'
import type { RunRecord } from '../../src/bench/results.js'
import { type Progress, planRuns, runPlan } from '../../src/bench/runner.js'

const config = {
  hosts: [4, 3],
  msgs: [2, 4],
  impls: ['vanilla', 'machine'] as ('vanilla' | 'machine')[],
  iterations: 3,
  warmup: 1,
  seed: 10,
}
const record = (s: RunSpec, failure: string | null = null): RunRecord => ({
  hosts: s.hosts,
  msgs: s.msgs,
  impl: s.impl,
  iteration: s.iteration,
  failure,
  exitCode: failure ? 1 : 0,
  processMs: 1,
})

describe('planRuns', () => {
  const plan = planRuns(config)

  it('covers every cell × implementation × iteration once, cells sorted', () => {
    expect(plan.cells).toEqual([
      { hosts: 3, msgs: 2 },
      { hosts: 3, msgs: 4 },
      { hosts: 4, msgs: 2 },
      { hosts: 4, msgs: 4 },
    ])
    expect(plan.runs).toHaveLength(4 * 2 * 3)
    const keys = new Set(plan.runs.map((r) => `${r.hosts} ${r.msgs} ${r.impl} ${r.iteration}`))
    expect(keys.size).toBe(24)
  })

  it('interleaves implementations and alternates which goes first, per iteration and per cell', () => {
    const firstCell = plan.runs.filter((r) => r.cell === 0).map((r) => r.impl[0])
    expect(firstCell.join('')).toBe('vmmvvm')
    const secondCell = plan.runs.filter((r) => r.cell === 1).map((r) => r.impl[0])
    expect(secondCell.join('')).toBe('mvvmmv')
  })

  it('gives both implementations of an iteration the same seed', () => {
    for (const r of plan.runs) expect(r.seed).toBe(10 + r.iteration)
  })

  it('warms up each implementation on the smallest cell', () => {
    expect(plan.warmup.map((w) => [w.impl, w.hosts, w.msgs, w.warmup])).toEqual([
      ['vanilla', 3, 2, true],
      ['machine', 3, 2, true],
    ])
  })
})

describe('runPlan', () => {
  it('runs warm-up then the matrix, counts failures and reports progress with an ETA', async () => {
    const plan = planRuns(config)
    let t = 0
    const seen: Progress[] = []
    const order: string[] = []
    const result = await runPlan(plan, {
      now: () => t,
      runOne: async (s) => {
        t += 100
        order.push(`${s.warmup ? 'w' : ''}${s.impl[0]}`)
        return record(s, s.impl === 'machine' && s.iteration === 1 && !s.warmup ? 'boom' : null)
      },
      onProgress: (p) => seen.push(p),
    })
    expect(order.slice(0, 2)).toEqual(['wv', 'wm'])
    expect(result.complete).toBe(true)
    expect(result.runs).toHaveLength(24)
    expect(result.warmup).toHaveLength(2)
    const last = seen[seen.length - 1]!
    expect(last).toMatchObject({ phase: 'done', cellsDone: 4, runsDone: 24, failures: 4 })
    // after 10 of 26 runs at 100 ms each, 16 remain
    expect(seen[10]!.etaMs).toBe(1600)
    expect(formatProgress(seen[10]!)).toMatch(
      /^bench: cells 1\/4 · runs 8\/24 · failures 1 · elapsed 1s · ETA 2s · now /,
    )
  })

  it('stops at an interrupt and keeps only the runs that finished', async () => {
    const plan = planRuns(config)
    const controller = new AbortController()
    let n = 0
    const result = await runPlan(plan, {
      signal: controller.signal,
      runOne: async (s) => {
        if (++n === 5) controller.abort()
        return record(s, n === 5 ? 'interrupted' : null)
      },
    })
    expect(result.complete).toBe(false)
    expect(result.warmup).toHaveLength(2)
    expect(result.runs).toHaveLength(2)
    expect(result.runs.every((r) => r.failure === null)).toBe(true)
  })
})

describe('progressPrinter', () => {
  const p = (over: Partial<Progress>): Progress => ({
    phase: 'measure',
    cellsDone: 0,
    cells: 2,
    runsDone: 0,
    runs: 4,
    warmupDone: 0,
    warmup: 0,
    failures: 0,
    elapsedMs: 0,
    etaMs: undefined,
    current: undefined,
    ...over,
  })

  it('rewrites one line on a terminal', () => {
    const out: string[] = []
    const print = progressPrinter({ isTTY: true, write: (s) => out.push(s) })
    print(p({}))
    print(p({ runsDone: 1 }))
    print(p({ phase: 'done', runsDone: 4, cellsDone: 2 }))
    expect(out).toHaveLength(3)
    expect(out[0]!.startsWith('\r\x1b[K')).toBe(true)
    expect(out[2]!.endsWith('\n')).toBe(true)
  })

  it('writes a line per cell and per failure in a log', () => {
    const out: string[] = []
    const print = progressPrinter({ isTTY: false, write: (s) => out.push(s) })
    print(p({}))
    print(p({ runsDone: 1 }))
    print(p({ runsDone: 2, cellsDone: 1 }))
    print(p({ runsDone: 3, cellsDone: 1, failures: 1 }))
    print(p({ phase: 'done', runsDone: 4, cellsDone: 2, failures: 1 }))
    expect(out).toHaveLength(4)
    expect(out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true)
  })
})
