// The virtual clock on its own instance (not installed): heap order, clearing, intervals, refresh,
// ref/unref, immediates before jumps, an idle clock that parks, and paced mode never ahead of the wall.
import { afterEach, describe, expect, it } from 'vitest'
import { VirtualClock } from '../../src/clock/virtual.js'
import { TimerHeap } from '../../src/clock/virtual-heap.js'
import { realPerformanceNow } from '../../src/clock/virtual-real.js'
import { createRng } from '../../src/rng.js'

const clocks: VirtualClock[] = []
afterEach(() => {
  for (const c of clocks.splice(0)) c.stop()
})

function clock(paced = false): VirtualClock {
  const c = new VirtualClock({ startMs: 1_000_000, paced })
  clocks.push(c)
  return c
}

/** Resolves after `ms` simulated ms on clock c (the promise keeps a ref'd timer). */
const sleep = (c: VirtualClock, ms: number) => new Promise<void>((r) => c.setTimeout(r, ms))

describe('TimerHeap', () => {
  it('pops 10,000 random timers in (due, seq) order, also after removing a third of them from the middle', () => {
    const rng = createRng(3)
    const heap = new TimerHeap<{ due: number; seq: number; heapIndex: number }>()
    const nodes = Array.from({ length: 10_000 }, (_, seq) => ({ due: rng.int(500), seq, heapIndex: -1 }))
    for (const n of nodes) heap.push(n)
    const removed = new Set(nodes.filter((_, i) => i % 3 === 0))
    for (const n of removed) heap.remove(n)
    const out: Array<{ due: number; seq: number }> = []
    for (let n = heap.pop(); n; n = heap.pop()) out.push(n)
    const want = nodes.filter((n) => !removed.has(n)).sort((a, b) => a.due - b.due || a.seq - b.seq)
    expect(out.map((n) => n.seq)).toEqual(want.map((n) => n.seq))
  })
})

describe('VirtualClock', () => {
  it('jumps to each due timer: 10 simulated minutes of timers take no real wait, fired in (due, seq) order', async () => {
    const c = clock()
    const release = c.hold()
    const fired: string[] = []
    const t0 = realPerformanceNow()
    await new Promise<void>((done) => {
      c.setTimeout(() => fired.push(`b@${c.elapsed()}`), 600_000)
      c.setTimeout(() => fired.push(`a@${c.elapsed()}`), 300_000)
      c.setTimeout(() => fired.push(`c@${c.elapsed()}`), 600_000)
      c.setTimeout(() => done(), 600_001)
    })
    release()
    expect(fired).toEqual(['a@300000', 'b@600000', 'c@600000'])
    expect(c.now()).toBe(1_000_000 + 600_001)
    expect(realPerformanceNow() - t0).toBeLessThan(5_000)
  })

  it('clears timers by object and by numeric id, and coerces bad delays to 1 ms as Node does', async () => {
    const c = clock()
    const fired: string[] = []
    const a = c.setTimeout(() => fired.push('a'), 10)
    const b = c.setTimeout(() => fired.push('b'), 10)
    c.setTimeout(() => fired.push(`neg@${c.elapsed()}`), -5)
    c.setTimeout(() => fired.push(`nan@${c.elapsed()}`), Number.NaN)
    c.clear(a)
    c.clear(Number(b))
    await sleep(c, 20)
    expect(fired).toEqual(['neg@1', 'nan@1'])
  })

  it('runs an interval every period until cleared from its own callback, with `this` the timer', async () => {
    const c = clock()
    const at: number[] = []
    await new Promise<void>((done) => {
      const iv = c.setInterval(function (this: unknown) {
        at.push(c.elapsed())
        expect(this).toBe(iv)
        if (at.length === 4) {
          c.clear(iv)
          c.setTimeout(done, 10_000)
        }
      }, 250)
    })
    expect(at).toEqual([250, 500, 750, 1000])
  })

  it('refresh() restarts a timer from now; a refreshed timer fires once', async () => {
    const c = clock()
    const at: number[] = []
    const t = c.setTimeout(() => at.push(c.elapsed()), 100)
    await sleep(c, 60)
    t.refresh()
    await sleep(c, 500)
    expect(at).toEqual([160])
  })

  it('drains immediates and microtasks before it moves time', async () => {
    const c = clock()
    const seen: string[] = []
    c.setTimeout(() => seen.push(`timer@${c.elapsed()}`), 5)
    let n = 0
    const spin = () => {
      seen.push(`imm${n}@${c.elapsed()}`)
      if (++n < 3) c.setImmediate(() => queueMicrotask(spin))
    }
    c.setImmediate(spin)
    await sleep(c, 10)
    expect(seen).toEqual(['imm0@0', 'imm1@0', 'imm2@0', 'timer@5'])
  })

  it("unref'd timers do not move the clock when nothing holds it, and do while a run holds it", async () => {
    const c = clock()
    let fired = false
    const t = c.setTimeout(() => (fired = true), 50).unref()
    expect(t.hasRef()).toBe(false)
    await new Promise((r) => setTimeout(r, 30))
    expect(fired).toBe(false)
    expect(c.elapsed()).toBe(0)
    const release = c.hold()
    await new Promise((r) => setTimeout(r, 30))
    release()
    expect(fired).toBe(true)
    expect(c.elapsed()).toBe(50)
  })

  it('parks when idle: no timers, no immediates, no driver turns', async () => {
    const c = clock()
    await sleep(c, 1000)
    const jumps = c.stats().jumps
    await new Promise((r) => setTimeout(r, 50))
    expect(c.stats()).toEqual({ fired: 1, jumps, pending: 0 })
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Immediate')).toEqual([])
  })

  it('paced: simulated time never runs ahead of the wall clock', async () => {
    const c = clock(true)
    const wall0 = realPerformanceNow()
    const ahead: number[] = []
    await new Promise<void>((done) => {
      for (let i = 1; i <= 20; i++) {
        c.setTimeout(() => {
          ahead.push(c.elapsed() - (realPerformanceNow() - wall0))
          if (i === 20) done()
        }, i * 15)
      }
    })
    expect(ahead).toHaveLength(20)
    expect(Math.max(...ahead)).toBeLessThanOrEqual(0)
    expect(c.elapsed()).toBe(300)
  })
})
