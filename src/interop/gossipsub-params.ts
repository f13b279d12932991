// gossipsub-interop's GossipSubParams (go-libp2p-pubsub's names; durations in nanoseconds) mapped to
// @libp2p/gossipsub 17.1.1 options (its own names; durations in milliseconds). Fields 17.1.1 has no
// option for are reported, never silently dropped; HeartbeatInitialDelay is emulated by the runner
// (gossipsub 17.1.1 starts its heartbeat a fixed 100 ms after start: the host starts that much later).
import type { GossipsubOpts } from '@libp2p/gossipsub'
import type { GossipSubParamName, GossipSubParams } from './params.js'

/** gossipsub 17.1.1's fixed delay from start() to the first heartbeat (constants.GossipsubHeartbeatInitialDelay) */
export const GOSSIPSUB_HEARTBEAT_INITIAL_DELAY_MS = 100

const NS_PER_MS = 1_000_000

type Target = keyof GossipsubOpts
/** [option, unit]: 'ns' converts nanoseconds to milliseconds, 'n' is taken as it is */
const MAPPED: Partial<Record<GossipSubParamName, [Target, 'ns' | 'n']>> = {
  D: ['D', 'n'],
  Dlo: ['Dlo', 'n'],
  Dhi: ['Dhi', 'n'],
  Dscore: ['Dscore', 'n'],
  Dout: ['Dout', 'n'],
  Dlazy: ['Dlazy', 'n'],
  HistoryLength: ['mcacheLength', 'n'],
  HistoryGossip: ['mcacheGossip', 'n'],
  GossipFactor: ['gossipFactor', 'n'],
  HeartbeatInterval: ['heartbeatInterval', 'ns'],
  FanoutTTL: ['fanoutTTL', 'ns'],
  PrunePeers: ['prunePeers', 'n'],
  PruneBackoff: ['pruneBackoff', 'ns'],
  // sic: gossipsub 17.1.1 spells the option this way
  UnsubscribeBackoff: ['unsubcribeBackoff', 'ns'],
  DirectConnectTicks: ['directConnectTicks', 'n'],
  OpportunisticGraftTicks: ['opportunisticGraftTicks', 'n'],
  OpportunisticGraftPeers: ['opportunisticGraftPeers', 'n'],
  GraftFloodThreshold: ['graftFloodThreshold', 'ns'],
  IWantFollowupTime: ['gossipsubIWantFollowupMs', 'ns'],
  IDontWantMessageThreshold: ['idontwantMinDataSize', 'n'],
  MaxIDontWantMessages: ['idontwantMaxMessages', 'n'],
}

export interface MappedParams {
  /** gossipsub options to give the host factory */
  options: Partial<GossipsubOpts>
  /** simulated wait before the host starts, so the first heartbeat comes HeartbeatInitialDelay after init */
  startDelayMs: number
  /** fields set in params.json that @libp2p/gossipsub 17.1.1 has no option for (its built-in value applies) */
  unmapped: GossipSubParamName[]
}

export function mapGossipSubParams(p: GossipSubParams): MappedParams {
  const options: Record<string, number> = {}
  const unmapped: GossipSubParamName[] = []
  let startDelayMs = 0
  for (const [name, value] of Object.entries(p) as [GossipSubParamName, number][]) {
    if (name === 'HeartbeatInitialDelay') {
      startDelayMs = Math.max(0, value / NS_PER_MS - GOSSIPSUB_HEARTBEAT_INITIAL_DELAY_MS)
      continue
    }
    const m = MAPPED[name]
    if (m === undefined) {
      unmapped.push(name)
      continue
    }
    options[m[0]] = m[1] === 'ns' ? value / NS_PER_MS : value
  }
  return { options: options as Partial<GossipsubOpts>, startDelayMs, unmapped }
}
