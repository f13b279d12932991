// `machinePubsub(init)`: a drop-in for `gossipsub(init)` whose public operations and network events
// go through a pubsub host actor `ps-<n>`. It returns the gossipsub instance itself with its methods
// wrapped on the instance, so events, options and every other member behave as gossipsub's.
import { createHash } from 'node:crypto'
import {
  type GossipSub,
  type GossipSubComponents,
  gossipsub,
  type PublishResult,
  type TopicValidatorFn,
} from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { Recorder } from '../telemetry/recorder.js'
import { AsyncCall, Call } from './call.js'
import { type PubsubInit, pubsubInit } from './defaults.js'
import { type GossipsubOps, type PubsubHostActor, PubsubHostDriver } from './driver.js'

export interface MachinePubsubInit extends PubsubInit {
  /** actor id, default `ps-<n>` with a process-wide counter */
  id?: string
  /** parent machine id in the transition log */
  parent?: string | null
  /** records every transition of the host actor; absent: no inspection at all */
  recorder?: Recorder
  /**
   * Without a recorder, run the actions of trivial Multi events (IncomingRPC, PublishMessage, ...)
   * without the xstate step that would not change the snapshot (default true). See `trivialMultiEvents`.
   */
  fastPath?: boolean
}

/** What a machine-driven pubsub exposes besides gossipsub's own surface. */
export interface PubsubHostHandle {
  readonly id: string
  /** the current actor (a new one after a stop and start) */
  readonly actor: PubsubHostActor
  /** events sent to the actor so far */
  events(): number
  /** peers added and waiting for their outbound stream */
  pendingPeers(): ReadonlySet<string>
  /** peers gone and waiting to be cleaned up */
  deadPeers(): ReadonlySet<string>
  blacklisted(): ReadonlySet<string>
  /** drops the peer's connections and ignores its RPCs from now on */
  blacklistPeer(peer: PeerId): void
  /** keeps a mesh for the topic without delivering its messages here (counted) */
  addRelay(topic: string): void
  removeRelay(topic: string): void
}

export type MachineGossipSub = GossipSub & { readonly psm: PubsubHostHandle }

/** The host handle of a pubsub service made by `machinePubsub`; undefined for vanilla gossipsub. */
export function pubsubHostOf(pubsub: unknown): PubsubHostHandle | undefined {
  return (pubsub as Partial<MachineGossipSub> | null)?.psm
}

// gossipsub 17.1.1 internals wrapped on the instance (no public hook reports peers and streams);
// test/pubsub/machine.test.ts fails loudly if an upgrade renames them
interface GossipsubInternals {
  addPeer(peerId: PeerId, direction: unknown, addr: unknown): void
  removePeer(peerId: PeerId): void
  createOutboundStream(peerId: PeerId, connection: unknown): Promise<void>
  pipePeerReadStream(peerId: PeerId, source: unknown): Promise<void>
  handlePeerReadStreamError(err: unknown, peerId: PeerId): void
  handleReceivedRpc(from: PeerId, rpc: RpcLike): Promise<void>
  acceptFrom(id: string): boolean
  join(topic: string): void
  leave(topic: string): void
  start(): Promise<void>
  stop(): Promise<void>
  peers: Map<string, PeerId>
  streamsOutbound: Map<string, { rawStream: EventTarget }>
}

export const WRAPPED_INTERNALS = [
  'addPeer',
  'removePeer',
  'createOutboundStream',
  'pipePeerReadStream',
  'handlePeerReadStreamError',
  'handleReceivedRpc',
  'acceptFrom',
  'join',
  'leave',
] as const

interface RpcLike {
  subscriptions?: unknown[]
  messages?: unknown[]
  control?: { ihave?: unknown[]; iwant?: unknown[]; graft?: unknown[]; prune?: unknown[]; idontwant?: unknown[] }
}

let hostSeq = 0

