import { describe, expect, test } from 'vitest'
import { PUBSUB_HOST_MULTI, pubsubHostMachine } from '../../machines/pubsub-host.js'
import { deriveSchema } from '../../machines/schema.js'
import { recorded } from '../helpers/record.js'

describe('pubsub host machine', () => {
  test('schema: 2 plain states, 18 Multi states, Exception', () => {
    const schema = deriveSchema(pubsubHostMachine)
    expect(schema.states.map((s) => s.name)).toEqual(['PeersPending', 'PeersDead', ...PUBSUB_HOST_MULTI, 'Exception'])
    expect(schema.states.filter((s) => s.multi)).toHaveLength(18)
  })

  test('a Multi state fires on every call with its args, and each fire is counted', () => {
    const calls: unknown[] = []
    const m = pubsubHostMachine.provide({
      actions: { PublishMessage: ({ event }) => calls.push((event as { args: unknown }).args) },
    })
    const r = recorded(m, 'ps-0')
    for (let i = 0; i < 3; i++) r.actor.send({ type: 'PublishMessage', args: { topic: 'foo', msgId: `m${i}` } })
    expect(calls).toEqual([
      { topic: 'foo', msgId: 'm0' },
      { topic: 'foo', msgId: 'm1' },
      { topic: 'foo', msgId: 'm2' },
    ])
    const fires = r.txs().filter((t) => t.event === 'PublishMessage')
    expect(fires).toHaveLength(3)
    expect(fires.every((t) => t.accepted && t.touched.includes('PublishMessage') && t.added.length === 0)).toBe(true)
    expect(fires[2]!.args).toEqual({ topic: 'foo', msgId: 'm2' })
  })

  test('the caller promise settles from the machine (reply)', async () => {
    const m = pubsubHostMachine.provide({
      actions: {
        GetTopics: ({ event }) => (event as { reply?: { resolve(v: unknown): void } }).reply?.resolve(['a', 'b']),
      },
    })
    const r = recorded(m, 'ps-1')
    const topics = await new Promise((resolve, reject) =>
      r.actor.send({ type: 'GetTopics', args: {}, reply: { resolve, reject } }),
    )
    expect(topics).toEqual(['a', 'b'])
  })

  test('plain states and Exception are flags; the machine stays usable after an Exception', () => {
    const r = recorded(pubsubHostMachine, 'ps-2')
    r.actor.send({ type: 'add.PeersPending' })
    expect(r.last().added).toEqual(['PeersPending'])
    r.actor.send({ type: 'Exception', args: { error: 'boom' } })
    expect(r.active()).toEqual(new Set(['PeersPending', 'Exception']))
    r.actor.send({ type: 'PublishMessage', args: { topic: 't' } })
    expect(r.last().accepted).toBe(true)
    r.actor.send({ type: 'remove.PeersPending' })
    r.actor.send({ type: 'remove.Exception' })
    expect(r.active()).toEqual(new Set())
  })
})
