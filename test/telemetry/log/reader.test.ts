import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { createActor, fromPromise } from 'xstate'
import { bootstrapFlowMachine } from '../../../machines/bootstrap-flow.js'
import { pubsubHostMachine } from '../../../machines/pubsub-host.js'
import { InputError } from '../../../src/errors.js'
import { createJsonlFileSink } from '../../../src/telemetry/log/file-sink.js'
import { loadHistories, scanLog } from '../../../src/telemetry/log/reader.js'
import { createRingSink } from '../../../src/telemetry/log/ring-sink.js'
import { Recorder } from '../../../src/telemetry/recorder.js'
import { until } from '../../helpers/record.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-reader-'))

async function writeLog(file: string) {
  const rec = new Recorder({ snapshotEvery: 3, source: 'reader test' })
  const sink = createJsonlFileSink(file)
  const ring = createRingSink()
  rec.addSink(sink)
  rec.addSink(ring)
  const ps = createActor(pubsubHostMachine, rec.actorOptions('ps-0')).start()
  for (let i = 0; i < 10; i++) ps.send({ type: 'IncomingRPC', args: { msgs: i } })
  ps.send({ type: 'add.PeersDead' })
  let checks = 0
  const bf = createActor(
    bootstrapFlowMachine.provide({
      actors: { checkReady: fromPromise(async () => ++checks > 1) },
      delays: { bootstrapDelay: 1 },
    }),
    { input: { topic: 'foo' }, ...rec.actorOptions('ps-0-disc-bf-foo', 'ps-0-disc') },
  ).start()
  bf.send({ type: 'add.Start' })
  await until(() => bf.getSnapshot().matches({ Bootstrap: 'TopicBootstrapped' }))
  rec.log('ps-0', 'info', 'hello')
  await rec.close()
  return ring.records()
}

