import { describe, expect, test } from 'vitest'
import { type AnyActorRef, fromPromise } from 'xstate'
import { deriveSchema } from '../../machines/schema.js'
import { simPeerMachine } from '../../machines/sim-peer.js'
import { simulatorMachine } from '../../machines/simulator.js'
import { recorded, tick, until } from '../helpers/record.js'

function fakePeer() {
  const forwarded: unknown[] = []
  let connect!: () => void
  const machine = simPeerMachine.provide({
    actors: {
      connect: fromPromise(() => new Promise<void>((r) => (connect = r))),
      disconnect: fromPromise(async () => {}),
    },
    actions: { forwardToSim: ({ event }) => forwarded.push((event as { args?: unknown }).args) },
  })
  return { machine, forwarded, connect: () => connect() }
}

const GROUPS = [
  ['GenIdentity', 'IdentityReady'],
  ['Connecting', 'Connected', 'Disconnecting'],
]

describe('sim peer machine', () => {
  test('schema has the 17 states of the design plus Exception', () => {
    const names = deriveSchema(simPeerMachine).states.map((s) => s.name)
    expect(names).toHaveLength(18)
    for (const n of ['Start', 'IsDHT', 'BootstrapsConnected', 'FwdToSim', 'Ready', 'GenIdentity', 'IdentityReady']) {
      expect(names).toContain(n)
    }
  })

  test('identity is auto; connection goes Connecting → Connected → Disconnecting and drops BootstrapsConnected', async () => {
    const f = fakePeer()
    const r = recorded(f.machine, 'sim-p1', { peer: 'p1' })
    await until(() => r.active().has('IdentityReady'))
    expect(r.active().has('Connecting')).toBe(false) // requires Start
    r.actor.send({ type: 'add.Start' })
    await until(() => r.active().has('Connecting'))
    f.connect()
    await until(() => r.active().has('Connected'))
    expect(r.active().has('Ready')).toBe(true) // auto, requires Start + Connected
    r.actor.send({ type: 'add.BootstrapsConnected' })
    r.actor.send({ type: 'add.Disconnecting' })
    expect(r.last()).toMatchObject({ added: ['Disconnecting'] })
    expect(r.last().removed).toEqual(expect.arrayContaining(['Connected', 'Ready', 'BootstrapsConnected']))
    await until(() => !r.active().has('Disconnecting'))
    // stopped: Start left in the same step, so Connecting does not fire again
    await tick(10)
    expect(r.active()).toEqual(new Set(['IdentityReady']))
    // exclusive groups never have two members active, at any point of the history
    const active = new Set<string>()
    for (const tx of r.txs()) {
      for (const a of tx.added) active.add(a)
      for (const x of tx.removed) active.delete(x)
      for (const g of GROUPS) expect(g.filter((s) => active.has(s)).length).toBeLessThanOrEqual(1)
    }
  })

  test('Multi pairs require Connected; completions add FwdToSim which forwards to the simulator', async () => {
    const f = fakePeer()
    const r = recorded(f.machine, 'sim-p2', { peer: 'p2' })
    r.actor.send({ type: 'JoiningTopic', args: { topic: 't1' } })
    expect(r.last()).toMatchObject({ event: 'JoiningTopic', accepted: false })
    r.actor.send({ type: 'add.Start' })
    await until(() => r.active().has('Connecting'))
    f.connect()
    await until(() => r.active().has('Ready'))
    r.actor.send({ type: 'JoiningTopic', args: { topic: 't1' } })
    expect(r.last()).toMatchObject({ accepted: true, touched: ['JoiningTopic'] })
    r.actor.send({ type: 'TopicJoined', args: { topic: 't1' } })
    expect(r.last()).toMatchObject({ accepted: true, added: ['FwdToSim'] })
    expect(f.forwarded).toEqual([{ state: 'TopicJoined', topic: 't1' }])
    await until(() => !r.active().has('FwdToSim'))
  })

  test('EventHostConnected requires Start and adds Connected', async () => {
    const f = fakePeer()
    const r = recorded(f.machine, 'sim-p3', { peer: 'p3' })
    r.actor.send({ type: 'EventHostConnected', args: {} })
    expect(r.last().accepted).toBe(false)
    r.actor.send({ type: 'add.Start' })
    await until(() => r.active().has('Connecting'))
    r.actor.send({ type: 'EventHostConnected', args: {} })
    expect(r.last()).toMatchObject({ accepted: true })
    expect(r.last().added).toContain('Connected')
    expect(r.last().removed).toContain('Connecting')
  })

  test("connecting spawns the host machine as a child; a child that fails is the peer's Exception", async () => {
    const m = simPeerMachine.provide({
      actors: {
        connect: fromPromise(() => new Promise<void>(() => {})),
        // a host that fails at once: any logic may stand in for the child machine
        pubsubHost: fromPromise(async () => {
          throw new Error('host failed')
        }) as never,
      },
    })
    const r = recorded(m, 'sim-p4', { peer: 'sim-p4', host: 'ps-4' })
    r.actor.send({ type: 'add.Start' })
    await until(() => r.active().has('Exception'))
    expect(r.txs().map((t) => t.event)).toContain('error.ps-4')
    // the peer goes on: the failure is its state, not its end
    expect(r.actor.getSnapshot().status).toBe('active')
    expect(r.records()).toContainEqual(expect.objectContaining({ kind: 'machine', id: 'sim-p4', parent: null }))
  })

  test('the host child is recorded under the peer, the peer under the simulator that spawned it', async () => {
    const r = recorded(simulatorMachine, 'sim')
    r.actor.send({ type: 'add.Start' })
    r.actor.send({ type: 'add.AddPeer', args: { peer: 5 } })
    const peer = r.actor.getSnapshot().children['sim-p5'] as AnyActorRef
    peer.send({ type: 'add.Start' })
    await until(() => r.records().some((x) => x.kind === 'machine' && x.id === 'ps-5'))
    const machines = r.records().filter((x) => x.kind === 'machine')
    expect(machines).toContainEqual(expect.objectContaining({ id: 'sim-p5', parent: 'sim', type: 'sim-peer' }))
    expect(machines).toContainEqual(expect.objectContaining({ id: 'ps-5', parent: 'sim-p5', type: 'pubsub-host' }))
    r.actor.stop()
  })
})
