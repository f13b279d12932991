// `psm scenario simple-discovery` end to end: the real binary, real hosts and gossipsub on the memory
// transport (one run over TCP), both implementations, the transition log, and failures as exit codes.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readLogFile } from '../../src/telemetry/log/reader.js'
import type { PsmRecord, TxRecord } from '../../src/telemetry/records.js'
import { runPsm } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-scenario-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function readAll(path: string): Promise<PsmRecord[]> {
  const out: PsmRecord[] = []
  for await (const r of readLogFile(path)) {
    if ('error' in r) throw new Error(`line ${r.line}: ${r.error}`)
    out.push(r.record)
  }
  return out
}

const FIELDS = [
  'scenario',
  'hosts',
  'msgs',
  'impl',
  'seed',
  'delivered',
  'expected',
  'failures',
  'failure',
  'wallMs',
  'readyMs',
  'publishMs',
  'cpuMs',
  'peakRssBytes',
  'heapAllocatedBytes',
  'gcCollectedBytes',
  'gcCount',
  'gcPauseMs',
  'latencyMs',
  'transitions',
]

describe('psm scenario simple-discovery', () => {
  it('vanilla: 10 hosts, 100 messages, everything delivered', async () => {
    const r = await runPsm([
      'scenario',
      'simple-discovery',
      '--hosts',
      '10',
      '--msgs',
      '100',
      '--impl',
      'vanilla',
      '--json',
    ])
    expect(r.code, r.stderr).toBe(0)
    const res = JSON.parse(r.stdout)
    for (const f of FIELDS) expect(res, f).toHaveProperty(f)
    expect(res).toMatchObject({ impl: 'vanilla', hosts: 10, msgs: 100, expected: 909, delivered: 909, failure: null })
    expect(res.transitions).toBe(0)
    expect(res.latencyMs.p99).toBeGreaterThanOrEqual(res.latencyMs.p50)
  })

  it('machine: 10 hosts, 100 messages, and the log shows publishes, joins and bootstraps', async () => {
    const log = join(dir, 'machine.jsonl')
    const r = await runPsm([
      'scenario',
      'simple-discovery',
      '--hosts',
      '10',
      '--msgs',
      '100',
      '--impl',
      'machine',
      '--seed',
      '7',
      '--json',
      '--log',
      log,
    ])
    expect(r.code, r.stderr).toBe(0)
    const res = JSON.parse(r.stdout)
    expect(res).toMatchObject({ impl: 'machine', seed: 7, expected: 909, delivered: 909, failures: 0, failure: null })
    expect(res.transitions).toBeGreaterThan(909)

    const records = await readAll(log)
    const machines = records.filter((x) => x.kind === 'machine')
    expect(machines.filter((m) => m.type === 'pubsub-host')).toHaveLength(10)
    expect(machines.filter((m) => m.type === 'discovery')).toHaveLength(10)
    expect(machines.filter((m) => m.type === 'bootstrap-flow')).toHaveLength(10)
    const txs = records.filter((x): x is TxRecord => x.kind === 'tx')
    const publishes = txs.filter((t) => t.event === 'PublishMessage')
    expect(publishes).toHaveLength(101)
    for (const p of publishes) expect(p.args).toMatchObject({ topic: 'foobar', msgId: expect.any(String) })
    for (let i = 0; i < 10; i++) {
      const mine = txs.filter((t) => t.machine === `ps-${i}`).map((t) => t.event)
      expect(mine.filter((e) => e !== 'init').slice(0, 2)).toEqual(['AddTopic', 'AddSubscription'])
      expect(mine).toContain('IncomingRPC')
      const disc = txs.filter((t) => t.machine === `ps-${i}-disc`)
      expect(disc.some((t) => t.event === 'TopicBootstrapped' && t.accepted)).toBe(true)
      const flow = txs.filter((t) => t.machine === `ps-${i}-disc-bf-foobar`)
      expect(flow.some((t) => t.added.includes('TopicBootstrapped'))).toBe(true)
    }
  })

  it('a recorded run writes the same log whether trivial events take the xstate step or not (virtual clock)', async () => {
    const run = async (name: string, extra: string[]) => {
      const log = join(dir, name)
      const args = ['scenario', 'simple-discovery', '--hosts', '8', '--msgs', '20', '--impl', 'machine']
      const r = await runPsm([...args, '--clock', 'virtual', '--seed', '5', '--log', log, ...extra])
      expect(r.code, r.stderr).toBe(0)
      // the step's duration is real CPU time: everything else is decided by the seed and the virtual clock
      return (await readAll(log)).map((x) => (x.kind === 'tx' ? { ...x, durationUs: 0 } : x))
    }
    const stepped = await run('stepped.jsonl', ['--full-step'])
    const unstepped = await run('unstepped.jsonl', [])
    const incoming = stepped.filter((x) => x.kind === 'tx' && x.event === 'IncomingRPC')
    expect(incoming.length).toBeGreaterThan(100)
    expect(unstepped).toEqual(stepped)
  })

  it('over TCP on 127.0.0.1, machine impl', async () => {
    const r = await runPsm([
      'scenario',
      'simple-discovery',
      '--hosts',
      '4',
      '--msgs',
      '10',
      '--impl',
      'machine',
      '--transport',
      'tcp',
      '--json',
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ delivered: 33, expected: 33, failure: null })
  })

  it('a readiness that cannot be met fails cleanly: exit 1, the JSON says why', async () => {
    const r = await runPsm([
      'scenario',
      'simple-discovery',
      '--hosts',
      '3',
      '--msgs',
      '5',
      '--impl',
      'machine',
      '--min-peers',
      '5',
      '--timeout',
      '1s',
      '--json',
    ])
    expect(r.code).toBe(1)
    const res = JSON.parse(r.stdout)
    expect(res).toMatchObject({ delivered: 0, expected: 12, failures: 1 })
    expect(res.failure).toMatch(
      /^time limit of 1000 ms ran out \(--timeout\): topic 'foobar' not ready after \d+ ms: 2 of 5 wanted topic peers$/,
    )
  })

  it('bad flags exit 2 with one line', async () => {
    for (const args of [
      ['--impl', 'other'],
      ['--hosts', '1'],
      ['--timeout', 'soon'],
    ]) {
      const r = await runPsm(['scenario', 'simple-discovery', ...args])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stdout).toBe('')
    }
    const unknown = await runPsm(['scenario', 'nope'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/unknown scenario 'nope'/)
  })
})
