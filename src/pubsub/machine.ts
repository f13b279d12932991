// `machinePubsub(init)`: a drop-in for `gossipsub(init)` whose public operations and network events
// go through a pubsub host actor `ps-<n>`. It returns the gossipsub instance itself, built from the same
// init with gossipsub's own defaults, its methods wrapped on the instance, so events, options and every
// other member behave as gossipsub's. Members outside gossipsub's public interface are reached only
// through ./internals.ts.
import { createHash } from 'node:crypto'
import {
  type GossipSub,
  type GossipSubComponents,
  type GossipsubOpts,
  gossipsub,
  type PublishResult,
} from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { Args } from '../../machines/events.js'
import type { HostNetwork } from '../net/model/transport.js'
import type { Recorder } from '../telemetry/recorder.js'
import { AsyncCall, Call } from './call.js'
import { type GossipsubOps, type PubsubHostActor, PubsubHostDriver } from './driver.js'
import type { HostCalls, HostWork } from './host-calls.js'
import { GossipsubInternals, type RpcLike, type RpcMessageLike, type ValidationLike } from './internals.js'
import { incomingRpcArgs } from './rpc-args.js'

/** gossipsub's own options (its own defaults apply), plus the host actor's. */
export interface MachinePubsubInit extends Partial<GossipsubOpts> {
  /** actor id, default `ps-<n>` with a process-wide counter */
  id?: string
  /** parent machine id in the transition log of a root host actor */
  parent?: string | null
  /** the host actor the caller's machine spawned (the sim peer's child `ps-<n>`); absent: a root actor */
  spawned?: () => PubsubHostActor | undefined
  /** records every transition of the host actor; absent: no inspection at all */
  recorder?: Recorder
  /** the host's network model handle: with a recorder, each hop's mark carries its modelled delay and queueing */
  network?: HostNetwork
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

let hostSeq = 0

export function machinePubsub(init: MachinePubsubInit = {}): (components: GossipSubComponents) => MachineGossipSub {
  const { id, parent, spawned, recorder, fastPath, network, ...gsInit } = init
  return (components) => {
    const inst = gossipsub(gsInit)(components)
    return wrapInstance(inst, components, {
      id: id ?? `ps-${hostSeq++}`,
      parent: parent ?? null,
      spawned,
      recorder,
      fastPath: fastPath ?? true,
      network,
      // a msgId in the record costs a hash per publish: only when recording, and only for the default id fn
      msgIds: recorder !== undefined && gsInit.msgIdFn === undefined && inst.globalSignaturePolicy === 'StrictNoSign',
    })
  }
}

interface WrapOptions {
  id: string
  parent: string | null
  spawned: (() => PubsubHostActor | undefined) | undefined
  recorder: Recorder | undefined
  fastPath: boolean
  msgIds: boolean
  network: HostNetwork | undefined
}

function wrapInstance(inst: GossipSub, components: GossipSubComponents, w: WrapOptions): MachineGossipSub {
  const internals = new GossipsubInternals(inst)
  const own = internals.original
  const ops: GossipsubOps = {
    // gossipsub's class takes publish options that its interface does not declare
    publish: inst.publish.bind(inst) as GossipsubOps['publish'],
    subscribe: inst.subscribe.bind(inst),
    unsubscribe: inst.unsubscribe.bind(inst),
    getTopics: inst.getTopics.bind(inst),
    getPeers: inst.getPeers.bind(inst),
    getSubscribers: inst.getSubscribers.bind(inst),
    setValidator: internals.validators.set,
    deleteValidator: internals.validators.delete,
    addPeer: own.addPeer,
    removePeer: own.removePeer,
    handleReceivedRpc: own.handleReceivedRpc,
    handlePeerReadStreamError: own.handlePeerReadStreamError,
    join: own.join,
    leave: own.leave,
    closeConnections: (peer) => components.connectionManager.closeConnections(peer),
  }
  const rec = w.recorder
  // args name peers by machine id (the recorder knows every host it records); the raw id stays in the machine record
  if (rec) rec.namePeer(w.id, components.peerId.toString())
  const name = rec ? (id: string) => rec.peerName(id) : (id: string) => id
  const d = new PubsubHostDriver(ops, {
    id: w.id,
    parent: w.parent,
    ...(w.spawned ? { spawned: w.spawned } : {}),
    recorder: w.recorder,
    fastPath: w.fastPath,
  })
  d.start()

  /** Runs a synchronous operation through the actor and answers its value (or throws its error). */
  const call = <N extends HostWork>(name: N, args: Args, input: HostCalls[N]['input']): HostCalls[N]['value'] => {
    const c = new Call<HostCalls[N]['input'], HostCalls[N]['value']>(input)
    d.send(name, args, c)
    return c.unwrap()
  }

  // --- the public operations -------------------------------------------------------------------
  ;(inst as { publish: GossipsubOps['publish'] }).publish = (topic, data, opts) => {
    const c = new AsyncCall<HostCalls['PublishMessage']['input'], PublishResult>({ topic, data, opts })
    const args: Record<string, unknown> = { topic, bytes: data?.length ?? 0 }
    const msgId = w.msgIds && data ? msgIdOf(data) : undefined
    if (msgId !== undefined) args.msgId = msgId
    d.send('PublishMessage', args, c)
    if (rec && msgId !== undefined) {
      const seq = rec.seqOf(w.id)
      rec.msg({ machine: w.id, mark: 'publish', id: msgId, topic, seq })
      // the log line says where it went, beside the PublishMessage: the transition pane shows it by default
      c.promise.then(
        (r) => rec.log(w.id, 'info', `published ${msgId} on ${topic} to ${recipientsText(r, name)}`, seq),
        () => {},
      )
    }
    return c.promise
  }
  inst.subscribe = (topic) => {
    if (!d.joined.has(topic)) call('AddTopic', { topic }, { topic })
    call('AddSubscription', { topic }, { topic })
  }
  inst.unsubscribe = (topic) => {
    call('RemoveSubscription', { topic }, { topic })
    if (d.joined.has(topic)) call('RemoveTopic', { topic }, { topic })
  }
  inst.getTopics = () => call('GetTopics', {}, undefined)
  inst.getPeers = () => call('GetPeers', {}, { topic: undefined })
  inst.getSubscribers = (topic) => call('GetPeers', { topic }, { topic })
  internals.replaceValidators({
    set: (topic, fn) => call('AddValidator', { topic }, { topic, fn }),
    delete: (topic) => call('RemoveValidator', { topic }, { topic }),
  })

  // --- the network side ------------------------------------------------------------------------
  const rpcSeq = new WeakMap<object, RpcAt>()
  internals.replace({
    addPeer: (peerId, direction, addr) => {
      const id = peerId.toString()
      if (internals.hasPeer(id)) return
      // a blacklisted peer is never added: gossipsub then ignores its streams
      if (d.blacklist.size > 0 && d.blacklist.has(id)) return
      if (d.pending.has(id)) return own.addPeer(peerId, direction, addr)
      d.pending.add(id)
      call('PeersPending', { peer: name(id) }, { peerId, direction, addr })
    },
    createOutboundStream: async (peerId, connection) => {
      await own.createOutboundStream(peerId, connection)
      const id = peerId.toString()
      if (!d.pending.delete(id)) return
      const stream = internals.outboundStream(id)
      if (stream) {
        d.notify('PeerNewStream', { peer: name(id) })
        stream.addEventListener('close', () => d.notify('PeerCloseStream', { peer: name(id), direction: 'out' }), {
          once: true,
        })
      } else {
        d.notify('PeerError', { peer: name(id), error: 'no outbound gossipsub stream' })
      }
      if (d.pending.size === 0) d.notify('remove.PeersPending', {})
    },
    pipePeerReadStream: async (peerId, source) => {
      try {
        await own.pipePeerReadStream(peerId, source)
      } finally {
        d.notify('PeerCloseStream', { peer: name(peerId.toString()), direction: 'in' })
      }
    },
    handlePeerReadStreamError: (error, peerId) => {
      call('PeerError', { peer: name(peerId.toString()), error: String(error) }, { peerId, error })
    },
    removePeer: (peerId) => {
      const id = peerId.toString()
      if (!internals.hasPeer(id) || d.dead.has(id)) return own.removePeer(peerId)
      d.dead.add(id)
      call('PeersDead', { peer: name(id) }, { peerId })
    },
    handleReceivedRpc: (from, rpc) => {
      if (!rec) return call('IncomingRPC', plainRpcArgs(from.toString(), rpc), { from, rpc })
      const done = call('IncomingRPC', incomingRpcArgs(name(from.toString()), rpc, w.msgIds ? msgIdOf : undefined), {
        from,
        rpc,
      })
      // the transition each message belongs to, for its mark once gossipsub has decided, and with a
      // network model how the write that completed the RPC fared (the link's delay, the sender's queue)
      const msgs = rpc.messages as object[] | undefined
      if (msgs && msgs.length > 0) {
        const at: RpcAt = { seq: rec.seqOf(w.id) }
        const net = w.network
        if (net) {
          const fromHost = net.model.endpoints.hostOfPeer(from.toString())
          const a = fromHost === undefined ? undefined : net.model.port(net.host).arrivals.get(fromHost)
          if (a) {
            at.netMs = round2(a.netMs)
            at.queueMs = round2(a.queueMs)
          }
        }
        for (const m of msgs) rpcSeq.set(m, at)
      }
      return done
    },
    ...(rec
      ? {
          validateReceivedMessage: async (from: PeerId, msg: RpcMessageLike): Promise<ValidationLike> => {
            const v = await own.validateReceivedMessage(from, msg)
            markMessage(rec, w.id, name(from.toString()), msg, v, rpcSeq.get(msg))
            return v
          },
        }
      : {}),
    acceptFrom: (id) => (d.blacklist.size > 0 && d.blacklist.has(id) ? false : own.acceptFrom(id)),
  })

  // --- lifecycle (libp2p's Startable: public) ----------------------------------------------------
  const lifecycle = inst as GossipSub & { start(): Promise<void>; stop(): Promise<void> }
  const start = lifecycle.start.bind(inst)
  const stop = lifecycle.stop.bind(inst)
  lifecycle.start = async () => {
    d.start()
    await start()
  }
  lifecycle.stop = async () => {
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
    blacklistPeer: (peer) => call('BlacklistPeer', { peer: peer.toString() }, { peerId: peer }),
    addRelay: (topic) => call('AddRelay', { topic }, { topic }),
    removeRelay: (topic) => call('RemoveRelay', { topic }, { topic }),
  }
  Object.defineProperty(inst, 'psm', { value: handle, enumerable: false })
  return inst as MachineGossipSub
}

/** Where a received message's mark points: its IncomingRPC's seq and, with a network model, the hop's timing. */
interface RpcAt {
  seq?: number
  netMs?: number
  queueMs?: number
}

const round2 = (x: number): number => Math.round(x * 100) / 100

/** The IncomingRPC args without a recorder (nobody reads them; kept to counts). */
function plainRpcArgs(from: string, rpc: RpcLike): Args {
  return { from, msgs: rpc.messages?.length ?? 0, subs: rpc.subscriptions?.length ?? 0 }
}

/** A message's mark at this host, from gossipsub's verdict. */
function markMessage(
  rec: Recorder,
  machine: string,
  from: string,
  msg: RpcMessageLike,
  v: ValidationLike,
  at: RpcAt | undefined,
): void {
  if (at === undefined) at = {}
  if (v.code === 'valid') rec.msg({ machine, mark: 'deliver', id: v.messageId.msgIdStr, topic: msg.topic, from, ...at })
  else if (v.code === 'duplicate')
    rec.msg({ machine, mark: 'duplicate', id: v.msgIdStr, topic: msg.topic, from, ...at })
  else if (v.msgIdStr !== undefined) {
    rec.msg({ machine, mark: 'reject', id: v.msgIdStr, topic: msg.topic, from, reason: v.reason ?? 'invalid', ...at })
  }
}

/** `ps-1, ps-2 (2 peers)`: at most 8 names. */
function recipientsText(r: PublishResult, name: (id: string) => string): string {
  const ids = r.recipients.map((p) => name(p.toString()))
  const shown = ids.slice(0, 8).join(', ')
  return `${ids.length} peer${ids.length === 1 ? '' : 's'}${ids.length > 0 ? `: ${shown}${ids.length > 8 ? ', …' : ''}` : ''}`
}

/** gossipsub's default message id for unsigned messages: sha256 of the data, unpadded base64. */
export function msgIdOf(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64').replace(/=+$/, '')
}
