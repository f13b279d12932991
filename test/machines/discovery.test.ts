import { describe, expect, test } from 'vitest'
import { fromPromise } from 'xstate'
import { discoveryMachine } from '../../machines/discovery.js'
import { recorded, until } from '../helpers/record.js'

describe('discovery machine', () => {
  test('RefreshingDiscoveries requires Start', () => {
    const r = recorded(discoveryMachine, 'ps-0-disc')
    r.actor.send({ type: 'add.RefreshingDiscoveries' })
    expect(r.last()).toMatchObject({ accepted: false, touched: ['RefreshingDiscoveries'] })
  })

  test('Start adds PoolTimer, which refreshes periodically; refreshed replaces refreshing', async () => {
    let refreshes = 0
    const m = discoveryMachine.provide({
      actors: {
        refreshDiscoveries: fromPromise<void>(async () => {
          refreshes++
        }),
      },
      delays: { poolInterval: 5 },
    })
    const r = recorded(m, 'ps-1-disc')
    r.actor.send({ type: 'add.Start' })
    expect(r.last().added).toEqual(['Start', 'PoolTimer'])
    await until(() => refreshes >= 2)
    await until(() => r.active().has('DiscoveriesRefreshed'))
    const refreshing = r.txs().filter((t) => t.added.includes('RefreshingDiscoveries'))
    expect(refreshing.length).toBeGreaterThanOrEqual(2)
    expect(refreshing[1]!.removed).toContain('DiscoveriesRefreshed')
  })

  test('leaving a topic with work in progress is refused (negotiation guard)', () => {
    let busy = true
    const stopped: string[] = []
    const m = discoveryMachine.provide({
      guards: { canStopAdvertising: () => !busy },
      actions: { StopAdvertisingTopic: ({ event }) => stopped.push((event as { args: { topic: string } }).args.topic) },
    })
    const r = recorded(m, 'ps-2-disc')
    r.actor.send({ type: 'StopAdvertisingTopic', args: { topic: 'x' } })
    expect(r.last()).toMatchObject({ accepted: false })
    busy = false
    r.actor.send({ type: 'StopAdvertisingTopic', args: { topic: 'x' } })
    expect(r.last()).toMatchObject({ accepted: true, touched: ['StopAdvertisingTopic'] })
    expect(stopped).toEqual(['x'])
  })
})
