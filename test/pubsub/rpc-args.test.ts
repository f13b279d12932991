// The recorded args of an IncomingRPC: sender by machine id, the first RPC_IDS message ids and a count,
// and control entries with their topics and id counts.
import { describe, expect, it } from 'vitest'
import { msgIdOf } from '../../src/pubsub/machine.js'
import { incomingRpcArgs, RPC_IDS } from '../../src/pubsub/rpc-args.js'
import { recordArgs } from '../../src/telemetry/recorder.js'

const data = (i: number) => new TextEncoder().encode(`message ${i}`)

describe('incomingRpcArgs', () => {
  it('names the first RPC_IDS messages and counts them all; the ids survive the recorder`s cut', () => {
    const messages = Array.from({ length: 7 }, (_, i) => ({ topic: 't', data: data(i) }))
    const args = incomingRpcArgs('ps-3', { messages, subscriptions: [{}] }, msgIdOf)
    expect(RPC_IDS).toBe(4)
    expect(args).toEqual({
      from: 'ps-3',
      msgs: 7,
      subs: 1,
      ids: [0, 1, 2, 3].map((i) => msgIdOf(data(i))).join(','),
      ctrl: 0,
    })
    const recorded = recordArgs(args)
    expect(String(recorded?.ids).split(',')).toEqual([0, 1, 2, 3].map((i) => msgIdOf(data(i))))
  })

  it('control entries: GRAFT / PRUNE topics, IHAVE topic×ids, IWANT / IDONTWANT id counts', () => {
    const control = {
      graft: [{ topicID: 'a' }, { topicID: 'b' }],
      prune: [{ topicID: 'c' }],
      ihave: [
        { topicID: 'a', messageIDs: [1, 2, 3] },
        { topicID: 'b', messageIDs: [4] },
      ],
      iwant: [{ messageIDs: [1, 2] }, { messageIDs: [3] }],
      idontwant: [{ messageIDs: [9, 8] }],
    }
    expect(incomingRpcArgs('ps-1', { control })).toEqual({
      from: 'ps-1',
      msgs: 0,
      subs: 0,
      graft: 'a,b',
      prune: 'c',
      ihave: 'a×3,b×1',
      iwant: 3,
      idontwant: 2,
      ctrl: 8,
    })
    // without a message id function (signed messages), ids are left out
    expect(incomingRpcArgs('ps-1', { messages: [{ data: data(1) }] })).toEqual({
      from: 'ps-1',
      msgs: 1,
      subs: 0,
      ctrl: 0,
    })
  })
})
