// The simulator runtime: binds the `sim` machine's actions to real work on peers and topics, and
// reports stats for the status block and metrics. The `sim` actor spawns its peers and topics (its
// children); their work is bound here and in ./peer.ts. Topic machines are synced in ./topic-sync.ts,
// message verification is in ./verify.ts.
import { type Actor, type AnyActorRef, createActor, fromPromise, waitFor } from 'xstate'
import { hostId, simPeerId } from '../../machines/ids.js'
import { SIM_RANDOM_ACTIONS, type SimAction, type SimRandomAction, simulatorMachine } from '../../machines/simulator.js'
import type { SimConfig } from '../config/sim.js'
import { isDhtServer } from '../discovery/dht.js'
import { InProcessRegistry } from '../discovery/registry.js'
import type { Host, PubsubFactory } from '../net/host.js'
import type { HostNetwork } from '../net/model/transport.js'
import { machinePubsub } from '../pubsub/machine.js'
import { createRng, type Rng } from '../rng.js'
import type { Recorder } from '../telemetry/recorder.js'
import { type ActionArgs, decide } from './decide.js'
import { SimPeer, type SimPeerActor, simPeerLogic } from './peer.js'
import { ActionSchedule } from './schedule.js'
import { collectStats, type SimStats } from './stats.js'
import { TopicSync } from './topic-sync.js'
import { DeliveryCheck } from './verify.js'
import { type PeerModel, type TopicModel, World } from './world.js'

export interface Decision {
  beat: number
  action: SimRandomAction
  /** what it would act on; null when it could not apply (refused) */
  args: ActionArgs | null
}

export interface SimHooks {
  recorder?: Recorder
  /** extra gossipsub options for peer n (metrics register, tracing) */
  gossipsubInit?(n: number): Record<string, unknown>
  onHost?(n: number, host: Host): void
  /** the network model's handle for peer n's host (absent: no model) */
  hostNetwork?(n: number): HostNetwork
  /** the host of peer n stopped */
  onHostStopped?(n: number): void
  /** a delivery was observed, with its latency */
  onDelivery?(latencyMs: number, topic: string): void
  /** VerifyMsgsRecv counted deliveries that arrived and that were missed */
  onVerified?(recv: number, miss: number): void
  /** a topic is gone */
  onTopicRemoved?(topic: string): void
  /** a random action was decided (fired or refused) */
  onDecision?(d: Decision): void
  /** RefreshMetrics ran */
  onRefresh?(stats: SimStats): void
  /** a log line worth showing (peer failures, timeouts) */
  onNotice?(text: string): void
  now?(): number
}

type SimActor = Actor<typeof simulatorMachine>

const PEER_START_TIMEOUT_MS = 15_000
const MAX_BOOTSTRAPS = 2

export class Simulator {
  readonly world = new World()
  readonly decisions: Decision[] = []
  readonly seed: number
  private readonly rng: Rng
  /** choices made inside work (whom to dial): apart, so work timing never shifts decisions */
  private readonly workRng: Rng
  /** when the random actions fire; `schedule.paused` holds them (the heartbeat still verifies and refreshes) */
  readonly schedule: ActionSchedule
  private readonly peers = new Map<number, SimPeer>()
  /** the same peers by actor id (their bound work looks them up by it) */
  private readonly peersById = new Map<string, SimPeer>()
  private readonly topics: TopicSync
  private readonly delivery: DeliveryCheck
  private readonly actor: SimActor
  private readonly registry: InProcessRegistry
  private readonly now: () => number
  private beat = 0
  /** heartbeats decide nothing until the initial network exists */
  private running = false
  private msgSeq = 0
  private refreshTimer: NodeJS.Timeout | undefined
  private stopped = false
  readonly startedAt: number

