// The gossipsub options every psm host starts from, shared by the vanilla and machine factories so
// that a comparison between them differs only in the machine.
import type { GossipsubOpts } from '@libp2p/gossipsub'
import { DEFAULT_HEARTBEAT_MS, DEFAULT_IP_COLOCATION_WEIGHT } from '../net/constants.js'

export type PubsubInit = Partial<GossipsubOpts>

/** `init` over psm's defaults: unsigned messages, 1 s heartbeat, no IP-colocation penalty. */
export function pubsubInit(init: PubsubInit = {}): PubsubInit {
  return {
    globalSignaturePolicy: 'StrictNoSign',
    heartbeatInterval: DEFAULT_HEARTBEAT_MS,
    ...init,
    scoreParams: { IPColocationFactorWeight: DEFAULT_IP_COLOCATION_WEIGHT, ...init.scoreParams },
  }
}
