// One simulated peer: the sim-peer actor `sim-p<n>` (the simulator's child) bound to a real libp2p host
// whose gossipsub is the machine-driven one (`ps-<n>`, the sim peer's child). The actor's states say
// where the peer is; this file does the work, bound once per simulator by `simPeerLogic`.
import type { PrivateKey } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { type ActorRefFrom, fromPromise, waitFor } from 'xstate'
import { simPeerMachine } from '../../machines/sim-peer.js'
import { hostKey } from '../clock/virtual-keys.js'
import type { SimConfig } from '../config/sim.js'
import { untilRouted } from '../dht/network.js'
import { DEFAULT_DHT_KNOBS, dhtService } from '../dht/node.js'
import { DhtDiscovery, isDhtServer } from '../discovery/dht.js'
import type { InProcessRegistry } from '../discovery/registry.js'
import { TopicDiscovery } from '../discovery/topic-discovery.js'
import { DEFAULT_STOP_TIMEOUT_MS } from '../net/constants.js'
import { createHost, type Host, type PubsubFactory } from '../net/host.js'
import type { HostNetwork } from '../net/model/transport.js'
import { stopHosts } from '../net/stop-hosts.js'
import { boundHostMachine, type PubsubHostActor } from '../pubsub/driver.js'
import type { Recorder } from '../telemetry/recorder.js'
import type { PeerModel } from './world.js'

export type SimPeerActor = ActorRefFrom<typeof simPeerMachine>

/**
 * The sim peer machine with its work bound, for every peer of one simulator: each peer's work runs on
 * the SimPeer its actor's `peer` id names. Its host child runs the bound host machine.
 */
export function simPeerLogic(peerOf: (id: string) => SimPeer | undefined) {
  // a peer's automatic work starts with its actor, in the step where AddPeer's work also starts and
  // registers the SimPeer: the work looks it up once that step is done
  const on = async (id: string): Promise<SimPeer> => {
    await Promise.resolve()
    const p = peerOf(id)
    if (!p) throw new Error(`no simulated peer ${id}`)
    return p
  }
  return simPeerMachine.provide({
    actors: {
      pubsubHost: boundHostMachine,
      genIdentity: fromPromise(async ({ input }) => (await on(input.peer)).genIdentity()),
      connect: fromPromise(async ({ input }) => (await on(input.peer)).connect()),
      disconnect: fromPromise(async ({ input }) => (await on(input.peer)).disconnect()),
    },
    actions: {
      TopicJoined: ({ context, event }) => peerOf(context.peer)?.settle(`join:${topicOf(event)}`),
      TopicLeft: ({ context, event }) => peerOf(context.peer)?.settle(`leave:${topicOf(event)}`),
      MsgsSent: ({ context, event }) =>
        peerOf(context.peer)?.settle(`send:${(event as { args: { msgId?: string } }).args.msgId}`),
    },
  })
}

export interface PeerHooks {
  /** the pubsub factory for peer n (machine-driven, with its recorder and metrics) */
  pubsub(n: number): PubsubFactory
  /** the run's discovery backend */
  registry: InProcessRegistry
  /** peers to dial when connecting (already running) */
  bootstraps(n: number): Host[]
  /** a message arrived at peer n */
  onMessage(n: number, topic: string, data: Uint8Array): void
  /** the network model's handle for peer n's host (absent: no model) */
  network?(n: number): HostNetwork
  /** the peer did not disconnect in time: its parent stops it all the same */
  release(id: string): void
  /** the host of peer n started (telemetry hooks) */
  onHost?(n: number, host: Host): void
  recorder?: Recorder
  /** the run's seed: peer n's key derives from it */
  seed: number
}

/** A running simulated peer. */
export class SimPeer {
  host?: Host
  discovery?: TopicDiscovery
  /** peer ids of the bootstrap peers this peer dialed when it connected */
  readonly bootIds = new Set<string>()
  private key?: PrivateKey
  private readonly waiters = new Map<string, Array<() => void>>()

  constructor(
    readonly model: PeerModel,
    /** the peer's actor, spawned by the simulator from `simPeerLogic` */
    readonly actor: SimPeerActor,
    private readonly config: SimConfig,
    private readonly hooks: PeerHooks,
  ) {}