  constructor(
    readonly config: SimConfig,
    seed: number,
    private readonly hooks: SimHooks = {},
  ) {
    this.seed = seed
    this.rng = createRng(seed)
    // one stream per consumer: work that runs concurrently (discovery rounds, peers connecting, a new
    // topic's first joiners) would otherwise draw from one stream in an order set by timing, and the
    // same seed would not make the same decisions
    this.workRng = createRng((seed ^ 0x9e3779b9) >>> 0)
    const registryRng = createRng((seed ^ 0x85ebca6b) >>> 0)
    this.now = hooks.now ?? Date.now
    this.startedAt = this.now()
    this.registry = new InProcessRegistry({ random: () => registryRng.next() })
    this.topics = new TopicSync(this.world, config, this.now, hooks.recorder, (id) => this.child(id))
    this.delivery = new DeliveryCheck(this.world, config, this.now, hooks, () => this.send('VerifyMsgsRecv', {}))
    const periods = Object.fromEntries(SIM_RANDOM_ACTIONS.map((a) => [a, config.periods[a]])) as Record<
      SimRandomAction,
      number
    >
    // the schedule draws from its own stream: when actions fire never depends on what they found
    this.schedule = new ActionSchedule(
      { heartbeatMs: config.heartbeat, periods, jitter: config.periodJitter },
      createRng((seed + 0x85ebca6b) >>> 0),
    )
    const work = (fn: (args: ActionArgs) => Promise<void>) =>
      fromPromise<void, { args: Readonly<Record<string, unknown>> | undefined }>(async ({ input }) =>
        fn((input.args ?? {}) as ActionArgs),
      )
    const hasArgs = ({ event }: { event: unknown }) => (event as { args?: unknown }).args !== undefined
    const machine = simulatorMachine.provide({
      delays: { heartbeat: config.heartbeat },
      guards: {
        canAddPeer: hasArgs,
        canRemovePeer: hasArgs,
        canAddTopic: hasArgs,
        canRemoveTopic: hasArgs,
        canPeakRandTopic: hasArgs,
        canAddRandomFriend: hasArgs,
        canGC: hasArgs,
        canJoinRandomTopic: hasArgs,
        canJoinFriendsTopic: hasArgs,
        canMsgRandomTopic: hasArgs,
        canVerifyMsgsRecv: () => this.world.pending.size > 0,
        canRefreshMetrics: () => true,
      },
      actors: {
        simPeer: simPeerLogic((id) => this.peersById.get(id)),
        heartbeat: fromPromise(async () => this.heartbeat()),
        AddPeer: work((a) => this.addPeer(Number(a.peer))),
        RemovePeer: work((a) => this.removePeer(Number(a.peer))),
        AddTopic: work((a) => this.addTopic(String(a.topic))),
        RemoveTopic: fromPromise<string | undefined, { args: Readonly<Record<string, unknown>> | undefined }>(
          async ({ input }) => this.removeTopic(String(input.args?.topic)),
        ),
        PeakRandTopic: work((a) => this.peakTopic(String(a.topic))),
        AddRandomFriend: work(async (a) => this.befriend(Number(a.peer), Number(a.friend))),
        GC: work(async () => this.collect()),
        JoinRandomTopic: work(async (a) => void (await this.join(Number(a.peer), String(a.topic)))),
        JoinFriendsTopic: work(async (a) => void (await this.join(Number(a.peer), String(a.topic)))),
        MsgRandomTopic: work((a) => this.message(Number(a.peer), String(a.topic))),
        VerifyMsgsRecv: work(async () => this.delivery.verify()),
        RefreshMetrics: work(async () => this.refresh()),
      },
    })
    this.actor = createActor(machine, hooks.recorder ? hooks.recorder.actorOptions('sim', null) : {})
  }

  /** Builds the initial network, then starts the heartbeat. */
  async start(): Promise<void> {
    this.actor.start()
    this.actor.send({ type: 'add.Start' })
    for (let i = 0; i < this.config.initial.peers; i++) await this.fire('AddPeer', {})
    for (let i = 0; i < this.config.initial.topics; i++) {
      const args = decide('AddTopic', this.world, this.rng, this.config)
      if (args) await this.fire('AddTopic', args)
    }
    this.refreshTimer = setInterval(() => this.send('RefreshMetrics', {}), this.config.metricsInterval)
    this.refreshTimer.unref()
    this.running = true
  }

  stats(): SimStats {
    return collectStats(this.world, this.peers, (name) => this.topics.activeStates(name), this.now(), this.config)
  }

  /** Stops the heartbeat, every peer and every machine; returns the final stats. */
  async stop(): Promise<SimStats> {
    if (this.stopped) return this.stats()
    this.stopped = true
    if (this.refreshTimer) clearInterval(this.refreshTimer)
    this.delivery.stop()
    this.actor.send({ type: 'remove.Start' })
    this.delivery.verify(true)
    const final = this.stats()
    await Promise.allSettled([...this.peers.values()].map((p) => p.stop(3000)))
    this.topics.stopAll()
    this.actor.stop()
    this.hooks.recorder?.detach('sim')
    return final
  }

