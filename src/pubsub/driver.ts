// The pubsub host actor `ps-<n>` and the work its actions do on one gossipsub instance.
// Callers and the network send events; the machine's actions (bound here with `.provide`) run the
// gossipsub operation and settle the caller's Call. Kept cheap: IncomingRPC is on the hot path.
import type { GossipSub, PublishResult, TopicValidatorFn } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { type Actor, createActor } from 'xstate'
import type { Args } from '../../machines/events.js'
import {
  PUBSUB_HOST_MULTI,
  type PubsubHostEvent,
  type PubsubHostMulti,
  pubsubHostMachine,
} from '../../machines/pubsub-host.js'
import { errorMessage } from '../errors.js'
import type { Recorder } from '../telemetry/recorder.js'
import type { Call } from './call.js'
import { publishError } from './errors.js'

export type PubsubHostActor = Actor<typeof pubsubHostMachine>

/** The gossipsub operations the host machine drives, captured before the instance is wrapped. */
export interface GossipsubOps {
  publish(topic: string, data?: Uint8Array, opts?: unknown): Promise<PublishResult>
  subscribe: GossipSub['subscribe']
  unsubscribe: GossipSub['unsubscribe']
  getTopics: GossipSub['getTopics']
  getPeers: GossipSub['getPeers']
  getSubscribers: GossipSub['getSubscribers']
  setValidator(topic: string, fn: TopicValidatorFn): void
  deleteValidator(topic: string): boolean
  addPeer(peerId: PeerId, direction: unknown, addr: unknown): void
  removePeer(peerId: PeerId): void
  handleReceivedRpc(from: PeerId, rpc: unknown): Promise<void>
  handlePeerReadStreamError(err: unknown, peerId: PeerId): void
  join(topic: string): void
  leave(topic: string): void
  closeConnections(peerId: PeerId): Promise<void>
  peerCount(): number
}

type Work = (c: Call) => void
type HostAction = (arg: { event: PubsubHostEvent }) => void

export interface DriverOptions {
  id: string
  parent: string | null
  recorder: Recorder | undefined
  /**
   * Runs the action of a Multi event whose transition is trivial (no target, guard or context change,
   * read from the machine definition) without the xstate step, when nothing inspects the actor. The
   * action and the resulting snapshot are the same; only unobserved bookkeeping is skipped.
   */
  fastPath: boolean
}

/**
 * The Multi events whose transition only runs the action of the same name. For those, an xstate step
 * changes nothing but runs the action, so it can be skipped when nobody inspects the actor. Derived from
 * the machine: a guard, target or assign added to the definition turns the shortcut off for that event.
 */
export function trivialMultiEvents(machine: typeof pubsubHostMachine): Set<string> {
  const out = new Set<string>()
  const root = machine.root as unknown as {
    states: Record<string, unknown>
    always?: unknown
    on: Record<string, Array<{ target?: unknown[]; guard?: unknown; actions: unknown[]; reenter?: boolean }>>
  }
  // any state or eventless transition could react to an event: then every event takes the full step
  if (Object.keys(root.states).length > 0 || root.always !== undefined) return out
  for (const name of PUBSUB_HOST_MULTI) {
    const ts = root.on[name]
    const t = ts?.[0]
    if (ts?.length !== 1 || !t || t.guard !== undefined || (t.target?.length ?? 0) > 0 || t.reenter) continue
    if (t.actions.length === 1 && t.actions[0] === name) out.add(name)
  }
  return out
}

export class PubsubHostDriver {
  readonly id: string
  readonly pending = new Set<string>()
  readonly dead = new Set<string>()
  readonly blacklist = new Set<string>()
  readonly joined = new Set<string>()
  readonly relays = new Map<string, number>()
  actor: PubsubHostActor
  /** events sent to the actor (transitions, recorded or not) */
  events = 0
  private depth = 0
  private readonly outbox: PubsubHostEvent[] = []
  private running = false
  private readonly machine: ReturnType<typeof pubsubHostMachine.provide>
  private readonly works: Record<PubsubHostMulti | 'PeersPending' | 'PeersDead', Work | undefined>
  /** Multi events whose action runs without the xstate step (see DriverOptions.fastPath) */
  private readonly direct: Set<string>

