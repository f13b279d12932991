// The one door to gossipsub's internals: every member of @libp2p/gossipsub 17.1.1 outside its public
// `GossipSub` interface that psm calls, reads or replaces is named and typed here, and nowhere else.
// No public event or option reports a peer before gossipsub adds it, an RPC before it is handled, or a
// stream opening and closing, so the host actor replaces these members on the instance; gossipsub calls
// each of them through `this`, which is what makes the replacement take effect.
// test/pubsub/internals.test.ts checks the members exist and are still called through `this` when a
// real peer connects, sends an RPC and goes away: an upgrade that renames or inlines one fails it.
import type { GossipSub, TopicValidatorFn } from '@libp2p/gossipsub'
import type { Connection, PeerId } from '@libp2p/interface'

/** How gossipsub 17.1.1 hands an RPC to `handleReceivedRpc`: only the lengths are read here. */
export interface RpcLike {
  subscriptions?: unknown[]
  messages?: unknown[]
  control?: { ihave?: unknown[]; iwant?: unknown[]; graft?: unknown[]; prune?: unknown[]; idontwant?: unknown[] }
}

/** A message as gossipsub 17.1.1 hands it to `validateReceivedMessage`. */
export interface RpcMessageLike {
  topic: string
  data?: Uint8Array
}

/** gossipsub 17.1.1's verdict on one received message (its `MessageStatus` and what goes with it). */
export type ValidationLike =
  | { code: 'duplicate'; msgIdStr: string }
  | { code: 'invalid'; msgIdStr?: string; reason?: string }
  | { code: 'valid'; messageId: { msgIdStr: string } }

/** The direction and address gossipsub passes to `addPeer` (from the connection). */
export type PeerDirection = Connection['direction']
export type PeerAddr = Connection['remoteAddr']

/** The gossipsub methods the host actor replaces on the instance. */
export interface InternalMethods {
  /** a connection (or inbound stream) of a pubsub peer: gossipsub starts tracking it */
  addPeer(peerId: PeerId, direction: PeerDirection, addr: PeerAddr): void
  /** the peer's connection ended, or its read stream failed */
  removePeer(peerId: PeerId): void
  /** opens the peer's outbound gossipsub stream (queued, one at a time, after addPeer) */
  createOutboundStream(peerId: PeerId, connection: Connection): Promise<void>
  /** reads the peer's inbound stream until it ends */
  pipePeerReadStream(peerId: PeerId, source: unknown): Promise<void>
  /** the inbound stream failed: gossipsub drops the peer */
  handlePeerReadStreamError(err: unknown, peerId: PeerId): void
  /** one decoded RPC from the peer */
  handleReceivedRpc(from: PeerId, rpc: RpcLike): Promise<void>
  /** decides one received message: duplicate (seen), invalid (rejected or ignored) or valid (delivered) */
  validateReceivedMessage(from: PeerId, msg: RpcMessageLike): Promise<ValidationLike>
  /** whether RPCs from this peer are processed (gossipsub's graylist) */
  acceptFrom(id: string): boolean
  /** builds the topic's mesh (subscribe does this too) */
  join(topic: string): void
  /** tears the topic's mesh down */
  leave(topic: string): void
}

export type InternalMethod = keyof InternalMethods

/** Every replaced method, for the upgrade check. */
export const INTERNAL_METHODS: readonly InternalMethod[] = [
  'addPeer',
  'removePeer',
  'createOutboundStream',
  'pipePeerReadStream',
  'handlePeerReadStreamError',
  'handleReceivedRpc',
  'validateReceivedMessage',
  'acceptFrom',
  'join',
  'leave',
]

/** The fields read: peers by id string, outbound streams by id string (with their raw libp2p stream). */
interface InternalFields {
  readonly peers: Map<string, PeerId>
  readonly streamsOutbound: Map<string, { readonly rawStream: EventTarget }>
}

export const INTERNAL_FIELDS = ['peers', 'streamsOutbound', 'topicValidators'] as const

type Instance = GossipSub & InternalMethods & InternalFields

/** The validator Map's writers, replaced on the instance's `topicValidators` Map. */
export interface ValidatorWriters {
  set(topic: string, fn: TopicValidatorFn): void
  delete(topic: string): boolean
}

/** One gossipsub instance seen through the door. */
export class GossipsubInternals {
  /** gossipsub's own implementations, bound to the instance, captured before any replacement */
  readonly original: Readonly<InternalMethods>
  /** the validator Map's own writers, bound, captured before any replacement */
  readonly validators: Readonly<ValidatorWriters>
  private readonly g: Instance

  constructor(inst: GossipSub) {
    const g = inst as Instance
    this.g = g
    this.original = {
      addPeer: g.addPeer.bind(g),
      removePeer: g.removePeer.bind(g),
      createOutboundStream: g.createOutboundStream.bind(g),
      pipePeerReadStream: g.pipePeerReadStream.bind(g),
      handlePeerReadStreamError: g.handlePeerReadStreamError.bind(g),
      handleReceivedRpc: g.handleReceivedRpc.bind(g),
      validateReceivedMessage: g.validateReceivedMessage.bind(g),
      acceptFrom: g.acceptFrom.bind(g),
      join: g.join.bind(g),
      leave: g.leave.bind(g),
    }
    const map = g.topicValidators
    this.validators = {
      set: (topic, fn) => void Map.prototype.set.call(map, topic, fn),
      delete: (topic) => Map.prototype.delete.call(map, topic),
    }
  }

  /** Whether gossipsub tracks the peer (between addPeer and removePeer). */
  hasPeer(id: string): boolean {
    return this.g.peers.has(id)
  }

  /** The raw libp2p stream under the peer's outbound gossipsub stream, once one is open. */
  outboundStream(id: string): EventTarget | undefined {
    return this.g.streamsOutbound.get(id)?.rawStream
  }

  /** Replaces methods on the instance: gossipsub's own calls through `this` reach the replacement. */
  replace(methods: Partial<InternalMethods>): void {
    Object.assign(this.g, methods)
  }

  /** Replaces the validator Map's `set` and `delete` (gossipsub reads it with `get`, left alone). */
  replaceValidators(writers: ValidatorWriters): void {
    const map = this.g.topicValidators
    map.set = (topic, fn) => {
      writers.set(topic, fn)
      return map
    }
    map.delete = (topic) => writers.delete(topic)
  }
}
