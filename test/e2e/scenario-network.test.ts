// `psm scenario` with a network model, end to end: the real binary, real hosts and gossipsub, shaped by
// --latency / --network; the JSON's latency and net figures, the log header's network entry, and bad
// model flags as one line with exit 2.
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { scanLog } from '../../src/telemetry/log/reader.js'
import { runPsm } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-scenario-net-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const scenario = (hosts: number, msgs: number, ...more: string[]) => [
  'scenario',
  'simple-discovery',
  '--hosts',
  String(hosts),
  '--msgs',
  String(msgs),
  '--impl',
  'machine',
  '--json',
  ...more,
]

describe('psm scenario with a network model', () => {
  it('--latency 50ms: every delivery pays at least 50 ms; the JSON has net figures, the log header the model', async () => {
    const log = join(dir, 'latency.jsonl')
    const r = await runPsm(scenario(4, 20, '--latency', '50ms', '--log', log))
    expect(r.code, r.stderr).toBe(0)
    const res = JSON.parse(r.stdout)
    expect(res).toMatchObject({ delivered: 63, expected: 63, failure: null })
    expect(res.latencyMs.p50).toBeGreaterThanOrEqual(50)
    expect(res.latencyMs.p99).toBeGreaterThanOrEqual(res.latencyMs.p50)
    expect(res.readyMs).toBeGreaterThan(0)
    expect(res.net.source).toBe('inline')
    // framing, identify, subscriptions and 21 messages: some kilobytes each way
    expect(res.net.bytesSentPerHost).toBeGreaterThan(1000)
    expect(res.net.bytesRecvPerHost).toBeGreaterThan(1000)
    expect(Object.keys(res.net.uplinkQueueMs).sort()).toEqual(['max', 'p50', 'p99'])

    const { stats, problem } = await scanLog(log)
    expect(problem).toBeUndefined()
    expect(stats.network).toMatchObject({ seed: 1, inline: { latency: { kind: 'constant', ms: 50 } } })
    const text = await runPsm(['log', 'stats', log])
    expect(text.stdout).toMatch(/^network: +inline model, seed 1$/m)
    expect((await runPsm(['log', 'validate', log])).code).toBe(0)
  })

  it('without a model: net is null and the log header has no network entry', async () => {
    const log = join(dir, 'none.jsonl')
    const r = await runPsm(scenario(3, 3, '--log', log))
    expect(r.code, r.stderr).toBe(0)
    const res = JSON.parse(r.stdout)
    expect(res.net).toBeNull()
    expect(res.latencyMs.p50).toBeLessThan(50)
    const { stats, problem } = await scanLog(log)
    expect(problem).toBeUndefined()
    expect(stats.network).toBeUndefined()
  })

  it("--network networks/oar-example.txt: hosts take the matrix's latencies; the header holds the file's sha256", async () => {
    const log = join(dir, 'oar.jsonl')
    const r = await runPsm(scenario(5, 10, '--network', 'networks/oar-example.txt', '--log', log))
    expect(r.code, r.stderr).toBe(0)
    const res = JSON.parse(r.stdout)
    expect(res).toMatchObject({ delivered: 44, expected: 44, failure: null })
    expect(res.net.source).toBe('networks/oar-example.txt')
    // host 4's nearest host is 84.7 ms away (column 4 of the matrix): a delivery to it takes at least that
    expect(res.latencyMs.max).toBeGreaterThanOrEqual(84)
    const { stats } = await scanLog(log)
    const sha256 = createHash('sha256').update(readFileSync('networks/oar-example.txt')).digest('hex')
    expect(stats.network).toEqual({ file: 'networks/oar-example.txt', sha256, seed: 1 })
  })

  it('bad models and shorthands: exit 2 with one line naming the problem', async () => {
    const badMatrix = join(dir, 'bad.txt')
    writeFileSync(badMatrix, '0 5 1\n7 0\n')
    const badGraph = join(dir, 'bad.gml')
    writeFileSync(badGraph, 'graph [\n  node [ id 0\n')
    const cases: Array<[string[], RegExp]> = [
      [['--latency', '5parsecs'], /^psm scenario: --latency: '5parsecs' is not a latency with a unit/],
      [['--bandwidth', '50Mb'], /^psm scenario: --bandwidth: '50Mb' is not a rate/],
      [['--network', badMatrix], /bad\.txt:1: the matrix is not square/],
      [['--network', badGraph], /bad\.gml:\d+: /],
      [['--network', join(dir, 'none.yml')], /none\.yml: cannot read the network model: no such file/],
      [['--network', 'README.md'], /README\.md: not a network model file/],
      [['--network', 'networks/lan.yml', '--latency', '3ms'], /--network and --latency exclude each other/],
    ]
    for (const [flags, want] of cases) {
      const r = await runPsm(scenario(2, 1, ...flags))
      expect(r.code, `${flags.join(' ')}: ${r.stderr}`).toBe(2)
      const lines = r.stderr.trim().split('\n')
      expect(lines, flags.join(' ')).toHaveLength(1)
      expect(lines[0]).toMatch(want)
      expect(r.stdout).toBe('')
    }
  })
})
