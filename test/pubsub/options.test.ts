// `machinePubsub(init)` is a drop-in for `gossipsub(init)`: for the same init both instances resolve to
// the same options, gossipsub's own defaults included; psm's local defaults come only from the host factory.
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { createLibp2p } from 'libp2p'
import { describe, expect, it } from 'vitest'
import { createHost } from '../../src/net/host.js'
import { machinePubsub } from '../../src/pubsub/machine.js'
import { type PubsubInit, vanillaPubsub } from '../../src/pubsub/vanilla.js'

/** What a gossipsub instance resolved its init to (class fields outside the `GossipSub` interface). */
interface Resolved {
  opts: Record<string, unknown>
  globalSignaturePolicy: string
}

/** Builds (without starting) one node holding gossipsub, machinePubsub and vanillaPubsub from one init. */
async function resolve(init?: PubsubInit): Promise<Record<'plain' | 'machine' | 'vanilla', Resolved>> {
  const node = await createLibp2p({
    start: false,
    services: {
      identify: identify(),
      plain: gossipsub(init),
      machine: machinePubsub(init),
      vanilla: vanillaPubsub(init),
    },
  })
  const s = node.services as unknown as Record<'plain' | 'machine' | 'vanilla', Resolved>
  return { plain: s.plain, machine: s.machine, vanilla: s.vanilla }
}

describe('pubsub factories take gossipsub options as gossipsub does', () => {
  it('with an empty init: gossipsub defaults (signed messages, the IP-colocation penalty)', async () => {
    const { plain, machine, vanilla } = await resolve()
    expect(machine.opts).toEqual(plain.opts)
    expect(vanilla.opts).toEqual(plain.opts)
    expect(machine.globalSignaturePolicy).toBe('StrictSign')
    expect(machine.opts.heartbeatInterval).toBe(plain.opts.heartbeatInterval)
    const score = machine.opts.scoreParams as { IPColocationFactorWeight: number }
    expect(score.IPColocationFactorWeight).toBeLessThan(0)
  })

  it('with an init: exactly that init, nothing of psm added', async () => {
    const init: PubsubInit = {
      heartbeatInterval: 250,
      D: 4,
      Dlo: 3,
      Dhi: 6,
      scoreParams: { IPColocationFactorThreshold: 3 },
    }
    const { plain, machine, vanilla } = await resolve(init)
    expect(machine.opts).toEqual(plain.opts)
    expect(vanilla.opts).toEqual(plain.opts)
    expect(machine.globalSignaturePolicy).toBe('StrictSign')
    expect(machine.opts).toMatchObject({
      heartbeatInterval: 250,
      D: 4,
      scoreParams: { IPColocationFactorThreshold: 3 },
    })
  })

  it("the host factory gives either factory psm's local defaults", async () => {
    for (const pubsub of [vanillaPubsub, (init: PubsubInit) => machinePubsub(init)]) {
      const host = await createHost({ pubsub })
      try {
        const ps = host.services.pubsub as unknown as Resolved
        expect(ps.globalSignaturePolicy).toBe('StrictNoSign')
        expect(ps.opts).toMatchObject({ heartbeatInterval: 1000, scoreParams: { IPColocationFactorWeight: 0 } })
      } finally {
        await host.stop()
      }
    }
  })
})
