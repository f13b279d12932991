import { PerformanceObserver } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { collectGarbage } from '../src/gc.js'

describe('collectGarbage', () => {
  it('major: frees an object nothing references any more', async () => {
    let ref: WeakRef<object> | undefined
    ;(() => {
      ref = new WeakRef({ payload: new Array(10_000).fill(1) })
    })()
    // a WeakRef keeps its target until the job that made it ends
    await new Promise((r) => setTimeout(r, 0))
    collectGarbage('major')
    expect(ref?.deref()).toBeUndefined()
  })

  it('minor: runs a scavenge (perf_hooks gc kind NODE_PERFORMANCE_GC_MINOR)', async () => {
    const kinds: number[] = []
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) kinds.push((e as unknown as { detail: { kind: number } }).detail.kind)
    })
    obs.observe({ entryTypes: ['gc'] })
    collectGarbage('minor')
    // gc entries are delivered asynchronously
    for (let waited = 0; waited < 5000 && !kinds.includes(1); waited += 20) await new Promise((r) => setTimeout(r, 20))
    obs.disconnect()
    expect(kinds).toContain(1)
  })
})
