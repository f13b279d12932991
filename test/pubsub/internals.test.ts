// The door to gossipsub's internals against the installed gossipsub: every member it names exists, and
// gossipsub still reaches each replaced one through `this` while real hosts connect, exchange RPCs,
// validate, fail a stream and drop a peer. An upgrade that renames or inlines one fails here.
import { afterEach, describe, expect, it } from 'vitest'
import type { Host } from '../../src/net/host.js'
import {
  GossipsubInternals,
  INTERNAL_FIELDS,
  INTERNAL_METHODS,
  type InternalMethod,
  type InternalMethods,
} from '../../src/pubsub/internals.js'
import { machinePubsub } from '../../src/pubsub/machine.js'
import { vanillaPubsub } from '../../src/pubsub/vanilla.js'
import { createHosts, enc, stopAll, subscribedBy, TopicValidatorResult } from './helpers.js'

interface Counter {
  counts: Record<InternalMethod, number>
  /** resolves once the method has been called `n` times in all */
  until(name: InternalMethod, n?: number): Promise<void>
}

/** Replaces every method with one that counts its calls and runs gossipsub's own. */
function countCalls(door: GossipsubInternals): Counter {
  const counts = Object.fromEntries(INTERNAL_METHODS.map((n) => [n, 0])) as Record<InternalMethod, number>
  const waiters: Array<() => boolean> = []
  const counted: Partial<Record<InternalMethod, unknown>> = {}
  for (const name of INTERNAL_METHODS) {
    const own = door.original[name] as (...args: unknown[]) => unknown
    counted[name] = (...args: unknown[]) => {
      counts[name]++
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!()) waiters.splice(i, 1)
      return own(...args)
    }
  }
  door.replace(counted as Partial<InternalMethods>)
  const until = (name: InternalMethod, n = 1) =>
    new Promise<void>((resolve) => {
      const done = () => {
        if (counts[name] < n) return false
        resolve()
        return true
      }
      if (!done()) waiters.push(done)
    })
  return { counts, until }
}

describe('GossipsubInternals', () => {
  let hosts: Host[] = []
  afterEach(async () => {
    await stopAll(hosts)
    hosts = []
  })

  it('names methods and fields that exist in the installed gossipsub', async () => {
    const { GossipSub } = await import('../../node_modules/@libp2p/gossipsub/dist/src/gossipsub.js')
    const proto = GossipSub.prototype as unknown as Record<string, unknown>
    for (const name of INTERNAL_METHODS) expect(typeof proto[name], name).toBe('function')
    hosts = await createHosts(2, vanillaPubsub)
    const [a, b] = hosts as [Host, Host]
    const fields = a.services.pubsub as unknown as Record<string, unknown>
    for (const name of INTERNAL_FIELDS) expect(fields[name], name).toBeInstanceOf(Map)
    a.services.pubsub.subscribe('t')
    b.services.pubsub.subscribe('t')
    await a.dial(b.getMultiaddrs()[0]!)
    await subscribedBy(a, b, 't')
    // b hears a's subscription once a's outbound stream is open
    await subscribedBy(b, a, 't')
    const door = new GossipsubInternals(a.services.pubsub)
    expect(door.hasPeer(b.peerId.toString())).toBe(true)
    expect(door.hasPeer(a.peerId.toString())).toBe(false)
    expect(door.outboundStream(b.peerId.toString())).toBeInstanceOf(EventTarget)
  })

  it('gossipsub calls every replaced method through `this` as real peers come, talk and go', async () => {
    hosts = await createHosts(2, vanillaPubsub)
    const [a, b] = hosts as [Host, Host]
    const door = new GossipsubInternals(a.services.pubsub)
    const { counts, until } = countCalls(door)
    const validated: string[] = []
    door.replaceValidators({
      set: (topic, fn) => {
        validated.push(`set ${topic}`)
        door.validators.set(topic, fn)
      },
      delete: (topic) => {
        validated.push(`delete ${topic}`)
        return door.validators.delete(topic)
      },
    })
    // gossipsub reads the validator Map with `get`: a validator set through the replaced writer still runs
    let validatorRan!: (data: string) => void
    const ran = new Promise<string>((resolve) => {
      validatorRan = resolve
    })
    a.services.pubsub.topicValidators.set('t', (_peer, msg) => {
      validatorRan(new TextDecoder().decode(msg.data))
      return TopicValidatorResult.Reject
    })

    a.services.pubsub.subscribe('t')
    expect(counts.join).toBe(1)
    b.services.pubsub.subscribe('t')
    await a.dial(b.getMultiaddrs()[0]!)
    await subscribedBy(a, b, 't')
    await subscribedBy(b, a, 't')
    expect(counts.addPeer).toBeGreaterThan(0)
    expect(counts.createOutboundStream).toBeGreaterThan(0)
    expect(counts.pipePeerReadStream).toBeGreaterThan(0)
    expect(counts.handleReceivedRpc).toBeGreaterThan(0)
    expect(counts.acceptFrom).toBeGreaterThan(0)

    await b.services.pubsub.publish('t', enc('checked'))
    expect(await ran).toBe('checked')
    expect(counts.validateReceivedMessage).toBeGreaterThan(0)
    expect(validated).toEqual(['set t'])
    expect(a.services.pubsub.topicValidators.delete('t')).toBe(true)
    expect(validated).toEqual(['set t', 'delete t'])

    a.services.pubsub.unsubscribe('t')
    expect(counts.leave).toBe(1)

    // the inbound stream from b fails: gossipsub reports it and drops b
    const fromB = new GossipsubInternals(b.services.pubsub).outboundStream(a.peerId.toString()) as unknown as {
      abort(err: Error): void
    }
    fromB.abort(new Error('test: reset the stream'))
    await until('handlePeerReadStreamError')
    await until('removePeer')
    expect(door.hasPeer(b.peerId.toString())).toBe(false)
  })

  it('machinePubsub replaces every named method on its instance', async () => {
    hosts = await createHosts(1, (init) => machinePubsub(init))
    const inst = hosts[0]!.services.pubsub
    const { GossipSub } = await import('../../node_modules/@libp2p/gossipsub/dist/src/gossipsub.js')
    const proto = GossipSub.prototype as unknown as Record<string, unknown>
    // join and leave are only called (by relays), never replaced; validateReceivedMessage only with a recorder
    const skip = ['join', 'leave', 'validateReceivedMessage']
    for (const name of INTERNAL_METHODS.filter((n) => !skip.includes(n))) {
      expect(Object.hasOwn(inst, name), name).toBe(true)
      expect((inst as unknown as Record<string, unknown>)[name], name).not.toBe(proto[name])
    }
  })
})
