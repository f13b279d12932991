// Topic discovery for one host: the discovery actor `ps-<n>-disc` advertises joined topics, refreshes
// on its pool timer, and spawns one bootstrap flow per topic, dialling what it finds. `joinTopic`
// resolves when the topic has the wanted number of topic peers and rejects on timeout.
// The discovery actor is a root actor recorded under its host's id: an xstate child cannot be stopped
// by its owner, and the host's machine (one logic for every host, on the hot path) spawns nothing.
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'
import { type Actor, type AnyActorRef, createActor, fromPromise } from 'xstate'
import { type DiscoveryEvent, discoveryMachine } from '../../machines/discovery.js'
import { flowId } from '../../machines/ids.js'
import { errorMessage } from '../errors.js'
import { DEFAULT_MAX_CONNECTIONS } from '../net/constants.js'
import { pubsubHostOf } from '../pubsub/machine.js'
import type { Recorder } from '../telemetry/recorder.js'
import { bootstrapFlowLogic, flowPhase } from './bootstrap.js'
import {
  DEFAULT_ADVERTISE_TTL_MS,
  DEFAULT_BOOTSTRAP_DELAY_MS,
  DEFAULT_FIND_LIMIT,
  DEFAULT_JOIN_TIMEOUT_MS,
  DEFAULT_MIN_PEERS,
  DEFAULT_POOL_INTERVAL_MS,
} from './constants.js'
import { TopicJoinAbortedError, TopicJoinTimeoutError } from './errors.js'
import { SendQueue } from './send-queue.js'
import type { Discovery } from './types.js'

/** how long a host waits for a peer that should dial it before dialling that peer itself */
const DIAL_GRACE_MS = 2000

export type DiscoveryActor = Actor<typeof discoveryMachine>

/** What topic discovery needs of a host. */
export type DiscoveryHost = Pick<Libp2p<{ pubsub: GossipSub }>, 'services' | 'dial' | 'getConnections' | 'peerId'>

export interface TopicDiscoveryOptions {
  /** the backend (e.g. `registry.forHost(host)`) */
  discovery: Discovery
  /** actor id, default `<pubsub host id>-disc` */
  id?: string
  /** parent in the transition log, default the pubsub host id */
  parent?: string | null
  recorder?: Recorder
  advertiseTtlMs?: number
  /** peers asked for and dialled per discovery round (0: all), default 6 */
  findLimit?: number
  /** no dials while the host has this many connections (its connection manager's limit), default 50 */
  maxConnections?: number
  poolIntervalMs?: number
  bootstrapDelayMs?: number
}

export interface JoinOptions {
  /** topic peers to wait for (default 1) */
  minPeers?: number
  /** default 30 s */
  timeoutMs?: number
}

interface Waiter {
  resolve(peers: number): void
  reject(err: Error): void
  timer: ReturnType<typeof setTimeout>
}

interface TopicState {
  topic: string
  minPeers: number
  advertisedAt: number
  waiters: Set<Waiter>
  discovering: Array<() => void>
  /** peers that should dial us, with when we first found them unconnected */
  waitingFor: Map<string, number>
}

let discSeq = 0

export class TopicDiscovery {
  readonly id: string
  readonly actor: DiscoveryActor
  private readonly queue: SendQueue<DiscoveryEvent>
  private readonly topics = new Map<string, TopicState>()
  private readonly pubsub: GossipSub
  private readonly backend: Discovery
  private readonly recorder: Recorder | undefined
  private readonly ttlMs: number
  private readonly findLimit: number
  private readonly maxConnections: number
  private readonly delayMs: number
  private transitionCount = 0
  /** flows whose transitions are counted (from the first snapshot of the discovery that holds them) */
  private readonly watched = new WeakSet<AnyActorRef>()
  private stopped = false
  private readonly onSubscriptionChange: (e: CustomEvent<{ subscriptions: Array<{ topic: string }> }>) => void