  /** Sends `add.<action>`; resolves when its work ended (false: refused). */
  private async fire(action: SimAction, args: ActionArgs | null): Promise<boolean> {
    this.send(action, args)
    const active = (s: { value: unknown }) => (s.value as Record<string, string>)[action] === 'active'
    if (!active(this.actor.getSnapshot())) return false
    // a stopped or failed simulator ends the wait too
    await waitFor(this.actor, (s) => !active(s)).catch(() => {})
    return true
  }

  private send(action: SimAction, args: ActionArgs | null): void {
    if (this.actor.getSnapshot().status !== 'active') return
    // AddPeer names the peer it adds: the simulator spawns it as the action starts
    const named = action === 'AddPeer' && args !== null ? { ...args, peer: this.world.nextPeerNumber() } : args
    this.actor.send(named === null ? { type: `add.${action}` } : { type: `add.${action}`, args: named })
  }

  /** A child of the `sim` actor (a peer or a topic) by id. */
  private child(id: string): AnyActorRef | undefined {
    return (this.actor.getSnapshot().children as Record<string, AnyActorRef | undefined>)[id]
  }

  private async heartbeat(): Promise<void> {
    if (!this.running || this.stopped) return
    this.beat++
    const beat = this.beat
    const fired: Array<Promise<boolean>> = []
    for (const action of this.schedule.select(beat)) {
      const args = decide(action, this.world, this.rng, this.config)
      const d = { beat, action, args }
      this.decisions.push(d)
      this.hooks.onDecision?.(d)
      fired.push(this.fire(action, args))
    }
    if (this.delivery.due()) fired.push(this.fire('VerifyMsgsRecv', {}))
    await Promise.all(fired)
  }

  // --- actions ---------------------------------------------------------------------------------

  private pubsubFor(n: number): PubsubFactory {
    const extra = this.hooks.gossipsubInit?.(n) ?? {}
    const id = hostId(n)
    return (init, network) =>
      machinePubsub({
        ...init,
        ...(network ? { network } : {}),
        ...extra,
        id,
        // the host actor is the sim peer's child, spawned as it started connecting
        spawned: () => this.peers.get(n)?.hostActor(id),
        ...(this.hooks.recorder ? { recorder: this.hooks.recorder } : {}),
      })
  }

  private async addPeer(n: number): Promise<void> {
    const model = this.world.newPeer()
    // the sim actor spawned the peer's actor under the number AddPeer named
    const actor = this.child(simPeerId(n)) as SimPeerActor | undefined
    if (model.n !== n || !actor) throw new Error(`AddPeer: no actor for ${model.id}`)
    const ready = this.world.readyPeers()
    // this peer's own stream for its bootstrap picks (drawn when it connects, whenever that is)
    const bootRng = createRng((Math.imul(this.seed, 0x27d4eb2d) ^ (n + 1)) >>> 0)
    const peer = new SimPeer(model, actor, this.config, {
      seed: this.seed,
      pubsub: (n) => this.pubsubFor(n),
      registry: this.registry,
      bootstraps: () => {
        const picks: SimPeer[] = []
        // with DHT discovery the bootstrap peers are DHT servers
        const d = this.config.discovery
        const pool = [...ready].filter((p) => d.backend !== 'dht' || isDhtServer(p.n, d.dhtServerEvery))
        while (picks.length < MAX_BOOTSTRAPS && pool.length > 0) {
          const [p] = pool.splice(bootRng.int(pool.length), 1)
          const sp = p ? this.peers.get(p.n) : undefined
          if (sp?.host) picks.push(sp)
        }
        return picks.map((p) => p.host!)
      },
      onMessage: (n, _topic, data) => this.delivery.received(n, data),
      release: (id) => {
        if (this.actor.getSnapshot().status === 'active') this.actor.send({ type: 'peer.Stopped', args: { peer: id } })
      },
      ...(this.hooks.onHost ? { onHost: this.hooks.onHost } : {}),
      ...(this.hooks.hostNetwork ? { network: this.hooks.hostNetwork } : {}),
      ...(this.hooks.recorder ? { recorder: this.hooks.recorder } : {}),
    })
    this.peers.set(model.n, peer)
    this.peersById.set(model.id, peer)
    this.world.counters.peersAdded++
    try {
      await peer.start(PEER_START_TIMEOUT_MS)
    } catch (err) {
      this.hooks.onNotice?.(`AddPeer: ${err instanceof Error ? err.message : String(err)}`)
      this.peers.delete(model.n)
      this.world.peers.delete(model.n)
      this.peersById.delete(model.id)
      await peer.stop(1000).catch(() => {})
      throw err
    }
  }

