// `psm experiment compare A B`: side by side, B/A ratios with intervals, and a verdict only when the
// interval excludes 1. Results are made from hand-made deliveries (no hosts needed).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { analyze } from '../../src/experiment/analyze.js'
import { compareResults } from '../../src/experiment/compare.js'
import type { Deliveries } from '../../src/experiment/deliveries.js'
import { runPsm } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-experiment-compare-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** 40 messages from node 0 to nodes 1..9; node k gets each after `delay(k, i)` ms */
function deliveries(delay: (k: number, i: number) => number): Deliveries {
  const nodes = Array.from({ length: 10 }, (_, i) => ({
    index: i,
    name: `ps-${i}`,
    peerId: `p${i}`,
    group: i === 0 ? 'pub' : 'rest',
    role: i === 0 ? ('publisher' as const) : ('lurker' as const),
  }))
  const publishes = Array.from({ length: 40 }, (_, i) => ({
    msgId: `m${i}`,
    topic: 't',
    node: 0,
    timeMs: i * 100,
    bytes: 10,
  }))
  const receives = publishes.flatMap((p, i) =>
    nodes.slice(1).map((n) => ({
      msgId: p.msgId,
      topic: 't',
      node: n.index,
      timeMs: p.timeMs + delay(n.index, i),
      duplicate: false,
    })),
  )
  return { nodes, publishes, receives, subscribers: { t: nodes.map((n) => n.index) } }
}

describe('psm experiment compare', () => {
  const a = analyze({ deliveries: deliveries((k, i) => 20 + k + (i % 5)) }, { name: 'a', seed: 1 })
  const slow = analyze({ deliveries: deliveries((k, i) => 2 * (20 + k + (i % 5))) }, { name: 'b', seed: 1 })

  it('calls twice the latency worse, and equal runs no difference', () => {
    const rows = compareResults(a, slow)
    const t99 = rows.find((r) => r.label === 'time to 99 % ms per message')!
    expect(t99.ratio!.value).toBeCloseTo(2, 1)
    expect(t99.verdict).toBe('B higher (worse)')
    const reach = rows.find((r) => r.label === 'reach % per message')!
    expect(reach.verdict).toMatch(/^no difference/)
    for (const r of compareResults(a, a)) expect(r.verdict, r.label).toMatch(/^(no difference|too few|no values)/)
  })

  it('prints both sides, ratios and verdicts; a missing or foreign file is one line and exit 2', async () => {
    mkdirSync(join(dir, 'a'))
    mkdirSync(join(dir, 'b'))
    writeFileSync(join(dir, 'a', 'results.json'), JSON.stringify(a))
    writeFileSync(join(dir, 'b', 'results.json'), JSON.stringify(slow))
    const r = await runPsm(['experiment', 'compare', join(dir, 'a'), join(dir, 'b')])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(
      /\| time to 99 % ms per message \| [\d.]+ \| [\d.]+ \| 2\.\d\d \[[\d.]+–[\d.]+\] \| B higher \(worse\) \|/,
    )
    expect(r.stdout).not.toMatch(/\bmet\b/)
    const missing = await runPsm(['experiment', 'compare', join(dir, 'a'), join(dir, 'nope')])
    expect(missing.code).toBe(2)
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(missing.stderr).toMatch(/nope\/results\.json: cannot read: no such file/)
    writeFileSync(join(dir, 'other.json'), '{"hello": 1}')
    const foreign = await runPsm(['experiment', 'compare', join(dir, 'a'), join(dir, 'other.json')])
    expect(foreign.code).toBe(2)
    expect(foreign.stderr).toMatch(/other\.json: not a psm experiment results file/)
  })
})
