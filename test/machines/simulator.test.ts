import { describe, expect, test } from 'vitest'
import { fromPromise } from 'xstate'
import { deriveSchema } from '../../machines/schema.js'
import { type SimActionInput, simulatorMachine } from '../../machines/simulator.js'
import { recorded, until } from '../helpers/record.js'

describe('simulator machine', () => {
  test('schema: Start plus 13 states requiring Start, plus Exception', () => {
    const states = deriveSchema(simulatorMachine).states
    expect(states).toHaveLength(15)
    expect(states.filter((s) => s.require?.includes('Start')).map((s) => s.name)).toHaveLength(13)
  })

  test('actions are refused without Start, and when they cannot apply', async () => {
    let peers = 0
    const m = simulatorMachine.provide({
      guards: { canAddPeer: () => peers < 1 },
      actors: {
        AddPeer: fromPromise<void, SimActionInput>(async () => {
          peers++
        }),
      },
    })
    const r = recorded(m, 'sim')
    r.actor.send({ type: 'add.AddPeer' })
    expect(r.last()).toMatchObject({ accepted: false, touched: ['AddPeer'] })
    r.actor.send({ type: 'add.Start' })
    r.actor.send({ type: 'add.AddPeer' })
    expect(r.last()).toMatchObject({ accepted: true, added: ['AddPeer'] })
    await until(() => !r.active().has('AddPeer'))
    r.actor.send({ type: 'add.AddPeer' })
    expect(r.last()).toMatchObject({ accepted: false })
    expect(peers).toBe(1)
  })

  test('the heartbeat fires while started; failing work is recorded as Exception', async () => {
    let beats = 0
    const m = simulatorMachine.provide({
      delays: { heartbeat: 5 },
      actors: {
        heartbeat: fromPromise<void, SimActionInput>(async () => {
          beats++
        }),
        GC: fromPromise<void, SimActionInput>(async () => {
          throw new Error('gc failed')
        }),
      },
    })
    const r = recorded(m, 'sim')
    r.actor.send({ type: 'add.Start' })
    await until(() => beats >= 3)
    r.actor.send({ type: 'add.GC' })
    await until(() => r.active().has('Exception'))
    expect(r.txs().some((t) => t.event === 'after.heartbeat' && t.added.includes('Heartbeat'))).toBe(true)
  })
})
