// What each operation of the pubsub host actor takes and answers: the typed input a Call carries to
// the work (never recorded) and the value it settles the caller with. The recorded `args` of the same
// event are separate and stay primitives.
import type { PublishResult, TopicValidatorFn } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { Call } from './call.js'
import type { PeerAddr, PeerDirection, RpcLike } from './internals.js'

interface Topic {
  topic: string
}

export interface HostCalls {
  PeersPending: { input: { peerId: PeerId; direction: PeerDirection; addr: PeerAddr }; value: void }
  PeersDead: { input: { peerId: PeerId }; value: void }
  PublishMessage: { input: { topic: string; data: Uint8Array | undefined; opts: unknown }; value: PublishResult }
  IncomingRPC: { input: { from: PeerId; rpc: RpcLike }; value: Promise<void> }
  /** all peers, or the topic's subscribers */
  GetPeers: { input: { topic: string | undefined }; value: PeerId[] }
  GetTopics: { input: undefined; value: string[] }
  AddTopic: { input: Topic; value: void }
  RemoveTopic: { input: Topic; value: void }
  AddSubscription: { input: Topic; value: void }
  RemoveSubscription: { input: Topic; value: void }
  AddRelay: { input: Topic; value: void }
  RemoveRelay: { input: Topic; value: void }
  AddValidator: { input: { topic: string; fn: TopicValidatorFn }; value: void }
  RemoveValidator: { input: Topic; value: boolean }
  BlacklistPeer: { input: { peerId: PeerId }; value: void }
  PeerError: { input: { peerId: PeerId; error: unknown }; value: void }
}

/** An operation with work: a Multi event of the machine, or a flag whose action does work. */
export type HostWork = keyof HostCalls

export type HostCall<N extends HostWork> = Call<HostCalls[N]['input'], HostCalls[N]['value']>

/** The flags whose `add.` event carries work; every other work is the Multi event of the same name. */
export const FLAG_WORKS = { PeersPending: 'add.PeersPending', PeersDead: 'add.PeersDead' } as const

/** The machine event that runs the work. */
export function eventOf(name: HostWork): string {
  return name === 'PeersPending' || name === 'PeersDead' ? FLAG_WORKS[name] : name
}