describe('log file sink and reader', () => {
  test('a recorded log round-trips: validates, counts, and replays to any seq', async () => {
    const file = join(dir, 'a.jsonl')
    const records = await writeLog(file)
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
    expect(lines).toHaveLength(records.length)
    // the file sink takes tx records field by field, the ring sink as objects: the same records
    expect(lines.map((l) => JSON.parse(l))).toEqual(records)
    const { stats, problem } = await scanLog(file)
    expect(problem).toBeUndefined()
    expect(stats.machinesByType).toEqual({ 'pubsub-host': 1, 'bootstrap-flow': 1 })
    expect(stats.activations['pubsub-host']!.IncomingRPC).toBe(10)
    expect(stats.txs).toBe(records.filter((r) => r.kind === 'tx').length)
    const h = (await loadHistories(file)).get('ps-0')!
    expect(h.stateAt(11)).toMatchObject({ active: [] })
    expect(h.stateAt(12).active).toEqual(['PeersDead'])
    const idx = h.schema.states.findIndex((s) => s.name === 'IncomingRPC')
    expect(h.stateAt(6).ticks[idx]).toBe(10) // 5 fires by seq 6 (init is seq 1)
    const bf = (await loadHistories(file)).get('ps-0-disc-bf-foo')!
    expect(bf.parent).toBe('ps-0-disc')
    expect(bf.stateAt(bf.txs.length).active).toEqual(['Start', 'TopicBootstrapped'])
  })

  test('gzip when the name ends .gz', async () => {
    const file = join(dir, 'b.jsonl.gz')
    const records = await writeLog(file)
    const text = gunzipSync(readFileSync(file)).toString('utf8')
    expect(text.trimEnd().split('\n')).toHaveLength(records.length)
    const { problem, stats } = await scanLog(file)
    expect(problem).toBeUndefined()
    expect(stats.machines).toBe(2)
  })

  test('a cut gzip is reported as truncated', async () => {
    const file = join(dir, 'c.jsonl.gz')
    await writeLog(file)
    const buf = readFileSync(file)
    writeFileSync(file, buf.subarray(0, buf.length - 20))
    const { problem } = await scanLog(file)
    expect(problem?.message).toMatch(/truncated/)
  })

  test('bad lines, truncation, a foreign file and an unknown version are named with their line', async () => {
    const good = join(dir, 'd.jsonl')
    await writeLog(good)
    const lines = readFileSync(good, 'utf8').split('\n')

    const bad = join(dir, 'bad.jsonl')
    writeFileSync(bad, [...lines.slice(0, 4), '{"kind":"tx","machine":"ps-0"}', ...lines.slice(4)].join('\n'))
    expect((await scanLog(bad)).problem).toEqual({ line: 5, message: 'tx needs machine, seq, time, event' })

    const cut = join(dir, 'cut.jsonl')
    writeFileSync(cut, lines.slice(0, 6).join('\n'))
    appendFileSync(cut, '\n{"kind":"tx","machi')
    expect((await scanLog(cut)).problem).toEqual({ line: 7, message: 'truncated: the last line is incomplete' })

    const gap = join(dir, 'gap.jsonl')
    const txLine = lines.findIndex((l) => l.includes('"kind":"tx"') && l.includes('"seq":5,'))
    writeFileSync(gap, lines.filter((_, i) => i !== txLine).join('\n'))
    expect((await scanLog(gap)).problem?.message).toMatch(/seq 6 follows 4/)

    const foreign = join(dir, 'foreign.txt')
    writeFileSync(foreign, 'hello world\n')
    await expect(scanLog(foreign)).rejects.toThrow(InputError)
    await expect(scanLog(foreign)).rejects.toThrow(/line 1: not a psm log/)

    const v2 = join(dir, 'v2.jsonl')
    writeFileSync(v2, `${lines[0]!.replace(/"version":\d+/, '"version":3')}\n`)
    await expect(scanLog(v2)).rejects.toThrow(/unknown format version 3/)

    await expect(scanLog(join(dir, 'missing.jsonl'))).rejects.toThrow(/cannot read \(ENOENT\)/)
  })

  test('version 2: msg records and a machine record that comes again with its peer id', async () => {
    const v1 = await scanLog('test/fixtures/simple-discovery.jsonl')
    expect(v1.problem).toBeUndefined()
    expect(v1.stats).toMatchObject({ version: 1, msgs: {} })

    const file = join(dir, 'v2m.jsonl')
    const rec = new Recorder({ source: 'reader test' })
    rec.addSink(createJsonlFileSink(file))
    const ps = createActor(pubsubHostMachine, rec.actorOptions('ps-0')).start()
    rec.namePeer('ps-0', '12D3KooWpeer0')
    ps.send({ type: 'IncomingRPC', args: { from: 'ps-1', msgs: 1, ids: 'm1' } })
    rec.msg({ machine: 'ps-0', mark: 'deliver', id: 'm1', topic: 't', from: 'ps-1' })
    ps.send({ type: 'IncomingRPC', args: { from: 'ps-2', msgs: 1, ids: 'm1' } })
    rec.msg({ machine: 'ps-0', mark: 'duplicate', id: 'm1', topic: 't', from: 'ps-2', seq: 3 })
    await rec.close()
    const good = await scanLog(file)
    expect(good.problem).toBeUndefined()
    expect(good.stats).toMatchObject({ version: 2, msgs: { deliver: 1, duplicate: 1 } })
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
    const machines = lines.filter((l) => l.includes('"kind":"machine"')).map((l) => JSON.parse(l))
    expect(machines.map((m) => m.peer)).toEqual([undefined, '12D3KooWpeer0'])
    expect(lines.find((l) => l.includes('"mark":"deliver"'))).toMatch(/"seq":2,/)

    const variants: Array<[string, (ls: string[]) => string[], RegExp]> = [
      [
        'undeclared',
        (ls) => [...ls, '{"kind":"msg","machine":"ps-9","seq":1,"time":1,"mark":"deliver","id":"x","topic":"t"}'],
        /msg for undeclared machine ps-9/,
      ],
      [
        'future seq',
        (ls) => [...ls, '{"kind":"msg","machine":"ps-0","seq":99,"time":1,"mark":"deliver","id":"x","topic":"t"}'],
        /names seq 99, past its last tx/,
      ],
      [
        'bad mark',
        (ls) => [...ls, '{"kind":"msg","machine":"ps-0","seq":1,"time":1,"mark":"lost","id":"x","topic":"t"}'],
        /msg mark must be one of publish, deliver, duplicate, reject/,
      ],
      ['twice', (ls) => [...ls, ls.find((l) => l.includes('"kind":"machine"'))!], /machine ps-0 declared twice/],
    ]
    for (const [name, edit, re] of variants) {
      const f = join(dir, `v2-${name.replace(' ', '-')}.jsonl`)
      writeFileSync(f, `${edit(lines).join('\n')}\n`)
      expect((await scanLog(f)).problem?.message, name).toMatch(re)
    }
  })
})
