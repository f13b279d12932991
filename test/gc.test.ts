import { PerformanceObserver } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { collectGarbage } from '../src/gc.js'

describe('collectGarbage', () => {
  it('runs the young-generation collector for minor and the full one for major', async () => {
    const kinds: number[] = []
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) kinds.push((e as unknown as { detail: { kind: number } }).detail.kind)
    })
    obs.observe({ entryTypes: ['gc'] })
    collectGarbage('minor')
    collectGarbage('major')
    // gc entries are delivered asynchronously
    for (let waited = 0; waited < 5000 && !(kinds.includes(1) && kinds.includes(4)); waited += 20)
      await new Promise((r) => setTimeout(r, 20))
    obs.disconnect()
    // perf_hooks constants: NODE_PERFORMANCE_GC_MINOR 1, NODE_PERFORMANCE_GC_MAJOR 4
    expect(kinds).toContain(1)
    expect(kinds).toContain(4)
  })
})