  constructor(
    private readonly ops: GossipsubOps,
    private readonly opts: DriverOptions,
  ) {
    this.id = opts.id
    this.works = this.createWorks()
    const actions: Record<string, HostAction> = {}
    for (const name of [...PUBSUB_HOST_MULTI, 'PeersPending', 'PeersDead'] as const) {
      const work = this.works[name]
      if (work) actions[name] = ({ event }) => this.act(name, work, (event as { reply?: Call }).reply)
      else actions[name] = noop
    }
    const rec = opts.recorder
    actions.Exception = rec
      ? ({ event }) => rec.log(this.id, 'error', (event as { args: Args }).args.error as string)
      : noop
    // the provided actions' event types are the machine's union; the record above is keyed by name
    this.machine = pubsubHostMachine.provide({ actions: actions as never })
    this.actor = this.createActor()
    this.direct = opts.fastPath && !opts.recorder ? trivialMultiEvents(pubsubHostMachine) : new Set()
  }

  /** Starts (again, after a stop) the actor. */
  start(): void {
    if (this.running) return
    if (this.actor.getSnapshot().status !== 'active') this.actor = this.createActor()
    this.actor.start()
    this.running = true
  }

  stop(): void {
    if (!this.running) return
    this.running = false
    this.actor.stop()
    this.opts.recorder?.detach(this.id)
  }

  /** Sends an operation; when the actor cannot run it right now the work runs inline (still recorded). */
  send(type: PubsubHostMulti | 'add.PeersPending' | 'add.PeersDead', args: Args, call: Call): void {
    this.events++
    if (this.direct.size > 0 && this.direct.has(type)) {
      const work = this.works[type as PubsubHostMulti]
      if (work) this.act(type, work, call)
      return
    }
    this.post({ type, args, reply: call } as PubsubHostEvent)
    if (call.taken) return
    // the actor is inside another action (the event waits in the outbox) or stopped, and the caller needs
    // its answer now: the work runs inline; the event is still recorded and its action skips the work
    const name = type === 'add.PeersPending' ? 'PeersPending' : type === 'add.PeersDead' ? 'PeersDead' : type
    const work = this.works[name]
    if (work) this.act(name, work, call)
  }

  /** Sends an event that carries no work (an observation, a flag change). */
  notify(type: string, args: Args): void {
    this.events++
    // an observation whose transition only runs its (empty) action
    if (this.direct.size > 0 && this.direct.has(type)) return
    this.post({ type, args } as PubsubHostEvent)
  }

  /**
   * Events raised while the actor processes one wait here and go in after it, one at a time: each
   * event then reaches the actor (and its inspection) when it is idle, so records never interleave.
   */
  private post(ev: PubsubHostEvent): void {
    if (!this.running) return
    if (this.depth > 0) {
      this.outbox.push(ev)
      return
    }
    this.depth++
    try {
      this.actor.send(ev)
      for (let next = this.outbox.shift(); next !== undefined; next = this.outbox.shift()) this.actor.send(next)
    } finally {
      this.depth--
    }
  }

  exception(op: string, err: unknown, topic?: string): void {
    const args: Record<string, string> = { error: errorMessage(err), op }
    if (topic !== undefined) args.topic = topic
    this.notify('Exception', args)
  }

  private createActor(): PubsubHostActor {
    const rec = this.opts.recorder
    return createActor(this.machine, rec ? rec.actorOptions(this.id, this.opts.parent) : { id: this.id })
  }

  private act(name: string, work: Work, call: Call | undefined): void {
    if (call === undefined || call.taken) return
    call.taken = true
    try {
      work(call)
    } catch (err) {
      call.reject(err)
      this.exception(name, err, typeof call.a === 'string' ? call.a : undefined)
    }
  }

