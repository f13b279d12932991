// `psm experiment run` end to end: the real binary, real libp2p hosts and gossipsub in virtual time.
// A 30-node D=8 baseline (every message at 100 %, duplicates in the range the degree allows, report.md
// equal to results.json), a sybil flood with scoring on and off, and an eclipse of one node.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Results } from '../../src/experiment/analyze.js'
import { fmt } from '../../src/experiment/report.js'
import { runPsm } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-experiment-run-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function run(
  name: string,
  yml: string,
  ...flags: string[]
): Promise<{ results: Results; report: string; out: string }> {
  const file = join(dir, `${name}.yml`)
  writeFileSync(file, yml)
  const out = join(dir, name)
  const r = await runPsm(['experiment', 'run', file, '--out', out, ...flags], { timeoutMs: 120_000 })
  expect(r.code, r.stderr).toBe(0)
  expect(r.stderr).toMatch(/psm experiment: done: /)
  return {
    results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results,
    report: readFileSync(join(out, 'report.md'), 'utf8'),
    out,
  }
}

/** The rows of the markdown table that follows `heading`: first cell → the other cells. */
function tableAfter(report: string, heading: string): Map<string, string[]> {
  const lines = report.split('\n')
  let i = lines.indexOf(heading)
  expect(i, heading).toBeGreaterThanOrEqual(0)
  while (!lines[i]!.startsWith('|')) i++
  const rows = new Map<string, string[]>()
  for (i += 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    const cells = lines[i]!.slice(2, -2).split(' | ')
    rows.set(cells[0]!, cells.slice(1))
  }
  return rows
}

const BASELINE = `name: baseline-30
seed: 7
network: { latency: { uniform: [10ms, 40ms] } }
topology: { kind: random, connect: 8 }
phases:
  warmup: { duration: 3s, rate: 0 }
  run: { duration: 5s }
  cooldown: { duration: 2s, rate: 0 }
nodes:
  - { group: pubs, count: 5, role: publisher, rate: 1, size: 600, gossipsub: { D: 8, Dlo: 6, Dhi: 12 } }
  - { group: rest, count: 25, role: lurker, gossipsub: { D: 8, Dlo: 6, Dhi: 12 } }
`

