// Topologies other than random, end to end: a chain (one copy per node, latency growing by one link per
// hop) and psm's discovery machines (no dial list at all).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import type { Results } from '../../src/experiment/analyze.js'
import { runPsm } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-experiment-topo-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function run(name: string, topology: string, ...flags: string[]): Promise<Results> {
  const file = join(dir, `${name}.yml`)
  writeFileSync(
    file,
    `name: ${name}
seed: 3
network: { latency: 20ms }
topology: ${topology}
phases: { warmup: { duration: 5s, rate: 0 }, run: { duration: 3s }, cooldown: { duration: 3s, rate: 0 } }
nodes:
  - { group: pubs, count: 1, role: publisher, rate: 1, size: 100 }
  - { group: rest, count: 9 }
`,
  )
  const r = await runPsm(['experiment', 'run', file, '--out', join(dir, name), ...flags], { timeoutMs: 120_000 })
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(readFileSync(join(dir, name, 'results.json'), 'utf8')) as Results
}

describe('psm experiment topologies', () => {
  it('chain: node 0 publishes, every node gets exactly one copy, node 9 after 9 links of 20 ms', async () => {
    const res = await run('chain', '{ kind: chain }', '--no-log')
    expect(res.summary.messages).toBeGreaterThanOrEqual(2)
    for (const m of res.messages) {
      expect(m.reachPct).toBe(100)
      expect(m.duplicates).toBe(0)
      expect(m.timeTo.p100!).toBeGreaterThanOrEqual(9 * 20)
    }
    const last = res.nodes[9]!
    expect(last.latencyP50!).toBeGreaterThanOrEqual(9 * 20)
    expect(res.nodes[1]!.latencyP50!).toBeLessThan(last.latencyP50!)
  })

  it('discovery: nodes find each other through the discovery machines and every message arrives', async () => {
    const res = await run('discovery', '{ kind: discovery, findLimit: 4 }', '--no-log')
    expect(res.summary.messages).toBeGreaterThanOrEqual(2)
    expect(res.summary.deliveryRatio).toBe(1)
    expect(res.samples.at(-1)!.connections.mean).toBeGreaterThan(1)
  })

  it('discovery over kad-dht: topics found as provider records, every message arrives, the log shows the lookups', async () => {
    const res = await run('dht', '{ kind: discovery, backend: dht, bootstrap: [0], findLimit: 4 }')
    expect(res.summary.messages).toBeGreaterThanOrEqual(2)
    expect(res.summary.deliveryRatio).toBe(1)
    const log = gunzipSync(readFileSync(join(dir, 'dht', 'transitions.jsonl.gz'))).toString()
    const lookups = log.split('\n').filter((l) => l.includes('"TopicDiscovered"') && l.includes('"via":"dht"'))
    // nodes whose bootstrap connection already gives them a topic peer need no lookup: some do
    expect(lookups.length).toBeGreaterThan(0)
    expect(lookups.some((l) => /"providers":[1-9]/.test(l))).toBe(true)
  })
})
