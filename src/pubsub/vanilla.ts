// Plain gossipsub with psm's defaults: the baseline the machine-driven service is measured against.
import { type GossipSub, type GossipSubComponents, gossipsub } from '@libp2p/gossipsub'
import { type PubsubInit, pubsubInit } from './defaults.js'

export function vanillaPubsub(init: PubsubInit = {}): (components: GossipSubComponents) => GossipSub {
  return gossipsub(pubsubInit(init))
}