  constructor(
    private readonly host: DiscoveryHost,
    opts: TopicDiscoveryOptions,
  ) {
    this.pubsub = host.services.pubsub
    const hostId = pubsubHostOf(this.pubsub)?.id
    this.id = opts.id ?? `${hostId ?? `ps-x${discSeq++}`}-disc`
    this.backend = opts.discovery
    this.recorder = opts.recorder
    this.ttlMs = opts.advertiseTtlMs ?? DEFAULT_ADVERTISE_TTL_MS
    this.findLimit = opts.findLimit ?? DEFAULT_FIND_LIMIT
    this.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS
    this.delayMs = opts.bootstrapDelayMs ?? DEFAULT_BOOTSTRAP_DELAY_MS
    const flows = bootstrapFlowLogic({
      peers: (topic) => this.topicPeers(topic),
      // a flow outliving its topic (being stopped) is never ready
      minPeers: (topic) => this.topics.get(topic)?.minPeers ?? Number.POSITIVE_INFINITY,
      discover: (topic) =>
        new Promise<void>((resolve) => {
          const st = this.topics.get(topic)
          if (!st) return resolve()
          st.discovering.push(resolve)
          queueMicrotask(() => this.queue.send({ type: 'DiscoveringTopic', args: { topic } }))
        }),
      delayMs: this.delayMs,
    })
    const machine = discoveryMachine.provide({
      actors: { refreshDiscoveries: fromPromise<void>(() => this.refresh()), bootstrapFlow: flows },
      delays: { poolInterval: opts.poolIntervalMs ?? DEFAULT_POOL_INTERVAL_MS },
      guards: {
        // leaving while the topic's bootstrap is in progress is refused
        canStopAdvertising: ({ event }) => {
          const phase = flowPhase(this.flow(topicOf(event)))
          return phase === 'none' || phase === 'TopicBootstrapped'
        },
      },
      actions: {
        AdvertisingTopic: ({ event }) => this.advertise(topicOf(event)),
        forgetTopic: ({ event }) => this.forget(topicOf(event)),
        DiscoveringTopic: ({ event }) => this.discover(topicOf(event)),
        TopicDiscovered: ({ event }) => this.discovered(topicOf(event)),
        TopicBootstrapped: ({ event }) => this.bootstrapped(topicOf(event), Number(argOf(event, 'peers'))),
        Exception: ({ event }) => this.recorder?.log(this.id, 'error', String(argOf(event, 'error'))),
      },
    })
    const rec = this.recorder
    const parent = opts.parent === undefined ? (hostId ?? null) : opts.parent
    this.actor = createActor(machine, rec ? rec.actorOptions(this.id, parent) : { id: this.id })
    this.actor.subscribe({
      next: (snap) => {
        this.transitionCount++
        for (const flow of Object.values(snap.children) as AnyActorRef[]) this.watch(flow)
      },
      error: () => {},
    })
    this.queue = new SendQueue(() => this.actor)
    // a change in who is subscribed where re-checks the bootstraps of those topics (no polling)
    // (deferred: gossipsub dispatches it from inside the pubsub host's action, and one actor's action
    // must not drive another actor synchronously)
    this.onSubscriptionChange = (e) => {
      for (const s of e.detail.subscriptions) {
        if (this.topics.has(s.topic)) queueMicrotask(() => this.recheck(s.topic))
      }
    }
  }