  /** Starts the peer; resolves when it is Ready (identity, host, bootstraps). */
  async start(timeoutMs: number): Promise<void> {
    if (this.dhtServer) this.actor.send({ type: 'add.IsDHT' })
    this.actor.send({ type: 'add.Start' })
    await this.until((s) => s.matches({ Ready: 'active' }), timeoutMs, 'to become Ready')
    this.model.peerId = this.host?.peerId.toString()
    this.model.ready = true
  }

  /** The host machine `ps-<n>` this peer's actor spawned when it started connecting. */
  hostActor(id: string): PubsubHostActor | undefined {
    return this.actor.getSnapshot().children[id as keyof ReturnType<SimPeerActor['getSnapshot']>['children']] as
      | PubsubHostActor
      | undefined
  }

  async genIdentity(): Promise<void> {
    // from the run's seed and the peer's number: the same seed, the same peer ids
    this.key = await hostKey(this.hooks.seed, this.model.n)
  }

  /** DHT discovery: this peer's kad-dht answers queries (a server) rather than only asking (a client). */
  get dhtServer(): boolean {
    const d = this.config.discovery
    return d.backend === 'dht' && isDhtServer(this.model.n, d.dhtServerEvery)
  }

  async connect(): Promise<void> {
    const n = this.model.n
    const d = this.config.discovery
    const dht = d.backend === 'dht'
    const host = await createHost({
      // kad-dht opens a stream per request, and mplex closes connections that open more than 5 streams a
      // second: DHT discovery runs every peer on yamux (every peer of the run alike, so the muxers match)
      ...this.config.host,
      ...(dht ? { muxer: 'yamux' as const } : {}),
      ...(dht ? { services: { ping: ping(), dht: dhtService(DEFAULT_DHT_KNOBS, this.dhtServer) } as never } : {}),
      maxConnections: this.config.discovery.maxConnections,
      heartbeatMs: 1000,
      privateKey: this.key!,
      pubsub: this.hooks.pubsub(n),
      ...(this.hooks.network ? { network: this.hooks.network(n) } : {}),
    })
    this.host = host
    host.services.pubsub.addEventListener('message', (evt) => {
      const msg = evt.detail as { topic: string; data: Uint8Array }
      this.hooks.onMessage(n, msg.topic, msg.data)
    })
    let first = true
    host.addEventListener('peer:connect', () => {
      if (!first) return
      first = false
      this.actor.send({ type: 'EventHostConnected', args: {} })
    })
    this.hooks.onHost?.(n, host)
    this.discovery = new TopicDiscovery(host, {
      discovery: dht
        ? new DhtDiscovery((host.services as unknown as { dht: KadDHT }).dht, host.peerId, { timeoutMs: d.dhtTimeout })
        : this.hooks.registry.forHost(host),
      id: `ps-${n}-disc`,
      parent: `ps-${n}`,
      findLimit: this.config.discovery.findLimit,
      maxConnections: this.config.discovery.maxConnections,
      ...(this.hooks.recorder ? { recorder: this.hooks.recorder } : {}),
    })
    this.discovery.start()
    const boots = this.hooks.bootstraps(n)
    for (const b of boots) this.bootIds.add(b.peerId.toString())
    const dialed = await Promise.allSettled(boots.map((b) => host.dial(b.getMultiaddrs())))
    if (!dialed.some((r) => r.status === 'fulfilled')) return
    // with the DHT, a bootstrap counts once it is in the routing table (identify told kad-dht it serves)
    if (dht) await untilRouted(host, d.dhtTimeout)
    this.actor.send({ type: 'add.BootstrapsConnected' })
  }

  // through stopHosts: a bare `host.stop()` can leave Node with only AbortSignal.timeout timers and
  // end a successful sim with exit 13
  async disconnect(): Promise<void> {
    this.discovery?.stop()
    if (this.host) await stopHosts([this.host], DEFAULT_STOP_TIMEOUT_MS)
  }

