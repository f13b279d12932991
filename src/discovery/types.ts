// The one discovery interface every backend implements (in-process registry first; a DHT later).
import type { PeerInfo } from '@libp2p/interface'

export type { PeerInfo }

/** A found peer; `dial` says whether this host should dial it (false: the peer dials this host). */
export interface FoundPeer extends PeerInfo {
  /**
   * Two hosts that find each other at once would dial each other twice, and gossipsub loses messages
   * on the duplicate connection that libp2p then closes. The backend orders advertisements: the
   * later advertiser dials. Undefined when the backend cannot tell.
   */
  dial?: boolean
}

export interface Discovery {
  /** makes this host findable under `namespace` for `ttlMs` */
  advertise(namespace: string, ttlMs: number): Promise<void>
  /** up to `limit` other hosts advertised under `namespace` (0: no limit) */
  findPeers(namespace: string, limit: number): Promise<FoundPeer[]>
  /** what the last findPeers of `namespace` did (the DHT's lookup: time, peers asked), for the log */
  lookupInfo?(namespace: string): Readonly<Record<string, unknown>> | undefined
}

/** The discovery backends a run can choose (`discovery.backend` in sim.yml, `--discovery` flags). */
export const DISCOVERY_BACKENDS = ['registry', 'dht'] as const
export type DiscoveryBackend = (typeof DISCOVERY_BACKENDS)[number]
