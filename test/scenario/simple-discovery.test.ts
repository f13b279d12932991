// The scripted scenario in-process, written once and run for both implementations: same script, same
// counts; only the pubsub factory differs.
import { describe, expect, it } from 'vitest'
import { formatScenarioResult } from '../../src/scenario/format.js'
import { defaultTimeoutMs, IMPLS, runSimpleDiscovery } from '../../src/scenario/simple-discovery.js'

describe.each(IMPLS)('runSimpleDiscovery (%s)', (impl) => {
  it('delivers the first message and every random one to every other host', async () => {
    const lines: string[] = []
    const r = await runSimpleDiscovery({ hosts: 4, msgs: 10, impl, seed: 3, progress: (l) => lines.push(l) })
    expect(r).toMatchObject({ scenario: 'simple-discovery', impl, hosts: 4, msgs: 10, seed: 3 })
    expect(r.expected).toBe(33)
    expect(r.delivered).toBe(33)
    expect(r.failure).toBeNull()
    expect(r.failures).toBe(0)
    expect(r.discoveryTransitions).toBeGreaterThan(0)
    if (impl === 'vanilla') expect(r.transitions).toBe(0)
    else expect(r.transitions).toBeGreaterThan(33)
    expect(lines.at(-1)).toMatch(/^delivered 33\/33/)
    expect(formatScenarioResult(r)).toContain('delivered   33/33 (0 failures)')
  })
})

describe('the run time limit', () => {
  it('grows with the hosts past 400, and a run it cuts short names it', async () => {
    expect(defaultTimeoutMs(10)).toBe(60_000)
    expect(defaultTimeoutMs(1000)).toBe(150_000)
    const r = await runSimpleDiscovery({ hosts: 6, msgs: 2, impl: 'vanilla', seed: 1, timeoutMs: 1 })
    expect(r.delivered).toBe(0)
    expect(r.failure).toMatch(/^time limit of 1 ms ran out \(--timeout\): /)
  })
})
