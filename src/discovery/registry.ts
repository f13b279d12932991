// The in-process discovery backend: a registry shared by the hosts of one run, with TTL expiry and
// a limit, like the seed's mock discovery server. With a limit it also spreads the dials: a host is
// handed the earlier advertisers that were handed out least, so every host ends with about `limit`
// outbound and `limit` inbound connections and the topic graph is connected (each host dials an
// earlier one) — start-up costs O(n · limit) connections instead of O(n²).
import type { PeerId } from '@libp2p/interface'
import type { Discovery, FoundPeer, PeerInfo } from './types.js'

export interface RegistryOptions {
  /** clock in ms (tests pass a fake one) */
  now?: () => number
  /** random in [0, 1) to shuffle what findPeers returns (seeded runs pass theirs); none: registration order */
  random?: () => number
}

interface Entry {
  info: PeerInfo
  expires: number
  /** registration order in the namespace (kept across refreshes): the later advertiser dials */
  order: number
  /** how often this entry was handed out as a peer to dial: a proxy for its inbound connections */
  load: number
}

export class InProcessRegistry {
  private readonly namespaces = new Map<string, Map<string, Entry>>()
  private readonly now: () => number
  private readonly random: (() => number) | undefined
  private order = 0

  constructor(opts: RegistryOptions = {}) {
    this.now = opts.now ?? Date.now
    this.random = opts.random
  }

  register(namespace: string, info: PeerInfo, ttlMs: number): void {
    if (!(ttlMs > 0)) throw new RangeError(`advertise '${namespace}': ttl must be > 0 ms, got ${ttlMs}`)
    let ns = this.namespaces.get(namespace)
    if (!ns) {
      ns = new Map()
      this.namespaces.set(namespace, ns)
    }
    const key = info.id.toString()
    const old = ns.get(key)
    const live = old !== undefined && old.expires > this.now()
    ns.set(key, {
      info,
      expires: this.now() + ttlMs,
      order: live ? old.order : ++this.order,
      load: live ? old.load : 0,
    })
  }

  unregister(namespace: string, peer: PeerId): void {
    this.namespaces.get(namespace)?.delete(peer.toString())
  }

  /**
   * Live entries of `namespace` other than `self`, at most `limit` (0: all, in a random order).
   * With a limit: first the earlier advertisers (`dial: true`) that were handed out least, then, when
   * there are fewer than `limit` of them, later ones (`dial: false`: they dial this host).
   */
  find(namespace: string, limit: number, self?: PeerId): FoundPeer[] {
    const ns = this.namespaces.get(namespace)
    if (!ns) return []
    const now = this.now()
    const selfId = self?.toString()
    const mine = selfId !== undefined ? ns.get(selfId) : undefined
    const myOrder = mine !== undefined && mine.expires > now ? mine.order : Number.POSITIVE_INFINITY
    const earlier: Entry[] = []
    const later: Entry[] = []
    for (const [id, e] of ns) {
      if (e.expires <= now) {
        ns.delete(id)
        continue
      }
      if (id !== selfId) (e.order < myOrder ? earlier : later).push(e)
    }
    if (limit <= 0) {
      const all = [...earlier, ...later].map((e) => found(e, e.order < myOrder))
      if (this.random) shuffle(all, this.random)
      return all
    }
    // shuffled first so that equal loads are picked at random (a stable sort keeps that order)
    if (this.random) shuffle(earlier, this.random)
    earlier.sort((a, b) => a.load - b.load)
    const picked = earlier.slice(0, limit)
    for (const e of picked) e.load++
    const out = picked.map((e) => found(e, true))
    if (out.length < limit) {
      if (this.random) shuffle(later, this.random)
      for (const e of later.slice(0, limit - out.length)) out.push(found(e, false))
    }
    return out
  }

  /** A host's view: it advertises itself and never finds itself. */
  forHost(self: { peerId: PeerId; getMultiaddrs(): PeerInfo['multiaddrs'] }): Discovery {
    return {
      advertise: async (namespace, ttlMs) => {
        this.register(namespace, { id: self.peerId, multiaddrs: self.getMultiaddrs() }, ttlMs)
      },
      findPeers: async (namespace, limit) => this.find(namespace, limit, self.peerId),
    }
  }
}

function found(e: Entry, dial: boolean): FoundPeer {
  return { ...e.info, dial }
}

function shuffle<T>(a: T[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
}
