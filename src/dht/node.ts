// One DHT node: a psm host (src/net/host.ts) with @libp2p/kad-dht and the ping service kad-dht needs,
// and no gossipsub. Servers answer DHT queries; clients only ask. Addresses are not filtered: on the
// memory transport and on 127.0.0.1 every address is "private", which kad-dht's default mapper drops.

import type { Libp2p } from '@libp2p/interface'
import { type KadDHT, kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { createHost, type HostOptions } from '../net/host.js'

export interface DhtKnobs {
  /** k-bucket size (py-dht's k; also its beta: a server answers with its k closest) */
  k: number
  /** queries in flight per path (py-dht's alpha) */
  alpha: number
  /** S/Kademlia disjoint paths; default alpha (kad-dht's default) */
  disjointPaths?: number | undefined
}

export type DhtNode = Libp2p<{ dht: KadDHT }>

/** The kad-dht service of a psm host: server or client mode fixed (no auto-detection from addresses). */
/** kad-dht's k and alpha where psm picks none (sim peers, scenario and experiment discovery): libp2p's defaults */
export const DEFAULT_DHT_KNOBS: DhtKnobs = { k: 20, alpha: 3 }

export function dhtService(knobs: DhtKnobs, server: boolean) {
  return kadDHT({
    kBucketSize: knobs.k,
    alpha: knobs.alpha,
    ...(knobs.disjointPaths !== undefined ? { disjointPaths: knobs.disjointPaths } : {}),
    clientMode: !server,
    peerInfoMapper: passthroughMapper,
    // a lone first node may still query (it answers from its own store)
    allowQueryWithZeroPeers: true,
    // kad-dht's own self-query runs at once (on an empty table: at no cost) instead of a second after
    // start: the join is the caller's self-lookup once it has dialled its bootstrap peers, and queries
    // (which wait for the first self-query) are not held back a second
    initialQuerySelfInterval: 0,
  })
}

export interface DhtNodeOptions extends DhtKnobs {
  server: boolean
  host?: Omit<HostOptions, 'services' | 'withPubsub'>
}

export async function createDhtNode(opts: DhtNodeOptions): Promise<DhtNode> {
  const host = await createHost({
    ...opts.host,
    withPubsub: false,
    services: { ping: ping(), dht: dhtService(opts, opts.server) } as never,
  })
  return host as unknown as DhtNode
}
