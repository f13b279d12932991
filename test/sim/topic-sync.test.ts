// Topic sync and delivery checks, the two rooms split out of the simulator runtime, with a fake clock.
import { describe, expect, it } from 'vitest'
import { type AnyActorRef, createActor } from 'xstate'
import { topicMachine } from '../../machines/topic.js'
import { defaultSimConfig } from '../../src/config/sim.js'
import { TopicSync } from '../../src/sim/topic-sync.js'
import { DeliveryCheck } from '../../src/sim/verify.js'
import { World } from '../../src/sim/world.js'

describe('TopicSync', () => {
  it('derives the topic machine from peers and messages, and lists its states by the schema', () => {
    const config = { ...defaultSimConfig(), peaking: { ...defaultSimConfig().peaking, threshold: 2 } }
    const world = new World()
    let now = 1_000_000
    // the topic machines are the sim actor's children: here a map stands in for its children
    const children = new Map<string, AnyActorRef>()
    const sync = new TopicSync(
      world,
      config,
      () => now,
      undefined,
      (id) => children.get(id),
    )
    const t = world.addTopic('a')
    children.set(t.id, createActor(topicMachine, { id: t.id }).start())
    sync.add(t)
    expect(sync.activeStates('a')).toEqual(['Stale'])
    t.peers.add(1)
    sync.sync(t)
    expect(sync.activeStates('a')).toEqual(['Stale', 'HasPeers'])
    t.peers.add(2)
    t.msgTimes.push(now)
    sync.sync(t)
    expect(sync.activeStates('a')).toEqual(['HasPeers', 'Active', 'Peaking'])
    t.peers.clear()
    now += config.activeWindow + 1
    sync.sync(t)
    expect(sync.activeStates('a')).toEqual(['Stale'])
    sync.remove(t)
    expect(sync.activeStates('a')).toEqual([])
  })
})

describe('DeliveryCheck', () => {
  it('counts deliveries of due messages, and misses once the delivery timeout passed', () => {
    const config = defaultSimConfig()
    const world = new World()
    let now = 0
    const verified: [number, number][] = []
    const check = new DeliveryCheck(
      world,
      config,
      () => now,
      { onVerified: (r, m) => verified.push([r, m]) },
      () => {},
    )
    const t = world.addTopic('a')
    const [p1, p2] = [world.newPeer(), world.newPeer()]
    for (const p of [p1, p2]) p.topics.add(t.name)
    const msg = {
      id: 'm1-p0',
      topic: 'a',
      from: 0,
      sentAt: now,
      expected: new Set([p1.n, p2.n]),
      received: new Set<number>(),
      verifyAt: Infinity,
    }
    world.pending.set(msg.id, msg)
    check.sent(msg)
    expect(check.due()).toBe(false)
    check.received(p1.n, new TextEncoder().encode('m1-p0 0'))
    now = config.verifyDelay
    expect(check.due()).toBe(true)
    check.verify()
    expect(verified).toEqual([]) // p2 may still be on the way
    now = config.deliveryTimeout
    check.verify()
    check.stop()
    expect(verified).toEqual([[1, 1]])
    expect(world.counters).toMatchObject({ msgsRecv: 1, msgsMiss: 1 })
    expect(world.pending.size).toBe(0)
  })
})
