// What each operation of the pubsub host actor takes and answers: the typed input a Call carries to
// the work (never recorded) and the value it settles the caller with. The recorded `args` of the same
// event are separate and stay primitives.
import type { PublishResult, TopicValidatorFn } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { PubsubHostMulti } from '../../machines/pubsub-host.js'
import type { Call } from './call.js'
import type { PeerAddr, PeerDirection, RpcLike } from './internals.js'

interface Topic {
  topic: string
}

export interface HostCalls {
  PeersPending: { input: { peerId: PeerId; direction: PeerDirection; addr: PeerAddr }; value: undefined }
  PeersDead: { input: { peerId: PeerId }; value: undefined }
  PublishMessage: { input: { topic: string; data: Uint8Array | undefined; opts: unknown }; value: PublishResult }
  IncomingRPC: { input: { from: PeerId; rpc: RpcLike }; value: Promise<void> }
  /** all peers, or the topic's subscribers */
  GetPeers: { input: { topic: string | undefined }; value: PeerId[] }
  GetTopics: { input: undefined; value: string[] }
  AddTopic: { input: Topic; value: undefined }
  RemoveTopic: { input: Topic; value: undefined }
  AddSubscription: { input: Topic; value: undefined }
  RemoveSubscription: { input: Topic; value: undefined }
  AddRelay: { input: Topic; value: undefined }
  RemoveRelay: { input: Topic; value: undefined }
  AddValidator: { input: { topic: string; fn: TopicValidatorFn }; value: undefined }
  RemoveValidator: { input: Topic; value: boolean }
  BlacklistPeer: { input: { peerId: PeerId }; value: undefined }
  PeerError: { input: { peerId: PeerId; error: unknown }; value: undefined }
}

/** An operation with work: a Multi event of the machine, or a flag whose action does work. */
export type HostWork = keyof HostCalls

export type HostCall<N extends HostWork> = Call<HostCalls[N]['input'], HostCalls[N]['value']>

/** The flags whose `add.` event carries work; every other work is the Multi event of the same name. */
export const FLAG_WORKS = { PeersPending: 'add.PeersPending', PeersDead: 'add.PeersDead' } as const

/** The machine event that runs the work (typed: a work the machine does not declare fails to compile). */
export function eventOf(name: HostWork): PubsubHostMulti | (typeof FLAG_WORKS)[keyof typeof FLAG_WORKS] {
  return name === 'PeersPending' || name === 'PeersDead' ? FLAG_WORKS[name] : name
}