  private async removePeer(n: number): Promise<void> {
    const model = this.world.peers.get(n)
    const peer = this.peers.get(n)
    if (!model || !peer) return
    model.removing = true
    model.ready = false
    for (const name of model.topics) {
      const t = this.world.topics.get(name)
      t?.peers.delete(n)
      if (t) this.topics.sync(t)
    }
    for (const f of model.friends) this.world.peers.get(f)?.friends.delete(n)
    for (const m of this.world.pending.values()) m.expected.delete(n)
    await peer.stop(5000)
    this.hooks.onHostStopped?.(n)
    this.peers.delete(n)
    this.world.peers.delete(n)
    this.peersById.delete(model.id)
    this.world.counters.peersRemoved++
    this.hooks.onNotice?.(`removed sim-p${n}`)
  }

  private async addTopic(name: string): Promise<void> {
    const t = this.world.addTopic(name)
    this.topics.add(t)
    this.world.counters.topicsAdded++
    await this.joinMany(t, this.config.initial.peersPerTopic)
  }

  /** Resolves with the name of the topic removed: the sim actor then stops its machine. */
  private async removeTopic(name: string): Promise<string | undefined> {
    const t = this.world.topics.get(name)
    if (!t) return undefined
    await Promise.allSettled([...t.peers].map((n) => this.leave(n, name)))
    this.world.topics.delete(name)
    for (const [id, m] of this.world.pending) if (m.topic === name) this.world.pending.delete(id)
    this.topics.remove(t)
    this.hooks.onTopicRemoved?.(name)
    this.world.counters.topicsRemoved++
    return name
  }

  private async peakTopic(name: string): Promise<void> {
    const t = this.world.topics.get(name)
    if (t) await this.joinMany(t, this.config.peaking.peersAdded)
  }

  /** Up to `count` ready peers that can join `t` join it, chosen by the work rng. */
  private async joinMany(t: TopicModel, count: number): Promise<void> {
    const limits = this.config.limits
    const candidates = this.world
      .readyPeers()
      .filter((p) => !p.topics.has(t.name) && !p.busy.has(t.name) && p.topics.size < limits.maxTopicsPerPeer)
    const picks: number[] = []
    while (picks.length < count && candidates.length > 0 && t.peers.size + picks.length < limits.maxPeersPerTopic) {
      const [p] = candidates.splice(this.workRng.int(candidates.length), 1)
      if (p) picks.push(p.n)
    }
    // one at a time: each joiner finds the ones before it
    for (const n of picks) await this.join(n, t.name)
  }

  /** Peer n joins topic through its discovery machine (advertise, bootstrap flow, dial what it finds). */
  private async join(n: number, name: string): Promise<boolean> {
    const model = this.world.peers.get(n)
    const peer = this.peers.get(n)
    const t = this.world.topics.get(name)
    if (!model || !peer?.host || !t || model.topics.has(name) || model.busy.has(name)) return false
    model.busy.add(name)
    t.peers.add(n)
    const members = this.world.readyMembers(t).filter((m) => m.n !== n)
    const ok = await peer.join(name, this.config.deliveryTimeout, members.length > 0)
    model.busy.delete(name)
    if (!this.world.topics.has(name) || model.removing) return false
    model.topics.add(name)
    this.world.counters.joins++
    if (!ok) {
      this.world.counters.joinTimeouts++
      this.hooks.onNotice?.(`${model.id} joined ${name} but saw no topic peer within ${this.config.deliveryTimeout} ms`)
    }
    this.topics.sync(t)
    return ok
  }