  private createWorks(): Record<PubsubHostMulti | 'PeersPending' | 'PeersDead', Work | undefined> {
    const ops = this.ops
    return {
      PeersPending: (c) => {
        ops.addPeer(c.a as PeerId, c.b, c.c)
        c.resolve(undefined)
      },
      PeersDead: (c) => {
        const peer = c.a as PeerId
        const id = peer.toString()
        ops.removePeer(peer)
        this.dead.delete(id)
        c.resolve(undefined)
        if (this.pending.delete(id) && this.pending.size === 0) this.notify('remove.PeersPending', {})
        if (this.dead.size === 0) this.notify('remove.PeersDead', {})
      },
      PublishMessage: (c) => {
        const topic = c.a as string
        ops.publish(topic, c.b as Uint8Array | undefined, c.c).then(
          (r: PublishResult) => c.resolve(r),
          (err: unknown) => {
            const e = publishError(topic, err)
            c.reject(e)
            this.exception('PublishMessage', e, topic)
          },
        )
      },
      IncomingRPC: (c) => {
        c.resolve(ops.handleReceivedRpc(c.a as PeerId, c.b))
      },
      GetPeers: (c) => {
        c.resolve(c.a === undefined ? ops.getPeers() : ops.getSubscribers(c.a as string))
      },
      GetTopics: (c) => {
        c.resolve(ops.getTopics())
      },
      AddTopic: (c) => {
        this.joined.add(c.a as string)
        c.resolve(undefined)
      },
      RemoveTopic: (c) => {
        this.joined.delete(c.a as string)
        c.resolve(undefined)
      },
      AddSubscription: (c) => {
        const topic = c.a as string
        const peers = ops.getTopics().includes(topic) ? 0 : ops.peerCount()
        if (peers > 0) this.notify('AnnouncingTopic', { topic, peers, subscribe: true })
        ops.subscribe(topic)
        if (peers > 0) this.notify('TopicAnnounced', { topic, peers, subscribe: true })
        c.resolve(undefined)
      },
      RemoveSubscription: (c) => {
        const topic = c.a as string
        const peers = ops.getTopics().includes(topic) ? ops.peerCount() : 0
        if (peers > 0) this.notify('AnnouncingTopic', { topic, peers, subscribe: false })
        ops.unsubscribe(topic)
        if (peers > 0) this.notify('TopicAnnounced', { topic, peers, subscribe: false })
        // a relayed topic keeps its mesh
        if ((this.relays.get(topic) ?? 0) > 0) ops.join(topic)
        c.resolve(undefined)
      },
      AddRelay: (c) => {
        const topic = c.a as string
        const n = this.relays.get(topic) ?? 0
        this.relays.set(topic, n + 1)
        if (n === 0 && !ops.getTopics().includes(topic)) ops.join(topic)
        c.resolve(undefined)
      },
      RemoveRelay: (c) => {
        const topic = c.a as string
        const n = this.relays.get(topic) ?? 0
        if (n <= 1) this.relays.delete(topic)
        else this.relays.set(topic, n - 1)
        if (n === 1 && !ops.getTopics().includes(topic)) ops.leave(topic)
        c.resolve(undefined)
      },
      AddValidator: (c) => {
        ops.setValidator(c.a as string, c.b as TopicValidatorFn)
        c.resolve(undefined)
      },
      RemoveValidator: (c) => {
        c.resolve(ops.deleteValidator(c.a as string))
      },
      BlacklistPeer: (c) => {
        const peer = c.a as PeerId
        this.blacklist.add(peer.toString())
        ops.closeConnections(peer).catch((err: unknown) => this.exception('BlacklistPeer', err))
        c.resolve(undefined)
      },
      PeerError: (c) => {
        // a read stream failed: gossipsub drops the peer (which records PeersDead)
        ops.handlePeerReadStreamError(c.b, c.a as PeerId)
        c.resolve(undefined)
      },
      // observations: the event is the record, gossipsub already did the work
      PeerNewStream: undefined,
      PeerCloseStream: undefined,
      AnnouncingTopic: undefined,
      TopicAnnounced: undefined,
    }
  }
}

function noop(): void {}
