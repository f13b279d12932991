import { describe, expect, test } from 'vitest'
import { createActor } from 'xstate'
import { pubsubHostMachine } from '../../machines/pubsub-host.js'
import { topicMachine } from '../../machines/topic.js'
import { createRingSink } from '../../src/telemetry/log/ring-sink.js'
import { eventName, Recorder, recordArgs } from '../../src/telemetry/recorder.js'
import type { SnapshotRecord } from '../../src/telemetry/records.js'

describe('recorder', () => {
  test('header first, then a machine record with parent and derived schema', () => {
    const rec = new Recorder({ source: 'test' })
    const ring = createRingSink()
    rec.addSink(ring)
    createActor(topicMachine, rec.actorOptions('sim-t-x', 'sim')).start()
    const [h, m] = ring.records()
    expect(h).toMatchObject({ kind: 'header', format: 'psm-log', version: 2, source: 'test' })
    expect(m).toMatchObject({ kind: 'machine', id: 'sim-t-x', parent: 'sim', type: 'topic' })
    expect(m?.kind === 'machine' && m.schema.states.map((s) => s.name)).toEqual([
      'Stale',
      'HasPeers',
      'Active',
      'Peaking',
      'Exception',
    ])
  })

  test('peers by name: a host named before its actor carries its peer id; one named after is declared again to the sinks only', () => {
    const rec = new Recorder()
    const ring = createRingSink()
    rec.addSink(ring)
    const heard: string[] = []
    rec.subscribe((r) => {
      if (r.kind === 'machine') heard.push(`${r.id}:${r.peer ?? '-'}`)
    })
    rec.namePeer('ps-0', 'PEER0')
    createActor(pubsubHostMachine, rec.actorOptions('ps-0')).start()
    createActor(pubsubHostMachine, rec.actorOptions('ps-1')).start()
    rec.namePeer('ps-1', 'PEER1')
    expect(rec.peerName('PEER1')).toBe('ps-1')
    expect(rec.peerName('other')).toBe('other')
    const machines = ring.records().flatMap((r) => (r.kind === 'machine' ? [`${r.id}:${r.peer ?? '-'}`] : []))
    expect(machines).toEqual(['ps-0:PEER0', 'ps-1:-', 'ps-1:PEER1'])
    expect(heard).toEqual(['ps-0:PEER0', 'ps-1:-'])
    rec.msg({ machine: 'ps-1', mark: 'deliver', id: 'm', topic: 't', from: 'ps-0' })
    expect(ring.records().at(-1)).toMatchObject({ kind: 'msg', machine: 'ps-1', seq: 1, mark: 'deliver', from: 'ps-0' })
  })

  test('ticks: odd while active, +1 per (de)activation, +2 per Multi fire; snapshots every N', () => {
    const rec = new Recorder({ snapshotEvery: 4 })
    const ring = createRingSink()
    rec.addSink(ring)
    const a = createActor(pubsubHostMachine, rec.actorOptions('ps-0')).start() // seq 1: init
    a.send({ type: 'add.PeersPending' }) // 2
    a.send({ type: 'GetPeers', args: {} }) // 3
    a.send({ type: 'GetPeers', args: {} }) // 4 → snapshot
    const snap = ring.records().find((r): r is SnapshotRecord => r.kind === 'snapshot')
    expect(snap).toBeDefined()
    expect(snap!.seq).toBe(4)
    expect(snap!.active).toEqual(['PeersPending'])
    expect(snap!.ticks[0]).toBe(1) // PeersPending active once
    expect(snap!.ticks[2]).toBe(4) // GetPeers fired twice
    a.send({ type: 'remove.PeersPending' })
    a.send({ type: 'add.PeersPending' })
    a.send({ type: 'add.PeersDead' })
    a.send({ type: 'GetTopics', args: {} }) // 8 → snapshot
    const snaps = ring.records().filter((r): r is SnapshotRecord => r.kind === 'snapshot')
    expect(snaps[1]!.ticks.slice(0, 3)).toEqual([3, 1, 4])
  })

  test('an unstepped record equals the stepped one; refused while another observer inspects the system', () => {
    const records = (unstepped: boolean) => {
      const rec = new Recorder({ now: () => 0 })
      const ring = createRingSink()
      rec.addSink(ring)
      const a = createActor(pubsubHostMachine, rec.actorOptions('ps-0')).start()
      a.send({ type: 'add.PeersPending' })
      const args = { from: 'ps-1', msgs: 1 }
      if (unstepped) {
        expect(rec.canRecordUnstepped(a)).toBe(true)
        rec.recordUnstepped(a, 'IncomingRPC', args, 0)
      } else a.send({ type: 'IncomingRPC', args } as never)
      a.send({ type: 'GetPeers', args: {} })
      return ring.records().map((r) => ({ ...r, durationUs: 0 }))
    }
    const stepped = records(false)
    expect(stepped.some((r) => r.kind === 'tx' && r.event === 'IncomingRPC' && r.accepted)).toBe(true)
    expect(records(true)).toEqual(stepped)

    const rec = new Recorder()
    const a = createActor(pubsubHostMachine, rec.actorOptions('ps-0')).start()
    expect(rec.canRecordUnstepped(a)).toBe(true)
    a.system.inspect(() => {}) // e.g. a Stately inspector: it must see every step
    expect(rec.canRecordUnstepped(a)).toBe(false)
    const other = createActor(pubsubHostMachine).start() // not recorded here
    expect(rec.canRecordUnstepped(other)).toBe(false)
  })

  test('an event sent while the actor is busy is recorded under its own name, after the one in progress', () => {
    const rec = new Recorder()
    const ring = createRingSink()
    rec.addSink(ring)
    const m = pubsubHostMachine.provide({
      actions: {
        // sent from inside a transition: xstate queues it until this one ends
        GetPeers: ({ self }) => self.send({ type: 'add.PeersDead' }),
      },
    })
    const a = createActor(m, rec.actorOptions('ps-q')).start()
    a.send({ type: 'GetPeers', args: { n: 1 } })
    const txs = ring.records().filter((r) => r.kind === 'tx')
    expect(txs.map((t) => (t.kind === 'tx' ? [t.event, t.added] : []))).toEqual([
      ['init', []],
      ['GetPeers', []],
      ['add.PeersDead', ['PeersDead']],
    ])
    expect(txs[1]).toMatchObject({ args: { n: 1 }, accepted: true, touched: ['GetPeers'] })
  })

  test('args keep primitives only; xstate internal events get short names', () => {
    expect(recordArgs({ topic: 't', n: 1, ok: true, data: new Uint8Array(3), fn: () => 1, big: 5n })).toEqual({
      topic: 't',
      n: 1,
      ok: true,
      big: '5',
    })
    expect(recordArgs(undefined)).toBeUndefined()
    expect(eventName('xstate.done.actor.connect')).toBe('done.connect')
    expect(eventName('xstate.after.heartbeat.simulator.Start.active')).toBe('after.heartbeat')
    expect(eventName('PublishMessage')).toBe('PublishMessage')
  })

  test('a sink that throws never reaches the machine; detach records a stop', () => {
    const rec = new Recorder()
    rec.addSink({
      name: 'bad',
      write() {
        throw new Error('sink broke')
      },
      dropped: () => 0,
      close: async () => {},
    })
    const ring = createRingSink()
    rec.addSink(ring)
    const a = createActor(pubsubHostMachine, rec.actorOptions('ps-1')).start()
    expect(() => a.send({ type: 'GetPeers', args: {} })).not.toThrow()
    rec.detach('ps-1')
    expect(ring.records().at(-1)).toMatchObject({ kind: 'stop', machine: 'ps-1', seq: 2 })
    expect(rec.transitions()).toBe(2)
  })

  test('the ring sink keeps the newest records and counts what it overwrote', () => {
    const ring = createRingSink(3)
    for (let i = 1; i <= 5; i++) ring.write({ kind: 'log', machine: 'm', seq: i, level: 'info', text: String(i) })
    expect(ring.records().map((r) => (r.kind === 'log' ? r.seq : 0))).toEqual([3, 4, 5])
    expect(ring.dropped()).toBe(2)
  })
  test('an observer added to a recorded system later sees every event, and the recorder still records', () => {
    const rec = new Recorder()
    const ring = createRingSink()
    rec.addSink(ring)
    const a = createActor(pubsubHostMachine, rec.actorOptions('ps-o')).start()
    a.send({ type: 'add.PeersPending' })
    const seen: string[] = []
    a.system.inspect((ev) => {
      if (ev.type === '@xstate.snapshot') seen.push((ev.event as { type: string }).type)
    })
    a.send({ type: 'GetPeers', args: {} })
    a.send({ type: 'remove.PeersPending' })
    expect(seen).toEqual(['GetPeers', 'remove.PeersPending'])
    const txs = ring.records().filter((r) => r.kind === 'tx')
    expect(txs.map((r) => r.kind === 'tx' && r.event)).toEqual([
      'init',
      'add.PeersPending',
      'GetPeers',
      'remove.PeersPending',
    ])
    expect(txs.map((r) => r.kind === 'tx' && r.seq)).toEqual([1, 2, 3, 4])
  })
})