  private async leave(n: number, name: string): Promise<void> {
    const model = this.world.peers.get(n)
    const peer = this.peers.get(n)
    const t = this.world.topics.get(name)
    t?.peers.delete(n)
    if (!model || !peer) return
    model.topics.delete(name)
    for (const m of this.world.pending.values()) if (m.topic === name) m.expected.delete(n)
    await peer.leave(name)
    this.world.counters.leaves++
    if (t) this.topics.sync(t)
  }

  private befriend(a: number, b: number): void {
    const pa = this.world.peers.get(a)
    const pb = this.world.peers.get(b)
    if (!pa || !pb || pa.friends.has(b)) return
    pa.friends.add(b)
    pb.friends.add(a)
    this.world.counters.friendships++
  }

  /**
   * Drops friendships whose peers share no topic; trims per-peer message buffers; closes connections
   * between peers that share no topic (joined or being joined), no friendship and no bootstrap link.
   * Without the last, topic churn leaves every peer the connections of every topic it ever joined: the
   * connection count, and the memory with it, grows toward the connection limit for the whole run.
   */
  /** The running peer n (absent once it stopped). */
  peer(n: number): SimPeer | undefined {
    return this.peers.get(n)
  }

  async collect(): Promise<void> {
    for (const p of this.world.peers.values()) {
      for (const f of [...p.friends]) {
        const q = this.world.peers.get(f)
        const shared = q ? [...p.topics].some((t) => q.topics.has(t)) : false
        if (!shared) {
          p.friends.delete(f)
          q?.friends.delete(p.n)
        }
      }
      const extra = p.received.size - this.config.limits.maxMsgsPerPeer
      if (extra > 0) {
        let i = 0
        for (const k of p.received.keys()) {
          if (i++ >= extra) break
          p.received.delete(k)
        }
      }
    }
    const byPeerId = new Map<string, PeerModel>()
    for (const p of this.world.peers.values()) if (p.peerId) byPeerId.set(p.peerId, p)
    const topicsOf = (p: PeerModel) => new Set([...p.topics, ...p.busy])
    let closed = 0
    for (const p of this.world.peers.values()) {
      const sp = this.peers.get(p.n)
      if (!sp || !p.ready || p.removing || !p.peerId) continue
      const mine = topicsOf(p)
      const keep = (id: string): boolean => {
        const q = byPeerId.get(id)
        // not a sim peer we know (or one going away): leave it to its own stop
        if (!q || q.removing) return true
        if (p.friends.has(q.n) || sp.bootIds.has(id) || this.peers.get(q.n)?.bootIds.has(p.peerId!)) return true
        for (const t of topicsOf(q)) if (mine.has(t)) return true
        return false
      }
      closed += await sp.prune(keep)
    }
    this.world.counters.connectionsPruned += closed
  }

  private async message(n: number, name: string): Promise<void> {
    const peer = this.peers.get(n)
    const t = this.world.topics.get(name)
    if (!peer || !t) return
    const id = `m${++this.msgSeq}-p${n}`
    // receivers: members that know a topic peer now (a joiner whose discovery found nobody yet, or a
    // peer cut off by churn, cannot be reached and is not expected to be)
    const expected = new Set(
      this.world
        .readyMembers(t)
        .map((m) => m.n)
        .filter((x) => x !== n && this.topicPeers(x, name) > 0),
    )
    const sentAt = this.now()
    const msg = { id, topic: name, from: n, sentAt, expected, received: new Set<number>(), verifyAt: Infinity }
    this.world.pending.set(id, msg)
    const res = await peer.send(name, id, new TextEncoder().encode(`${id} ${sentAt}`))
    if (!res.ok) {
      // e.g. the sender lost its last topic peer: the network's state, not the simulator's failure
      this.world.pending.delete(id)
      this.world.counters.publishFailed++
      this.hooks.onNotice?.(`${peer.model.id} could not publish to ${name}: ${res.error}`)
      return
    }
    this.world.counters.msgsSent++
    t.msgTimes.push(sentAt)
    this.topics.sync(t)
    this.delivery.sent(msg)
  }

  private topicPeers(n: number, topic: string): number {
    return this.peers.get(n)?.host?.services.pubsub.getSubscribers(topic).length ?? 0
  }

  private refresh(): void {
    for (const t of this.world.topics.values()) this.topics.sync(t)
    this.hooks.onRefresh?.(this.stats())
  }
}
