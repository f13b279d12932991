import { describe, expect, test } from 'vitest'
import { deriveSchema } from '../../machines/schema.js'
import { topicMachine } from '../../machines/topic.js'
import { recorded } from '../helpers/record.js'

describe('topic machine', () => {
  test('schema', () => {
    expect(deriveSchema(topicMachine).states.map((s) => s.name)).toEqual([
      'Stale',
      'HasPeers',
      'Active',
      'Peaking',
      'Exception',
    ])
  })

  test('Stale is auto: active from the start, removed by Active, back when Active ends', () => {
    const r = recorded(topicMachine, 'sim-t-a')
    expect(r.txs()[0]!.added).toEqual(['Stale'])
    r.actor.send({ type: 'add.Active' })
    expect(r.last()).toMatchObject({ added: ['Active'], removed: ['Stale'] })
    r.actor.send({ type: 'remove.Active' })
    expect(r.active()).toEqual(new Set(['Stale']))
  })

  test('Peaking requires HasPeers: refused without it, dropped when HasPeers goes', () => {
    const r = recorded(topicMachine, 'sim-t-b')
    r.actor.send({ type: 'add.Peaking' })
    expect(r.last()).toMatchObject({ event: 'add.Peaking', accepted: false, added: [], touched: ['Peaking'] })
    r.actor.send({ type: 'add.HasPeers' })
    r.actor.send({ type: 'add.Peaking' })
    expect(r.last()).toMatchObject({ accepted: true, added: ['Peaking'], removed: ['Stale'] })
    r.actor.send({ type: 'remove.HasPeers' })
    expect(r.active()).toEqual(new Set(['Stale']))
  })
})