  start(): void {
    this.actor.start()
    this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange as never)
    this.queue.send({ type: 'add.Start' })
  }

  /** Topic peers known now. */
  topicPeers(topic: string): number {
    return this.pubsub.getSubscribers(topic).length
  }

  /** Joins (subscribes), advertises and bootstraps `topic`; resolves with the topic peer count once ready. */
  joinTopic(topic: string, opts: JoinOptions = {}): Promise<number> {
    if (this.stopped) return Promise.reject(new TopicJoinAbortedError(topic, 'discovery stopped'))
    const minPeers = opts.minPeers ?? DEFAULT_MIN_PEERS
    const timeoutMs = opts.timeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS
    let st = this.topics.get(topic)
    if (!st) {
      st = {
        topic,
        minPeers,
        advertisedAt: 0,
        waiters: new Set(),
        discovering: [],
        waitingFor: new Map(),
      }
      this.topics.set(topic, st)
    }
    st.minPeers = Math.max(st.minPeers, minPeers)
    const state = st
    const ready = new Promise<number>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          state.waiters.delete(w)
          reject(new TopicJoinTimeoutError(topic, timeoutMs, this.topicPeers(topic), state.minPeers))
        }, timeoutMs),
      }
      state.waiters.add(w)
    })
    this.pubsub.subscribe(topic)
    this.queue.send({ type: 'AdvertisingTopic', args: { topic, ttlMs: this.ttlMs } })
    this.queue.send({ type: 'BootstrappingTopic', args: { topic, minPeers: state.minPeers } })
    return ready
  }

  /** Leaves `topic`; false when refused because its bootstrap is still in progress. */
  leaveTopic(topic: string): boolean {
    if (!this.topics.has(topic)) return false
    this.queue.send({ type: 'StopAdvertisingTopic', args: { topic } })
    return !this.topics.has(topic)
  }

  /** Transitions of this discovery actor and of its bootstrap flows (since it first held them). */
  transitions(): number {
    return this.transitionCount
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange as never)
    for (const st of this.topics.values()) this.abort(st, 'discovery stopped')
    this.actor.stop()
    this.recorder?.detach(this.id)
  }

  // --- actions ---------------------------------------------------------------------------------

  private advertise(topic: string): void {
    const st = this.topics.get(topic)
    if (st) st.advertisedAt = Date.now()
    this.backend.advertise(topic, this.ttlMs).catch((err: unknown) => this.exception(topic, err))
  }

  private forget(topic: string): void {
    const st = this.topics.get(topic)
    if (!st) return
    this.abort(st, 'left the topic')
    this.topics.delete(topic)
    this.pubsub.unsubscribe(topic)
  }

  private discover(topic: string): void {
    this.findAndDial(topic)
      .then((r) =>
        this.queue.send({ type: 'TopicDiscovered', args: { topic, ...r, ...this.backend.lookupInfo?.(topic) } }),
      )
      .catch((err: unknown) => {
        this.exception(topic, err)
        this.queue.send({
          type: 'TopicDiscovered',
          args: {
            topic,
            found: 0,
            dialled: 0,
            failed: 0,
            ...this.backend.lookupInfo?.(topic),
            error: errorMessage(err),
          },
        })
      })
  }

  private async findAndDial(topic: string): Promise<{ found: number; dialled: number; failed: number }> {
    const st = this.topics.get(topic)
    const self = this.host.peerId.toString()
    const found = await this.backend.findPeers(topic, this.findLimit)
    const now = Date.now()
    let dialled = 0
    let failed = 0
    // dials of this round count against the limit before they connect
    let budget = this.maxConnections - this.host.getConnections().length
    await Promise.all(
      found.map(async (p) => {
        const id = p.id.toString()
        if (this.stopped || this.host.getConnections(p.id).length > 0) {
          st?.waitingFor.delete(id)
          return
        }
        // the peer that should dial is the later advertiser (or, when the backend cannot tell, the
        // one whose id sorts first); the other waits a grace period before dialling as a fallback
        const ours = p.dial ?? id > self
        if (!ours && st) {
          const since = st.waitingFor.get(id)
          if (since === undefined) st.waitingFor.set(id, now)
          if (since === undefined || now - since < DIAL_GRACE_MS) return
        }
        // a full host dials no more: beyond the limit libp2p would refuse or prune the connection
        if (budget <= 0) return
        budget--
        try {
          await this.host.dial(p.multiaddrs)
          dialled++
        } catch {
          failed++
        }
      }),
    )
    return { found: found.length, dialled, failed }
  }

  private discovered(topic: string): void {
    const st = this.topics.get(topic)
    if (!st) return
    const waiting = st.discovering
    st.discovering = []
    for (const done of waiting) done()
  }

  /** The topic's bootstrap flow, the discovery actor's child (undefined before its first bootstrap). */
  private flow(topic: string): AnyActorRef | undefined {
    return this.actor.getSnapshot().children[flowId(this.id, topic)] as AnyActorRef | undefined
  }

  /** Peers changed: a flow waiting (its delay) or done checks again; one checking or discovering goes on. */
  private recheck(topic: string): void {
    if (this.stopped) return
    const flow = this.flow(topic)
    const p = flowPhase(flow)
    if (p === 'BootstrapDelay' || p === 'TopicBootstrapped') flow?.send({ type: 'add.BootstrapChecking' })
  }

  private watch(flow: AnyActorRef): void {
    if (this.watched.has(flow)) return
    this.watched.add(flow)
    flow.subscribe({ next: () => this.transitionCount++, error: () => {} })
  }

  private bootstrapped(topic: string, peers: number): void {
    const st = this.topics.get(topic)
    if (!st || peers < st.minPeers) return
    for (const w of st.waiters) {
      clearTimeout(w.timer)
      w.resolve(peers)
    }
    st.waiters.clear()
  }

  /** The pool timer's refresh: re-advertise before ads expire, re-bootstrap topics that lost peers. */
  private async refresh(): Promise<void> {
    const now = Date.now()
    for (const st of this.topics.values()) {
      if (now - st.advertisedAt >= this.ttlMs / 2) {
        this.queue.send({ type: 'AdvertisingTopic', args: { topic: st.topic, ttlMs: this.ttlMs } })
      }
      if (flowPhase(this.flow(st.topic)) === 'TopicBootstrapped' && this.topicPeers(st.topic) < st.minPeers) {
        this.queue.send({ type: 'BootstrappingTopic', args: { topic: st.topic, minPeers: st.minPeers } })
      }
    }
  }

  private abort(st: TopicState, reason: string): void {
    for (const w of st.waiters) {
      clearTimeout(w.timer)
      w.reject(new TopicJoinAbortedError(st.topic, reason))
    }
    st.waiters.clear()
    for (const done of st.discovering) done()
    st.discovering = []
    // the flow stops with the topic (StopAdvertisingTopic) or with the discovery; xstate does not inspect a stop
    const flow = this.flow(st.topic)
    if (flow) this.recorder?.detach(flow.id)
  }

  private exception(topic: string, err: unknown): void {
    if (this.stopped) return
    this.queue.send({ type: 'Exception', args: { error: errorMessage(err), topic } })
  }
}

function argOf(event: unknown, key: string): unknown {
  return (event as { args?: Record<string, unknown> }).args?.[key]
}

function topicOf(event: unknown): string {
  return String(argOf(event, 'topic'))
}
