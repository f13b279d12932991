// Plain gossipsub: the baseline the machine-driven service is measured against. Both factories take
// gossipsub's own options with gossipsub's own defaults; psm's local defaults come from the host factory.
import { type GossipSub, type GossipSubComponents, type GossipsubOpts, gossipsub } from '@libp2p/gossipsub'

/** What a pubsub factory takes: gossipsub's options. */
export type PubsubInit = Partial<GossipsubOpts>

export function vanillaPubsub(init: PubsubInit = {}): (components: GossipSubComponents) => GossipSub {
  return gossipsub(init)
}
