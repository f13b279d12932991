// The behaviour every caller relies on, written once and run against vanilla gossipsub and the
// machine-driven service: the machine wrapper must be a drop-in replacement.
import { afterEach, describe, expect, it } from 'vitest'
import type { Host } from '../../src/net/host.js'
import { createHosts, enc, IMPLS, nextMessage, stopAll, subscribedBy, TopicValidatorResult } from './helpers.js'

describe.each(IMPLS)('pubsub behaviour ($name)', ({ factory }) => {
  let hosts: Host[] = []
  afterEach(async () => {
    await stopAll(hosts)
    hosts = []
  })

  it('subscribe, getTopics, getPeers, getSubscribers, publish and unsubscribe', async () => {
    hosts = await createHosts(2, factory)
    const [a, b] = hosts as [Host, Host]
    a.services.pubsub.subscribe('t')
    b.services.pubsub.subscribe('t')
    expect(a.services.pubsub.getTopics()).toEqual(['t'])
    await a.dial(b.getMultiaddrs()[0]!)
    await Promise.all([subscribedBy(a, b, 't'), subscribedBy(b, a, 't')])
    expect(a.services.pubsub.getPeers().map(String)).toEqual([b.peerId.toString()])
    expect(a.services.pubsub.getSubscribers('t').map(String)).toEqual([b.peerId.toString()])

    const got = nextMessage(b, 't')
    const res = await a.services.pubsub.publish('t', enc('one'))
    expect(res.recipients.map(String)).toEqual([b.peerId.toString()])
    expect(await got).toBe('one')

    b.services.pubsub.unsubscribe('t')
    expect(b.services.pubsub.getTopics()).toEqual([])
  })

  it('a topic validator that rejects stops delivery; removing it restores delivery', async () => {
    hosts = await createHosts(2, factory)
    const [a, b] = hosts as [Host, Host]
    a.services.pubsub.subscribe('v')
    b.services.pubsub.subscribe('v')
    b.services.pubsub.topicValidators.set('v', (_peer, msg) =>
      new TextDecoder().decode(msg.data) === 'bad' ? TopicValidatorResult.Reject : TopicValidatorResult.Accept,
    )
    expect(b.services.pubsub.topicValidators.has('v')).toBe(true)
    await a.dial(b.getMultiaddrs()[0]!)
    await subscribedBy(a, b, 'v')
    const got = nextMessage(b, 'v')
    await a.services.pubsub.publish('v', enc('bad'))
    await a.services.pubsub.publish('v', enc('good'))
    expect(await got).toBe('good')
    expect(b.services.pubsub.topicValidators.delete('v')).toBe(true)
    expect(b.services.pubsub.topicValidators.has('v')).toBe(false)
  })

  it('publishing on a topic nobody else joined rejects, and the service stays usable', async () => {
    hosts = await createHosts(2, factory)
    const [a, b] = hosts as [Host, Host]
    a.services.pubsub.subscribe('lonely')
    await expect(a.services.pubsub.publish('lonely', enc('x'))).rejects.toThrow(/NoPeersSubscribedToTopic/)
    b.services.pubsub.subscribe('lonely')
    await a.dial(b.getMultiaddrs()[0]!)
    await subscribedBy(a, b, 'lonely')
    const got = nextMessage(b, 'lonely')
    await a.services.pubsub.publish('lonely', enc('after'))
    expect(await got).toBe('after')
  })
})
