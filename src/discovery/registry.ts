// The in-process discovery backend: a registry shared by the hosts of one run, with TTL expiry and
// a limit, like the seed's mock discovery server.
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
    ns.set(key, { info, expires: this.now() + ttlMs, order: live ? old.order : ++this.order })
  }

  unregister(namespace: string, peer: PeerId): void {
    this.namespaces.get(namespace)?.delete(peer.toString())
  }

  /** Live entries of `namespace` other than `self`, at most `limit` (0: all). */
  find(namespace: string, limit: number, self?: PeerId): FoundPeer[] {
    const ns = this.namespaces.get(namespace)
    if (!ns) return []
    const now = this.now()
    const selfId = self?.toString()
    const mine = selfId !== undefined ? ns.get(selfId) : undefined
    const myOrder = mine !== undefined && mine.expires > now ? mine.order : Number.POSITIVE_INFINITY
    const out: FoundPeer[] = []
    for (const [id, e] of ns) {
      if (e.expires <= now) {
        ns.delete(id)
        continue
      }
      if (id !== selfId) out.push({ ...e.info, dial: myOrder > e.order })
    }
    if (this.random) shuffle(out, this.random)
    return limit > 0 ? out.slice(0, limit) : out
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

function shuffle<T>(a: T[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
}
