// The pubsub host actor `ps-<n>` and the work its actions do on one gossipsub instance.
// Callers and the network send events; the machine's actions (bound here with `.provide`, once for
// every host) run the gossipsub operation of the driver the event comes from and settle the caller's
// Call. The actor is a root actor, or the child its owner's machine spawned (the sim peer's). Kept
// cheap: IncomingRPC is on the hot path.
import type { GossipSub, PublishResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { type Actor, createActor } from 'xstate'
import type { Args } from '../../machines/events.js'
import { PUBSUB_HOST_MULTI, type PubsubHostEvent, pubsubHostMachine } from '../../machines/pubsub-host.js'
import { realPerformanceNow } from '../clock/virtual-real.js'
import { errorMessage } from '../errors.js'
import type { Recorder } from '../telemetry/recorder.js'
import { publishError } from './errors.js'
import { eventOf, type HostCall, type HostWork } from './host-calls.js'
import type { InternalMethods, ValidatorWriters } from './internals.js'

export type PubsubHostActor = Actor<typeof pubsubHostMachine>

/** An event as the driver sends it: it names the driver whose work its action runs. */
type DriverEvent = PubsubHostEvent & { reply?: unknown; driver?: PubsubHostDriver }

/** The gossipsub operations the host machine drives: gossipsub's own, captured before the instance is wrapped. */
export interface GossipsubOps
  extends Pick<
    InternalMethods,
    'addPeer' | 'removePeer' | 'handleReceivedRpc' | 'handlePeerReadStreamError' | 'join' | 'leave'
  > {
  publish(topic: string, data: Uint8Array | undefined, opts: unknown): Promise<PublishResult>
  subscribe: GossipSub['subscribe']
  unsubscribe: GossipSub['unsubscribe']
  getTopics: GossipSub['getTopics']
  getPeers: GossipSub['getPeers']
  getSubscribers: GossipSub['getSubscribers']
  setValidator: ValidatorWriters['set']
  deleteValidator: ValidatorWriters['delete']
  closeConnections(peerId: PeerId): Promise<void>
}

type Works = { [N in HostWork]: (c: HostCall<N>) => void }
type HostAction = (arg: { event: PubsubHostEvent }) => void

/** Every operation with work, once (the type checker keeps the list whole). */
const WORK_NAMES: Readonly<Record<HostWork, true>> = {
  PeersPending: true,
  PeersDead: true,
  PublishMessage: true,
  IncomingRPC: true,
  GetPeers: true,
  GetTopics: true,
  AddTopic: true,
  RemoveTopic: true,
  AddSubscription: true,
  RemoveSubscription: true,
  AddRelay: true,
  RemoveRelay: true,
  AddValidator: true,
  RemoveValidator: true,
  BlacklistPeer: true,
  PeerError: true,
}
const WORKS = Object.keys(WORK_NAMES) as HostWork[]

/**
 * The host machine with its work bound: each action runs on the driver its event names, so one logic
 * serves every host, and a parent machine can declare it as the child it spawns (`.provide` at the parent).
 */
export const boundHostMachine = bindHostMachine()

function bindHostMachine() {
  const actions: Record<string, HostAction> = {}
  for (const name of [...PUBSUB_HOST_MULTI, 'PeersPending', 'PeersDead'] as const) actions[name] = noop
  for (const name of WORKS) {
    // the reply on an event of this name is the Call `send` gave it
    actions[name] = ({ event }) => (event as DriverEvent).driver?.runReply(name, (event as DriverEvent).reply)
  }
  actions.Exception = ({ event }) =>
    (event as DriverEvent).driver?.logError((event as { args: Args }).args.error as string)
  // the provided actions' event types are the machine's union; the record above is keyed by name
  return pubsubHostMachine.provide({ actions: actions as never })
}

export interface DriverOptions {
  id: string
  /** the parent recorded for a root actor (a label); a spawned actor's parent is the actor that spawned it */
  parent: string | null
  /**
   * The host actor its owner's machine spawned as a child (of `boundHostMachine`); absent or not running:
   * the driver creates a root actor.
   */
  spawned?: () => PubsubHostActor | undefined
  recorder: Recorder | undefined
  /**
   * Runs the action of a Multi event whose transition is trivial (no target, guard or context change,
   * read from the machine definition) without the xstate step. The action and the resulting snapshot are
   * the same; only unobserved bookkeeping is skipped. With a recorder the recorder writes the record the
   * step would have written, when it is the actor's only observer and no other event is in progress;
   * otherwise the event takes the step.
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
  private readonly works: Works
  /** Multi events whose action runs without the xstate step (see DriverOptions.fastPath) */
  private readonly direct: Set<string>

  constructor(
    private readonly ops: GossipsubOps,
    private readonly opts: DriverOptions,
  ) {
    this.id = opts.id
    this.works = this.createWorks()
    this.actor = this.createActor()
    this.direct = opts.fastPath ? trivialEvents() : new Set()
  }

  /** The action of a work event: runs the work of the Call the event carries. */
  runReply<N extends HostWork>(name: N, reply: unknown): void {
    this.run(name, reply as HostCall<N> | undefined)
  }

  /** The Exception action: the error goes to the log beside the transition. */
  logError(text: string): void {
    this.opts.recorder?.log(this.id, 'error', text)
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
    // a spawned actor is its parent's to stop (with the parent); the driver only stops sending to it
    if (!this.actor._parent) this.actor.stop()
    this.opts.recorder?.detach(this.id)
  }

  /** Sends an operation; when the actor cannot run it right now the work runs inline (still recorded). */
  send<N extends HostWork>(name: N, args: Args, call: HostCall<N>): void {
    this.events++
    if (this.direct.size > 0 && this.direct.has(name)) {
      const rec = this.opts.recorder
      if (rec === undefined) {
        this.run(name, call)
        return
      }
      if (this.unstepped(rec)) {
        this.runUnstepped(rec, eventOf(name), args, () => this.run(name, call))
        return
      }
    }
    this.post({ type: eventOf(name), args, reply: call, driver: this } as DriverEvent)
    // the actor is inside another action (the event waits in the outbox) or stopped, and the caller needs
    // its answer now: the work runs inline; the event is still recorded and its action skips the work
    if (!call.taken) this.run(name, call)
  }

  /** Sends an event that carries no work (an observation, a flag change). */
  notify(type: string, args: Args): void {
    this.events++
    // an observation whose transition only runs its (empty) action
    if (this.direct.size > 0 && this.direct.has(type)) {
      const rec = this.opts.recorder
      if (rec === undefined) return
      if (this.unstepped(rec)) {
        this.runUnstepped(rec, type, args, () => {})
        return
      }
    }
    this.post({ type, args, driver: this } as DriverEvent)
  }

  /** A trivial event may skip the step while recorded: the actor idle, the recorder its only observer. */
  private unstepped(rec: Recorder): boolean {
    return this.running && this.depth === 0 && rec.canRecordUnstepped(this.actor)
  }

  /**
   * A trivial event without the step, as the step would run it: its action, then its record, then the
   * events the action raised (they waited in the outbox, as they do during a step).
   */
  private runUnstepped(rec: Recorder, type: string, args: Args, action: () => void): void {
    const startedAt = realPerformanceNow()
    this.depth++
    try {
      action()
      rec.recordUnstepped(this.actor, type, args, startedAt)
      this.sendOutbox()
    } finally {
      this.depth--
    }
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
      this.sendOutbox()
    } finally {
      this.depth--
    }
  }

  /** The events raised meanwhile, one step each, in order (called with depth > 0: later raises queue too). */
  private sendOutbox(): void {
    for (let next = this.outbox.shift(); next !== undefined; next = this.outbox.shift()) this.actor.send(next)
  }

  exception(op: string, err: unknown, topic?: string): void {
    const args: Record<string, string> = { error: errorMessage(err), op }
    if (topic !== undefined) args.topic = topic
    this.notify('Exception', args)
  }

  private createActor(): PubsubHostActor {
    const child = this.opts.spawned?.()
    if (child && child.getSnapshot().status === 'active') return child
    const rec = this.opts.recorder
    return createActor(boundHostMachine, rec ? rec.actorOptions(this.id, this.opts.parent) : { id: this.id })
  }

  private run<N extends HostWork>(name: N, call: HostCall<N> | undefined): void {
    if (call === undefined || call.taken) return
    call.taken = true
    try {
      ;(this.works[name] as (c: HostCall<N>) => void)(call)
    } catch (err) {
      call.reject(err)
      const input = call.input as { topic?: unknown } | undefined
      this.exception(name, err, typeof input?.topic === 'string' ? input.topic : undefined)
    }
  }

  private createWorks(): Works {
    const ops = this.ops
    return {
      PeersPending: (c) => {
        const { peerId, direction, addr } = c.input
        ops.addPeer(peerId, direction, addr)
        c.resolve(undefined)
      },
      PeersDead: (c) => {
        const peer = c.input.peerId
        const id = peer.toString()
        ops.removePeer(peer)
        this.dead.delete(id)
        c.resolve(undefined)
        if (this.pending.delete(id) && this.pending.size === 0) this.notify('remove.PeersPending', {})
        if (this.dead.size === 0) this.notify('remove.PeersDead', {})
      },
      PublishMessage: (c) => {
        const { topic, data, opts } = c.input
        ops.publish(topic, data, opts).then(
          (r) => c.resolve(r),
          (err: unknown) => {
            const e = publishError(topic, err)
            c.reject(e)
            this.exception('PublishMessage', e, topic)
          },
        )
      },
      IncomingRPC: (c) => {
        c.resolve(ops.handleReceivedRpc(c.input.from, c.input.rpc))
      },
      GetPeers: (c) => {
        const { topic } = c.input
        c.resolve(topic === undefined ? ops.getPeers() : ops.getSubscribers(topic))
      },
      GetTopics: (c) => {
        c.resolve(ops.getTopics())
      },
      AddTopic: (c) => {
        this.joined.add(c.input.topic)
        c.resolve(undefined)
      },
      RemoveTopic: (c) => {
        this.joined.delete(c.input.topic)
        c.resolve(undefined)
      },
      AddSubscription: (c) => {
        const { topic } = c.input
        const peers = ops.getTopics().includes(topic) ? 0 : ops.getPeers().length
        if (peers > 0) this.notify('AnnouncingTopic', { topic, peers, subscribe: true })
        ops.subscribe(topic)
        if (peers > 0) this.notify('TopicAnnounced', { topic, peers, subscribe: true })
        c.resolve(undefined)
      },
      RemoveSubscription: (c) => {
        const { topic } = c.input
        const peers = ops.getTopics().includes(topic) ? ops.getPeers().length : 0
        if (peers > 0) this.notify('AnnouncingTopic', { topic, peers, subscribe: false })
        ops.unsubscribe(topic)
        if (peers > 0) this.notify('TopicAnnounced', { topic, peers, subscribe: false })
        // a relayed topic keeps its mesh
        if ((this.relays.get(topic) ?? 0) > 0) ops.join(topic)
        c.resolve(undefined)
      },
      AddRelay: (c) => {
        const { topic } = c.input
        const n = this.relays.get(topic) ?? 0
        this.relays.set(topic, n + 1)
        if (n === 0 && !ops.getTopics().includes(topic)) ops.join(topic)
        c.resolve(undefined)
      },
      RemoveRelay: (c) => {
        const { topic } = c.input
        const n = this.relays.get(topic) ?? 0
        if (n <= 1) this.relays.delete(topic)
        else this.relays.set(topic, n - 1)
        if (n === 1 && !ops.getTopics().includes(topic)) ops.leave(topic)
        c.resolve(undefined)
      },
      AddValidator: (c) => {
        ops.setValidator(c.input.topic, c.input.fn)
        c.resolve(undefined)
      },
      RemoveValidator: (c) => {
        c.resolve(ops.deleteValidator(c.input.topic))
      },
      BlacklistPeer: (c) => {
        const peer = c.input.peerId
        this.blacklist.add(peer.toString())
        ops.closeConnections(peer).catch((err: unknown) => this.exception('BlacklistPeer', err))
        c.resolve(undefined)
      },
      PeerError: (c) => {
        // a read stream failed: gossipsub drops the peer (which records PeersDead)
        ops.handlePeerReadStreamError(c.input.error, c.input.peerId)
        c.resolve(undefined)
      },
    }
  }
}

function noop(): void {}

let trivial: Set<string> | undefined

/** The trivial Multi events of the (one) bound host machine, derived on first use. */
function trivialEvents(): Set<string> {
  trivial ??= trivialMultiEvents(pubsubHostMachine)
  return trivial
}
