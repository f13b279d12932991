// The in-process registry: TTL expiry, limits, never finding yourself.
import type { PeerId } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { InProcessRegistry } from '../../src/discovery/registry.js'
import { createRng } from '../../src/rng.js'

let seq = 0
/** the registry only keys peers by their string form */
async function peer(): Promise<PeerId> {
  const id = `peer-${seq++}`
  return { toString: () => id } as PeerId
}

function host(id: PeerId) {
  return { peerId: id, getMultiaddrs: () => [] }
}

describe('InProcessRegistry', () => {
  it('finds advertised peers but not yourself, until their TTL expires', async () => {
    let now = 1000
    const reg = new InProcessRegistry({ now: () => now })
    const [a, b, c] = [await peer(), await peer(), await peer()]
    await reg.forHost(host(a)).advertise('t', 100)
    await reg.forHost(host(b)).advertise('t', 500)
    const fromC = reg.forHost(host(c))
    expect((await fromC.findPeers('t', 0)).map((p) => p.id.toString()).sort()).toEqual(
      [a.toString(), b.toString()].sort(),
    )
    expect((await reg.forHost(host(a)).findPeers('t', 0)).map((p) => p.id.toString())).toEqual([b.toString()])
    now += 100
    expect((await fromC.findPeers('t', 0)).map((p) => p.id.toString())).toEqual([b.toString()])
    now += 400
    expect(await fromC.findPeers('t', 0)).toEqual([])
    expect(await fromC.findPeers('other', 0)).toEqual([])
  })

  it('exactly one side of each pair is told to dial: the later advertiser, kept across refreshes', async () => {
    let now = 0
    const reg = new InProcessRegistry({ now: () => now })
    const [a, b, c] = [await peer(), await peer(), await peer()]
    for (const p of [a, b, c]) await reg.forHost(host(p)).advertise('t', 1000)
    const dials = async (p: PeerId) =>
      Object.fromEntries((await reg.forHost(host(p)).findPeers('t', 0)).map((f) => [f.id.toString(), f.dial]))
    expect(await dials(a)).toEqual({ [b.toString()]: false, [c.toString()]: false })
    expect(await dials(b)).toEqual({ [a.toString()]: true, [c.toString()]: false })
    expect(await dials(c)).toEqual({ [a.toString()]: true, [b.toString()]: true })
    now += 500
    await reg.forHost(host(a)).advertise('t', 1000) // a refresh keeps a's place
    expect((await dials(c))[a.toString()]).toBe(true)
    // a host that has not advertised dials everyone it finds
    expect(Object.values(await dials(await peer()))).toEqual([true, true, true])
  })

  it('re-advertising renews the TTL; a limit caps the answer', async () => {
    let now = 0
    const reg = new InProcessRegistry({ now: () => now })
    const ids = [await peer(), await peer(), await peer(), await peer()]
    for (const id of ids) await reg.forHost(host(id)).advertise('t', 100)
    now = 90
    await reg.forHost(host(ids[0]!)).advertise('t', 100)
    now = 150
    expect((await reg.forHost(host(ids[3]!)).findPeers('t', 0)).map((p) => p.id.toString())).toEqual([
      ids[0]!.toString(),
    ])
    now = 0
    for (const id of ids) await reg.forHost(host(id)).advertise('u', 100)
    expect(await reg.forHost(host(ids[0]!)).findPeers('u', 2)).toHaveLength(2)
  })

  it('a seeded random order repeats; a bad ttl is refused', async () => {
    const ids = [await peer(), await peer(), await peer(), await peer(), await peer()]
    const order = (seed: number) => {
      const rng = createRng(seed)
      const reg = new InProcessRegistry({ random: () => rng.next() })
      for (const id of ids) reg.register('t', { id, multiaddrs: [] }, 1000)
      return reg.find('t', 0).map((p) => p.id.toString())
    }
    expect(order(7)).toEqual(order(7))
    expect(order(7).sort()).toEqual(ids.map(String).sort())
    expect(() => new InProcessRegistry().register('t', { id: ids[0]!, multiaddrs: [] }, 0)).toThrow(/ttl must be > 0/)
  })

  it('with a limit, a host is handed only earlier advertisers to dial, spread so that no host becomes a hub', async () => {
    const rng = createRng(5)
    const reg = new InProcessRegistry({ random: () => rng.next() })
    const ids: PeerId[] = []
    for (let i = 0; i < 60; i++) ids.push(await peer())
    for (const id of ids) await reg.forHost(host(id)).advertise('t', 1000)
    const order = new Map(ids.map((id, i) => [id.toString(), i]))
    const inbound = new Map<string, number>()
    const dials = new Set<string>()
    for (const [i, id] of ids.entries()) {
      const found = await reg.forHost(host(id)).findPeers('t', 4)
      expect(found).toHaveLength(4)
      for (const f of found) {
        const j = order.get(f.id.toString())!
        // the later advertiser dials; the earliest hosts are told who will dial them
        expect(f.dial).toBe(j < i)
        if (!f.dial) continue
        dials.add(`${i}>${j}`)
        inbound.set(f.id.toString(), (inbound.get(f.id.toString()) ?? 0) + 1)
      }
      // every host after the first four dials four earlier ones
      if (i >= 4) expect(found.every((f) => f.dial)).toBe(true)
    }
    // never both directions of a pair: no duplicate connection can arise
    for (const d of dials) expect(dials.has(d.split('>').reverse().join('>'))).toBe(false)
    // 56 × 4 + 6 dials over 60 hosts: the least handed-out go first, so nobody collects many more than 4
    expect(Math.max(...inbound.values())).toBeLessThanOrEqual(5)
  })
})