  /**
   * Joins a topic: JoiningTopic, then discovery (subscribe, advertise, bootstrap flow until a topic
   * peer is known when others are in the topic, bounded by `timeoutMs`), then TopicJoined.
   */
  async join(topic: string, timeoutMs: number, hasOthers: boolean): Promise<boolean> {
    const disc = this.discovery
    if (!disc) return false
    const done = this.wait(`join:${topic}`)
    this.actor.send({ type: 'JoiningTopic', args: { topic } })
    const ready = await disc.joinTopic(topic, { minPeers: hasOthers ? 1 : 0, timeoutMs }).then(
      () => true,
      () => false,
    )
    this.actor.send({ type: 'TopicJoined', args: { topic } })
    await done
    return ready
  }

  async leave(topic: string): Promise<void> {
    const pubsub = this.host?.services.pubsub
    if (!pubsub) return
    const done = this.wait(`leave:${topic}`)
    this.actor.send({ type: 'LeavingTopic', args: { topic } })
    // discovery may refuse while the topic's bootstrap runs: the peer leaves the topic all the same
    this.discovery?.leaveTopic(topic)
    pubsub.unsubscribe(topic)
    this.actor.send({ type: 'TopicLeft', args: { topic } })
    await done
  }

  /** Publishes one message; resolves with false when gossipsub refused it. */
  async send(topic: string, msgId: string, data: Uint8Array): Promise<{ ok: boolean; error?: string }> {
    const pubsub = this.host?.services.pubsub
    if (!pubsub) return { ok: false, error: 'no host' }
    const done = this.wait(`send:${msgId}`)
    this.actor.send({ type: 'SendingMsgs', args: { topic, msgId } })
    let result: { ok: boolean; error?: string } = { ok: true }
    try {
      await pubsub.publish(topic, data)
    } catch (err) {
      result = { ok: false, error: err instanceof Error ? err.message : String(err) }
    }
    this.actor.send({ type: 'MsgsSent', args: { topic, msgId, ok: result.ok } })
    await done
    return result
  }

  /**
   * Disconnecting: stops the host; resolves when the actor left Start (and so told the simulator, which
   * stops it). A peer that does not disconnect in time has its host stopped here and is released.
   */
  async stop(timeoutMs: number): Promise<void> {
    if (this.actor.getSnapshot().status !== 'active') return
    this.actor.send({ type: 'add.Disconnecting' })
    await this.until((s) => !s.matches({ Start: 'active' }), timeoutMs, 'to stop').catch(async () => {
      if (this.host) await stopHosts([this.host], DEFAULT_STOP_TIMEOUT_MS)
      this.hooks.release(this.model.id)
    })
    this.hooks.recorder?.detach(this.model.id)
  }

  /**
   * Closes the connections to every peer `keep` rejects (the simulator's GC: peers that share no topic,
   * friendship or bootstrap link with this one). Returns how many it closed.
   */
  async prune(keep: (peerId: string) => boolean): Promise<number> {
    const host = this.host
    if (!host) return 0
    const remotes = new Map(host.getConnections().map((c) => [c.remotePeer.toString(), c.remotePeer]))
    const drop = [...remotes].filter(([id]) => !keep(id))
    await Promise.allSettled(drop.map(([, peer]) => host.hangUp(peer)))
    return drop.length
  }

  connections(): number {
    return this.host?.getConnections().length ?? 0
  }

  streams(): number {
    let n = 0
    for (const c of this.host?.getConnections() ?? []) n += c.streams.length
    return n
  }

  private wait(key: string): Promise<void> {
    return new Promise((resolve) => {
      const list = this.waiters.get(key) ?? []
      list.push(resolve)
      this.waiters.set(key, list)
    })
  }

  /** The completion `key` (TopicJoined, TopicLeft, MsgsSent) ran: its caller goes on. */
  settle(key: string): void {
    const list = this.waiters.get(key)
    if (!list) return
    this.waiters.delete(key)
    for (const r of list) r()
  }

  private async until(
    cond: (s: ReturnType<SimPeerActor['getSnapshot']>) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    try {
      await waitFor(this.actor, cond, { timeout: timeoutMs })
    } catch (err) {
      // waitFor's own message names neither the peer nor what it waited for
      throw new Error(`${this.model.id} did not manage ${what} in ${timeoutMs} ms`, { cause: err })
    }
  }
}

/** Resolves once the host's routing table holds a peer, or after `timeoutMs`. */

function topicOf(event: unknown): string {
  return String((event as { args?: { topic?: unknown } }).args?.topic ?? '')
}