describe('psm experiment run', () => {
  it('30 nodes, D=8: every message reaches every subscriber; duplicates fit the degree; report = results', async () => {
    const { results, report, out } = await run('baseline', BASELINE)
    const s = results.summary
    expect(s.nodes).toBe(30)
    expect(results.meta.clock).toBe('virtual')
    expect(s.messages).toBeGreaterThanOrEqual(20)
    for (const m of results.messages) {
      expect(m.expected).toBe(29)
      expect(m.reachPct, m.msgId).toBe(100)
      expect(m.timeTo.p100, m.msgId).not.toBeNull()
      // one hop at least: the model's latency is 10..40 ms a way
      expect(m.timeTo.p50!).toBeGreaterThanOrEqual(10)
    }
    expect(s.deliveryRatio).toBe(1)
    // each subscriber gets a copy from most of its mesh peers: at least one duplicate on average, and
    // at most one copy from each mesh peer but the first (Dhi - 1)
    expect(s.duplicates.avg!).toBeGreaterThanOrEqual(1)
    expect(s.duplicates.avg!).toBeLessThanOrEqual(12 - 1)
    expect(results.samples.at(-1)!.mesh.mean).toBeGreaterThanOrEqual(6)
    expect(
      results.nodes.every((n) => (n.controlSent !== null && n.controlSent.graft > 0) || n.controlRecv!.graft > 0),
    ).toBe(true)

    // every number of the summary table is results.json's, formatted
    const summary = tableAfter(report, '## Summary')
    const expected: Record<string, number | null> = {
      messages: s.messages,
      'expected deliveries': s.expectedDeliveries,
      delivered: s.delivered,
      'delivery ratio': s.deliveryRatio,
      'reach % (mean)': s.reachPctMean,
      'messages at 100 %': s.fullyDelivered,
      'latency p50 ms': s.latency.p50,
      'latency p99 ms': s.latency.p99,
      'time to 99 % p50 ms': s.timeTo99.p50,
      'time to 99 % p99 ms': s.timeTo99.p99,
      'duplicates per message (avg)': s.duplicates.avg,
      'duplicates per message (p95)': s.duplicates.p95,
      'bytes in per honest node (mean)': s.bytesInMean,
      'amplification over ideal (mean)': s.amplificationMean,
    }
    for (const [label, v] of Object.entries(expected)) expect(summary.get(label), label).toEqual([fmt(v)])
    // and every per-message row
    const perMessage = tableAfter(report, '## Reach per message')
    expect(perMessage.size).toBe(results.messages.length)
    for (const m of results.messages) {
      const row = perMessage.get(m.msgId)!
      expect(row.slice(3)).toEqual([
        fmt(m.reachPct),
        fmt(m.timeTo.p50),
        fmt(m.timeTo.p90),
        fmt(m.timeTo.p95),
        fmt(m.timeTo.p99),
        fmt(m.timeTo.p100),
        fmt(m.duplicates),
      ])
    }
    for (const f of [
      'experiment.yml',
      'transitions.jsonl.gz',
      'latency-cdf.svg',
      'reach.svg',
      'duplicates.svg',
      'mesh.svg',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true)
    }
    expect(readFileSync(join(out, 'experiment.yml'), 'utf8')).toBe(BASELINE)
  })

  const flood = (scoring: boolean) => `name: flood-${scoring ? 'on' : 'off'}
seed: 3
network: { latency: 20ms }
topology: { kind: random, connect: 6 }
phases:
  warmup: { duration: 3s, rate: 0 }
  run: { duration: 4s }
  cooldown: { duration: 1s, rate: 0 }
nodes:
  - { group: pubs, count: 4, role: publisher, rate: 1, size: 200, gossipsub: { scoring: { enabled: ${scoring} } } }
  - { group: rest, count: 12, role: lurker, gossipsub: { scoring: { enabled: ${scoring} } } }
  - { group: sybils, count: 8, role: attacker }
attacks:
  - { kind: sybil-flood, group: sybils, start: 3s, spamRate: 20 }
`

  it('sybil flood: with scoring on honest delivery holds and the sybils fall below the graylist; off, the spam gets through', async () => {
    const on = await run('flood-on', flood(true), '--no-log')
    const off = await run('flood-off', flood(false), '--no-log')
    const a = on.results.attacks[0]!
    expect(on.results.summary.deliveryRatio!).toBeGreaterThanOrEqual(0.99)
    expect(a.during.honestDeliveryRatio!).toBeGreaterThanOrEqual(0.99)
    expect(a.final!.observations).toBeGreaterThan(0)
    expect(a.final!.belowGraylist).toBe(a.final!.observations)
    expect(a.final!.attackerScoreMax).toBeLessThan(on.results.graylistThreshold!)
    const b = off.results.attacks[0]!
    expect(b.final!.belowGraylist).toBe(0)
    // the damage scoring prevents: honest validators process far more spam (graylisted RPCs still cost
    // wire bytes, but are dropped unread)
    expect(b.invalidRejected!).toBeGreaterThan(3 * a.invalidRejected!)
    // the report shows it
    expect(on.report).toMatch(/## Attacks/)
    expect(tableAfter(on.report, '## Attacks').get('sybil-flood')![10]).toBe(fmt(a.invalidRejected))
    expect(tableAfter(off.report, '## Attacks').get('sybil-flood')![10]).toBe(fmt(b.invalidRejected))
  })

  it('eclipse of one node: its delivery during the attack and when it recovered', async () => {
    const { results, report } = await run(
      'eclipse',
      `name: eclipse
seed: 4
network: { latency: 20ms }
topology: { kind: random, connect: 5, maintain: 1s }
phases:
  warmup: { duration: 3s, rate: 0 }
  run: { duration: 10s }
  cooldown: { duration: 2s, rate: 0 }
nodes:
  - { group: target, count: 1, role: lurker, maxConnections: 6 }
  - { group: pubs, count: 4, role: publisher, rate: 2, size: 200 }
  - { group: rest, count: 10, role: lurker }
  - { group: sybils, count: 6, role: attacker }
attacks:
  - { kind: eclipse, group: sybils, start: 0s, stop: 8s, targets: [0] }
`,
      '--no-log',
    )
    const t = results.attacks[0]!.targets[0]!
    expect(t.node).toBe(0)
    expect(t.expectedDuring).toBeGreaterThan(10)
    expect(t.deliveryRatioDuring!).toBeLessThan(0.5)
    expect(t.recoveredAtMs).not.toBeNull()
    expect(t.recoveredAtMs!).toBeGreaterThanOrEqual(8000)
    expect(t.recoveryMs).toBe(Math.round((t.recoveredAtMs! - 8000) * 10) / 10)
    // the others were not eclipsed
    const others = results.nodes.filter((n) => n.role !== 'attacker' && n.index !== 0)
    for (const n of others) expect(n.deliveryRatio, n.name).toBe(1)
    const row = tableAfter(report, '### Eclipse targets').get('ps-0')!
    expect(row).toEqual([
      fmt(t.expectedDuring),
      fmt(t.receivedDuring),
      fmt(t.deliveryRatioDuring),
      fmt(t.recoveredAtMs! / 1000),
      fmt(t.recoveryMs),
    ])
  })

  it("a group's network: {region, class} places its hosts there", async () => {
    const { results, report } = await run(
      'placed',
      `name: placed
seed: 3
network: ${join(process.cwd(), 'networks/world.yml')}
topology: { kind: random, connect: 4 }
phases: { warmup: { duration: 2s, rate: 0 }, run: { duration: 3s }, cooldown: { duration: 2s, rate: 0 } }
nodes:
  - { group: eu, count: 4, role: publisher, rate: 1, network: { region: europe, class: supernode } }
  - { group: au, count: 4, network: { region: australia } }
`,
    )
    const regions = (group: string) => [...new Set(results.nodes.filter((x) => x.group === group).map((x) => x.region))]
    expect(regions('eu')).toEqual(['europe'])
    expect(regions('au')).toEqual(['australia'])
    expect(results.summary.deliveryRatio).toBe(1)
    // europe → australia is 165 ms one way in the table: no receipt in australia comes sooner
    const au = results.nodes.filter((x) => x.group === 'au')
    for (const x of au) expect(x.latencyP50!).toBeGreaterThanOrEqual(165)
    expect(report).toContain('australia')
  }, 150_000)
})
