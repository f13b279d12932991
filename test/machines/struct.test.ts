import { describe, expect, test } from 'vitest'
import { createActor, setup } from 'xstate'
import { pubsubHostMachine } from '../../machines/pubsub-host.js'
import { deriveSchema } from '../../machines/schema.js'
import { defineStruct } from '../../machines/struct.js'
import { trivialMultiEvents } from '../../src/pubsub/driver.js'

const table = {
  type: 't',
  states: {
    Start: { add: ['Ready'] },
    Ready: { require: ['Start'] },
    Ping: { multi: true, require: ['Ready'] },
  },
} as const

describe('defineStruct', () => {
  test('the schema is the table: relations, Exception appended as a flag', () => {
    const s = defineStruct(table)
    const m = setup({ actions: s.actions }).createMachine({ context: { flags: 0 }, ...s.config() })
    expect(deriveSchema(m)).toEqual({
      type: 't',
      states: [
        { name: 'Start', add: ['Ready'] },
        { name: 'Ready', require: ['Start'] },
        { name: 'Ping', multi: true, require: ['Ready'] },
        { name: 'Exception' },
      ],
    })
  })

  test('the behaviour is the table: add, require, a Multi refused until its requirement holds', () => {
    const s = defineStruct(table)
    let pings = 0
    const m = setup({ actions: { ...s.actions, Ping: () => pings++ } }).createMachine({
      context: { flags: 0 },
      ...s.config(),
    })
    const a = createActor(m).start()
    a.send({ type: 'Ping' } as never)
    expect(pings).toBe(0)
    a.send({ type: 'add.Start' } as never)
    expect(a.getSnapshot().value).toEqual({ Start: 'active', Ready: 'active' })
    a.send({ type: 'Ping' } as never)
    expect(pings).toBe(1)
    a.send({ type: 'remove.Start' } as never)
    expect(a.getSnapshot().value).toEqual({ Start: 'inactive', Ready: 'inactive' })
  })

  test('unknown states, relations to Multi states and relations on flags are errors', () => {
    expect(() => defineStruct({ type: 'x', states: { A: { require: ['B'] } } })).toThrow('A names an unknown state B')
    expect(() => defineStruct({ type: 'x', states: { A: { add: ['M'] }, M: { multi: true } } })).toThrow(
      'a Multi state',
    )
    expect(() => defineStruct({ type: 'x', states: { A: {}, F: { require: ['A'] } }, flags: ['F'] })).toThrow(
      'flag F takes no require',
    )
  })

  test('Start held as a flag: the same schema and relations, one region fewer', () => {
    const asRegion = defineStruct(table)
    const asFlag = defineStruct({ ...table, flags: ['Start'] })
    const build = (s: typeof asRegion) =>
      setup({ actions: s.actions }).createMachine({ context: { flags: 0 }, ...s.config() })
    const m = build(asFlag)
    expect(deriveSchema(m)).toEqual(deriveSchema(build(asRegion)))
    expect(Object.keys(m.root.states)).toEqual(['Ready'])
    const a = createActor(m).start()
    const accepted = (type: string) => {
      const before = a.getSnapshot()
      a.send({ type } as never)
      return a.getSnapshot() !== before
    }
    expect(accepted('add.Start')).toBe(true)
    expect(a.getSnapshot().value).toEqual({ Ready: 'active' })
    // as a region: re-adding an active Start is refused, so its effects (add Ready) run once per activation
    a.send({ type: 'remove.Ready' } as never)
    expect(accepted('add.Start')).toBe(false)
    expect(a.getSnapshot().value).toEqual({ Ready: 'inactive' })
    expect(accepted('add.Ready')).toBe(true)
    // losing the flag drops what requires it in the same step; removing a clear flag is refused
    expect(accepted('remove.Start')).toBe(true)
    expect(a.getSnapshot().value).toEqual({ Ready: 'inactive' })
    expect(a.getSnapshot().context.flags).toBe(0)
    expect(accepted('remove.Start')).toBe(false)
  })

  test('a flag without effects takes every add and remove (its handler works per call)', () => {
    const s = defineStruct({ type: 'f', states: { Pending: {} }, flags: ['Pending'] })
    let calls = 0
    const m = setup({ actions: { ...s.actions, Pending: () => calls++ } }).createMachine({
      context: { flags: 0 },
      ...s.flatConfig(),
    })
    const a = createActor(m).start()
    a.send({ type: 'add.Pending' } as never)
    a.send({ type: 'add.Pending' } as never)
    expect(calls).toBe(2)
    a.send({ type: 'remove.Pending' } as never)
    expect(a.getSnapshot().context.flags).toBe(0)
  })

  test('a flag has no node, so behaviour on it is an error', () => {
    const s = defineStruct({ ...table, flags: ['Start'] })
    expect(() => s.config({ states: { Start: { active: { entry: 'x' } } } })).toThrow('flag Start has no node')
  })

  test('behaviour cannot replace a transition the relations define', () => {
    const s = defineStruct(table)
    expect(() => s.config({ states: { Ready: { active: { on: { 'remove.Ready': 'active' } } } } })).toThrow(
      'the behaviour of Ready redefines remove.Ready',
    )
    expect(() => s.config({ on: { Ping: {} } })).toThrow('a root transition redefines Ping')
  })

  test('a flat table stays flat: every pubsub host operation is a trivial root event', () => {
    expect(Object.keys(pubsubHostMachine.root.states)).toEqual([])
    expect(trivialMultiEvents(pubsubHostMachine).size).toBe(18)
  })
})
