// psm dht compare: ratios with intervals, verdicts only when the interval allows one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { compareDht } from '../../src/dht/compare.js'
import { dhtSchema } from '../../src/dht/config.js'
import type { Operation } from '../../src/dht/ops.js'
import type { DhtResults } from '../../src/dht/report.js'
import { runPsm } from '../helpers/cli.js'

function results(durations: number[], failures = 0): DhtResults {
  const op = (kind: 'provide' | 'retrieve', ms: number, success: boolean): Operation => ({
    kind,
    round: 0,
    node: 1,
    cid: 'bafk',
    durationMs: ms,
    success,
    error: success ? null : 'timeout',
    hops: 2,
    peersContacted: 5,
    queryErrors: 0,
    firstProviderIsPublisher: kind === 'retrieve' ? true : null,
    providersFound: 1,
  })
  const operations = [
    ...durations.map((ms) => op('retrieve', ms, true)),
    ...Array.from({ length: failures }, () => op('retrieve', 60_000, false)),
    ...durations.map((ms) => op('provide', ms * 3, true)),
  ]
  return {
    version: 1,
    runId: 'r',
    startedAt: '2026-01-01T00:00:00Z',
    interrupted: false,
    clock: 'virtual',
    seed: 1,
    config: { ...dhtSchema.check({}, []), clock: 'virtual', impl: 'vanilla' },
    init: null,
    roundsDone: 1,
    summary: {} as DhtResults['summary'],
    operations,
  }
}

const dir = mkdtempSync(join(tmpdir(), 'psm-dht-cmp-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('psm dht compare', () => {
  const base = Array.from({ length: 40 }, (_, i) => 100 + (i % 10) * 5)
  it('calls B slower only when the whole interval of B/A lies above 1', () => {
    const slower = compareDht(results(base), results(base.map((x) => x * 2))).kinds.find((k) => k.kind === 'retrieve')!
    expect(slower.median?.value).toBeCloseTo(2, 1)
    expect(slower.median?.lo).toBeGreaterThan(1)
    expect(slower.medianVerdict).toBe('slower')
    const same = compareDht(results(base), results([...base].reverse())).kinds.find((k) => k.kind === 'retrieve')!
    expect(same.medianVerdict).toBe('no difference')
    expect(same.median?.lo).toBeLessThanOrEqual(1)
    expect(same.median?.hi).toBeGreaterThanOrEqual(1)
    const few = compareDht(results([100, 120]), results([300, 320])).kinds.find((k) => k.kind === 'retrieve')!
    expect(few.medianVerdict).toBe('too few runs')
  })

  it('success rates: a difference with its interval; failures lower B', () => {
    const k = compareDht(results(base), results(base, 20)).kinds.find((x) => x.kind === 'retrieve')!
    expect(k.success?.value).toBeCloseTo(40 / 60 - 1, 5)
    expect(k.success?.hi).toBeLessThan(0)
    expect(k.successVerdict).toBe('B succeeds less')
  })

  it('the command prints both runs and intervals; a bad file is exit 2', async () => {
    const a = join(dir, 'a.json')
    const b = join(dir, 'b.json')
    writeFileSync(a, JSON.stringify(results(base)))
    writeFileSync(b, JSON.stringify(results(base.map((x) => x * 2))))
    const r = await runPsm(['dht', 'compare', a, b])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/\| retrieve \| 40\/40 \| 40\/40 \| .* \| 2\.00 \[\d\.\d\d–\d\.\d\d\] \| slower \|/)
    writeFileSync(join(dir, 'bad.json'), '{"x":1}')
    const bad = await runPsm(['dht', 'compare', a, join(dir, 'bad.json')])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/bad\.json: not a psm dht results\.json/)
  })
})
