// `psm dht run --impl machine --log FILE`: each node's provide and retrieve go through its discovery
// machine; the transition log holds them, passes `psm log validate` and loads in psm dbg's model. Real
// kad-dht nodes on the memory transport, virtual clock.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openLog } from '../../src/dbg/load/file-loader.js'
import { DbgModel } from '../../src/dbg/model/model.js'
import { runPsm } from '../helpers/cli.js'
import { dhtRun, readLog } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-dht-machine-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('psm dht run --impl machine', () => {
  it('the log holds each node’s provide and lookup transitions; it validates and loads in psm dbg', async () => {
    const log = join(dir, 'ok.jsonl')
    const r = await dhtRun(join(dir, 'ok'), [
      '--nodes',
      '12',
      '--rounds',
      '3',
      '--retrievers',
      '4',
      '--seed',
      '5',
      '--db',
      'none',
      '--log',
      log,
    ])
    expect(r.results.config.impl).toBe('machine')
    expect(r.ops).toHaveLength(3 * 5)
    expect(r.ops.every((o) => o.success)).toBe(true)
    const recs = readLog(log)
    expect(recs[0]).toMatchObject({ kind: 'header', source: 'psm dht run' })
    const txs = recs.filter((x) => x.kind === 'tx')
    // one AdvertisingTopic per provide, one DiscoveringTopic and one TopicDiscovered per retrieval, on the
    // discovery actor of the node that did it, the CID as the topic
    for (const o of r.ops) {
      const on = txs.filter((x) => x.machine === `dht-${o.node}-disc` && x.args?.topic === o.cid && x.accepted)
      if (o.kind === 'provide') {
        expect(on.map((x) => x.event)).toEqual(['AdvertisingTopic'])
      } else {
        expect(on.map((x) => x.event)).toEqual(['DiscoveringTopic', 'TopicDiscovered'])
        expect(on[1]!.args).toMatchObject({ via: 'dht', found: o.providersFound, round: o.round })
        expect(on[1]!.args?.error).toBeUndefined()
      }
    }
    const machines = new Set(
      recs.filter((x) => x.kind === 'machine').map((x) => x.machine ?? (x as { id?: string }).id),
    )
    expect(machines.size).toBe(12)
    const v = await runPsm(['log', 'validate', log])
    expect(v.code, v.stderr).toBe(0)
    const model = new DbgModel({ source: log })
    await (await openLog(log)).load(model)
    expect(model.malformed).toBe(0)
    expect(model.machines.map((m) => m.id)).toContain('dht-0-disc')
    expect(model.txCount).toBe(txs.length)
  }, 600_000)

  it('a failing lookup is an Exception and a TopicDiscovered with its error in the args, not a crash', async () => {
    // every link takes 40 ms and an operation must end within 30 ms: lookups that leave the node time out
    const log = join(dir, 'fail.jsonl')
    const r = await dhtRun(join(dir, 'fail'), [
      '--nodes',
      '10',
      '--rounds',
      '2',
      '--retrievers',
      '4',
      '--seed',
      '3',
      '--db',
      'none',
      '--latency',
      '40ms',
      '--op-timeout',
      '30ms',
      '--impl',
      'machine',
      '--log',
      log,
    ])
    const failed = r.ops.filter((o) => o.kind === 'retrieve' && !o.success)
    expect(failed.length).toBeGreaterThan(0)
    const txs = readLog(log).filter((x) => x.kind === 'tx')
    for (const o of failed) {
      const on = txs.filter((x) => x.machine === `dht-${o.node}-disc` && x.args?.topic === o.cid)
      const found = on.find((x) => x.event === 'TopicDiscovered')
      expect(found?.args).toMatchObject({ error: o.error, found: 0 })
      const exc = on.find((x) => x.event === 'Exception')
      expect(exc?.accepted).toBe(true)
      expect(exc?.args).toMatchObject({ error: o.error, op: 'retrieve' })
    }
    expect(failed.some((o) => o.error === 'timeout')).toBe(true)
    expect((await runPsm(['log', 'validate', log])).code).toBe(0)
  }, 600_000)

  it('a log without the machine implementation, or the machines over --procs, is refused: one line, exit 2', async () => {
    const a = await runPsm(['dht', 'run', '--nodes', '8', '--impl', 'vanilla', '--log', join(dir, 'x.jsonl')])
    expect(a.code).toBe(2)
    expect(a.stderr.trim().split('\n')).toHaveLength(1)
    expect(a.stderr).toMatch(/log needs impl machine/)
    const b = await runPsm(['dht', 'run', '--nodes', '8', '--impl', 'machine', '--procs', '2'])
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/impl machine .* cannot run with procs 2/)
    const c = await runPsm(['dht', 'run', '--nodes', '8', '--impl', 'fsm'])
    expect(c.code).toBe(2)
    expect(c.stderr.trim().split('\n')).toHaveLength(1)
  }, 120_000)
})
