import { describe, expect, test } from 'vitest'
import { fromPromise } from 'xstate'
import { bootstrapFlowMachine } from '../../machines/bootstrap-flow.js'
import { recorded, until } from '../helpers/record.js'

describe('bootstrap flow machine', () => {
  test('loops check → discover → delay → check until ready', async () => {
    let checks = 0
    const discovered: string[] = []
    let bootstrapped = 0
    const m = bootstrapFlowMachine.provide({
      actors: {
        checkReady: fromPromise(async () => ++checks >= 3),
        discoverTopic: fromPromise(async ({ input }: { input: { topic: string } }) => {
          discovered.push(input.topic)
        }),
      },
      delays: { bootstrapDelay: 1 },
      actions: { bootstrapped: () => bootstrapped++ },
    })
    const r = recorded(m, 'ps-0-disc-bf-foo', { topic: 'foo' })
    r.actor.send({ type: 'add.Start' })
    await until(() => r.active().has('TopicBootstrapped'))
    const entered = r.txs().flatMap((t) => t.added.filter((a) => a !== 'Start'))
    expect(entered).toEqual([
      'BootstrapChecking',
      'DiscoveringTopic',
      'BootstrapDelay',
      'BootstrapChecking',
      'DiscoveringTopic',
      'BootstrapDelay',
      'BootstrapChecking',
      'TopicBootstrapped',
    ])
    expect(discovered).toEqual(['foo', 'foo'])
    expect(bootstrapped).toBe(1)
  })

  test('Start adds BootstrapChecking; the group is exclusive', async () => {
    const m = bootstrapFlowMachine.provide({
      actors: { checkReady: fromPromise(() => new Promise<boolean>(() => {})) },
    })
    const r = recorded(m, 'ps-1-disc-bf-bar', { topic: 'bar' })
    r.actor.send({ type: 'add.Start' })
    expect(r.last().added).toEqual(['Start', 'BootstrapChecking'])
    r.actor.send({ type: 'add.BootstrapDelay' })
    expect(r.last()).toMatchObject({ accepted: false })
    expect(r.active()).toEqual(new Set(['Start', 'BootstrapChecking']))
  })
})
