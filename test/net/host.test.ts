// The host factory: defaults, the memory and TCP transports, and a message between two hosts.
import { describe, expect, it } from 'vitest'
import { createHost, type Host, type HostOptions, hostPubsubInit } from '../../src/net/host.js'

async function pair(opts: HostOptions): Promise<[Host, Host]> {
  const a = await createHost(opts)
  const b = await createHost(opts)
  return [a, b]
}

async function exchange(a: Host, b: Host): Promise<string> {
  const subscribed = new Promise<void>((resolve) => {
    a.services.pubsub.addEventListener('subscription-change', () => resolve())
  })
  const got = new Promise<string>((resolve) => {
    b.services.pubsub.addEventListener('message', (e) => resolve(new TextDecoder().decode(e.detail.data)))
  })
  b.services.pubsub.subscribe('t')
  a.services.pubsub.subscribe('t')
  await a.dial(b.getMultiaddrs()[0]!)
  await subscribed
  await a.services.pubsub.publish('t', new TextEncoder().encode('hello'))
  return got
}

describe('createHost', () => {
  it('defaults to unsigned messages, 1 s heartbeat and no IP-colocation penalty', () => {
    const init = hostPubsubInit()
    expect(init.globalSignaturePolicy).toBe('StrictNoSign')
    expect(init.heartbeatInterval).toBe(1000)
    expect(init.scoreParams?.IPColocationFactorWeight).toBe(0)
    expect(hostPubsubInit({ signing: 'signed', heartbeatMs: 200 })).toMatchObject({
      globalSignaturePolicy: 'StrictSign',
      heartbeatInterval: 200,
    })
  })

  it('memory hosts listen on distinct addresses and exchange a message', async () => {
    const [a, b] = await pair({})
    try {
      expect(a.getMultiaddrs()[0]?.toString()).toMatch(/^\/memory\//)
      expect(a.getMultiaddrs()[0]?.toString()).not.toBe(b.getMultiaddrs()[0]?.toString())
      expect(await exchange(a, b)).toBe('hello')
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })

  it('keeps one signed peer record of its own, and identify hands it to the peers that connect', async () => {
    const [a, b] = await pair({})
    try {
      const own = (await a.peerStore.get(a.peerId)).peerRecordEnvelope
      expect(own?.length).toBeGreaterThan(0)
      expect(await exchange(b, a)).toBe('hello')
      const seen = await b.peerStore.get(a.peerId)
      expect(seen.peerRecordEnvelope).toEqual(own)
      const certified = seen.addresses.filter((x) => x.isCertified).map((x) => x.multiaddr.toString())
      expect(certified).toEqual([a.getMultiaddrs()[0]!.decapsulate('/p2p').toString()])
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })

  it('tcp hosts with noise, yamux and signing bind 127.0.0.1 and exchange a message', async () => {
    const [a, b] = await pair({ transport: 'tcp', encrypter: 'noise', muxer: 'yamux', signing: 'signed' })
    try {
      expect(a.getMultiaddrs()[0]?.toString()).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+/)
      expect(a.services.pubsub.globalSignaturePolicy).toBe('StrictSign')
      expect(await exchange(a, b)).toBe('hello')
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })
})