export function machinePubsub(init: MachinePubsubInit = {}): (components: GossipSubComponents) => MachineGossipSub {
  const { id, parent, recorder, fastPath, ...gsInit } = init
  const opts = pubsubInit(gsInit)
  return (components) => {
    const inst = gossipsub(opts)(components)
    return wrapInstance(inst, components, {
      id: id ?? `ps-${hostSeq++}`,
      parent: parent ?? null,
      recorder,
      fastPath: fastPath ?? true,
      // a msgId in the record costs a hash per publish: only when recording, and only for the default id fn
      msgIds: recorder !== undefined && opts.msgIdFn === undefined && opts.globalSignaturePolicy === 'StrictNoSign',
    })
  }
}

interface WrapOptions {
  id: string
  parent: string | null
  recorder: Recorder | undefined
  fastPath: boolean
  msgIds: boolean
}

function wrapInstance(inst: GossipSub, components: GossipSubComponents, w: WrapOptions): MachineGossipSub {
  const g = inst as unknown as GossipsubInternals
  const validators = inst.topicValidators
  const ops: GossipsubOps = {
    publish: inst.publish.bind(inst) as GossipsubOps['publish'],
    subscribe: inst.subscribe.bind(inst),
    unsubscribe: inst.unsubscribe.bind(inst),
    getTopics: inst.getTopics.bind(inst),
    getPeers: inst.getPeers.bind(inst),
    getSubscribers: inst.getSubscribers.bind(inst),
    setValidator: Map.prototype.set.bind(validators) as (t: string, fn: TopicValidatorFn) => void,
    deleteValidator: Map.prototype.delete.bind(validators) as (t: string) => boolean,
    addPeer: g.addPeer.bind(g),
    removePeer: g.removePeer.bind(g),
    handleReceivedRpc: g.handleReceivedRpc.bind(g) as GossipsubOps['handleReceivedRpc'],
    handlePeerReadStreamError: g.handlePeerReadStreamError.bind(g),
    join: g.join.bind(g),
    leave: g.leave.bind(g),
    closeConnections: (peer) => components.connectionManager.closeConnections(peer),
    peerCount: () => g.peers.size,
  }
  const d = new PubsubHostDriver(ops, { id: w.id, parent: w.parent, recorder: w.recorder, fastPath: w.fastPath })
  d.start()

  const call = <T>(type: Parameters<PubsubHostDriver['send']>[0], args: Record<string, unknown>, c: Call<T>): T => {
    d.send(type, args, c)
    return c.unwrap()
  }

  // --- the public operations -------------------------------------------------------------------
  // gossipsub's class takes publish options that its interface does not declare
  ;(inst as { publish: GossipsubOps['publish'] }).publish = (topic, data, opts) => {
    const c = new AsyncCall<PublishResult>(topic, data, opts)
    const args: Record<string, unknown> = { topic, bytes: data?.length ?? 0 }
    if (w.msgIds && data) args.msgId = msgIdOf(data)
    d.send('PublishMessage', args, c)
    return c.promise
  }
  inst.subscribe = (topic) => {
    if (!d.joined.has(topic)) call('AddTopic', { topic }, new Call(topic))
    call('AddSubscription', { topic }, new Call(topic))
  }
  inst.unsubscribe = (topic) => {
    call('RemoveSubscription', { topic }, new Call(topic))
    if (d.joined.has(topic)) call('RemoveTopic', { topic }, new Call(topic))
  }
  inst.getTopics = () => call('GetTopics', {}, new Call<string[]>())
  inst.getPeers = () => call('GetPeers', {}, new Call<PeerId[]>())
  inst.getSubscribers = (topic) => call('GetPeers', { topic }, new Call<PeerId[]>(topic))
  validators.set = (topic: string, fn: TopicValidatorFn) => {
    call('AddValidator', { topic }, new Call(topic, fn))
    return validators
  }
  validators.delete = (topic: string) => call('RemoveValidator', { topic }, new Call<boolean>(topic))

  // --- the network side ------------------------------------------------------------------------
  g.addPeer = (peerId, direction, addr) => {
    const id = peerId.toString()
    if (g.peers.has(id)) return
    // a blacklisted peer is never added: gossipsub then ignores its streams
    if (d.blacklist.size > 0 && d.blacklist.has(id)) return
    if (d.pending.has(id)) return ops.addPeer(peerId, direction, addr)
    d.pending.add(id)
    call('add.PeersPending', { peer: id }, new Call(peerId, direction, addr))
  }
  const createOutboundStream = g.createOutboundStream.bind(g)
  g.createOutboundStream = async (peerId, connection) => {
    await createOutboundStream(peerId, connection)
    const id = peerId.toString()
    if (!d.pending.delete(id)) return
    const stream = g.streamsOutbound.get(id)
    if (stream) {
      d.notify('PeerNewStream', { peer: id })
      stream.rawStream.addEventListener('close', () => d.notify('PeerCloseStream', { peer: id, direction: 'out' }), {
        once: true,
      })
    } else {
      d.notify('PeerError', { peer: id, error: 'no outbound gossipsub stream' })
    }
    if (d.pending.size === 0) d.notify('remove.PeersPending', {})
  }
  const pipePeerReadStream = g.pipePeerReadStream.bind(g)
  g.pipePeerReadStream = async (peerId, source) => {
    try {
      await pipePeerReadStream(peerId, source)
    } finally {
      d.notify('PeerCloseStream', { peer: peerId.toString(), direction: 'in' })
    }
  }
  g.handlePeerReadStreamError = (err, peerId) => {
    call('PeerError', { peer: peerId.toString(), error: String(err) }, new Call(peerId, err))
  }
  g.removePeer = (peerId) => {
    const id = peerId.toString()
    if (!g.peers.has(id) || d.dead.has(id)) return ops.removePeer(peerId)
    d.dead.add(id)
    call('add.PeersDead', { peer: id }, new Call(peerId))
  }
  g.handleReceivedRpc = (from, rpc) => {
    const c = new Call<Promise<void>>(from, rpc)
    const ctl = rpc.control
    const ctrl =
      ctl === undefined || ctl === null
        ? 0
        : (ctl.ihave?.length ?? 0) +
          (ctl.iwant?.length ?? 0) +
          (ctl.graft?.length ?? 0) +
          (ctl.prune?.length ?? 0) +
          (ctl.idontwant?.length ?? 0)
    d.send(
      'IncomingRPC',
      { peer: from.toString(), msgs: rpc.messages?.length ?? 0, subs: rpc.subscriptions?.length ?? 0, ctrl },
      c,
    )
    return c.unwrap()
  }
  const acceptFrom = g.acceptFrom.bind(g)
  g.acceptFrom = (id) => (d.blacklist.size > 0 && d.blacklist.has(id) ? false : acceptFrom(id))

  // --- lifecycle -------------------------------------------------------------------------------
  const start = g.start.bind(g)
  const stop = g.stop.bind(g)
  g.start = async () => {
    d.start()
    await start()
  }
  g.stop = async () => {
    await stop()
    d.stop()
  }

  const handle: PubsubHostHandle = {
    id: w.id,
    get actor() {
      return d.actor
    },
    events: () => d.events,
    pendingPeers: () => d.pending,
    deadPeers: () => d.dead,
    blacklisted: () => d.blacklist,
    blacklistPeer: (peer) => call('BlacklistPeer', { peer: peer.toString() }, new Call(peer)),
    addRelay: (topic) => call('AddRelay', { topic }, new Call(topic)),
    removeRelay: (topic) => call('RemoveRelay', { topic }, new Call(topic)),
  }
  Object.defineProperty(inst, 'psm', { value: handle, enumerable: false })
  return inst as MachineGossipSub
}

/** gossipsub's default message id for unsigned messages: sha256 of the data, unpadded base64. */
export function msgIdOf(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64').replace(/=+$/, '')
}
