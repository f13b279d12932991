// `psm dht run --impl machine`: each node's provide and retrieve go through psm's discovery machine
// (machines/discovery.ts), one actor `dht-<i>-disc` per node, recorded in the transition log when the
// run has one. A provide is the Multi event AdvertisingTopic (its action publishes the provider records);
// a retrieve is DiscoveringTopic (its action looks the CID up), answered by TopicDiscovered with what the
// lookup did in its args. A failed operation is also an Exception transition with its error in the args,
// and the TopicDiscovered of a failed lookup carries the same `error`, as the sim's discovery does.
// The topic of each event is the CID: dht run names CIDs, not topics (the sim's backend,
// src/discovery/dht.ts, derives a CID from a topic name instead). The measured work is the same
// src/dht/ops.ts as the vanilla implementation, so the two give comparable rows.
import type { KadDHT } from '@libp2p/kad-dht'
import type { CID } from 'multiformats/cid'
import { createActor } from 'xstate'
import { type DiscoveryEvent, discoveryMachine } from '../../machines/discovery.js'
import type { Recorder } from '../telemetry/recorder.js'
import { base, type OpContext, type Operation, provide, retrieve } from './ops.js'

/** The machine id of node `i`'s discovery actor. */
export function dhtDiscId(i: number): string {
  return `dht-${i}-disc`
}

type Pending = { cid: CID; ctx: OpContext; publisherId?: string; resolve: (op: Operation) => void }

function argOf(event: unknown, key: string): unknown {
  return (event as { args?: Record<string, unknown> }).args?.[key]
}

/** One node's discovery actor, driving that node's kad-dht. */
export class DhtMachineNode {
  readonly id: string
  private readonly actor
  /** operations waiting for their action, by `<kind>/<cid>` (one of each per CID at a time) */
  private readonly pending = new Map<string, Pending>()

  constructor(
    i: number,
    private readonly dht: KadDHT,
    peerId: string,
    recorder?: Recorder,
  ) {
    this.id = dhtDiscId(i)
    const machine = discoveryMachine.provide({
      actions: {
        AdvertisingTopic: ({ event }) => this.run('provide', String(argOf(event, 'topic'))),
        DiscoveringTopic: ({ event }) => this.run('retrieve', String(argOf(event, 'topic'))),
      },
    })
    // no add.Start: the pool timer's refreshes are the sim's, not this schedule's
    this.actor = createActor(machine, recorder ? recorder.actorOptions(this.id, null) : { id: this.id })
    this.actor.start()
    recorder?.namePeer(this.id, peerId)
  }

  provide(cid: CID, ctx: OpContext): Promise<Operation> {
    return this.enqueue('provide', cid, ctx, undefined, { type: 'AdvertisingTopic', args: this.args(cid, ctx) })
  }

  retrieve(cid: CID, publisherId: string, ctx: OpContext): Promise<Operation> {
    return this.enqueue('retrieve', cid, ctx, publisherId, { type: 'DiscoveringTopic', args: this.args(cid, ctx) })
  }

  stop(): void {
    this.actor.stop()
  }

  private args(cid: CID, ctx: OpContext) {
    return { topic: cid.toString(), round: ctx.round }
  }

  private enqueue(
    kind: Operation['kind'],
    cid: CID,
    ctx: OpContext,
    publisherId: string | undefined,
    event: DiscoveryEvent,
  ): Promise<Operation> {
    const key = `${kind}/${cid.toString()}`
    if (this.pending.has(key)) return Promise.reject(new Error(`${this.id}: a ${kind} of ${cid} is in progress`))
    return new Promise<Operation>((resolve) => {
      this.pending.set(key, { cid, ctx, resolve, ...(publisherId !== undefined ? { publisherId } : {}) })
      this.actor.send(event)
      // the machine did not run the action (it refused the event): a failed operation, not a hang
      if (this.pending.get(key)?.resolve === resolve && !this.started.has(key)) {
        this.pending.delete(key)
        resolve(refused(kind, cid, ctx))
      }
    })
  }

  private readonly started = new Set<string>()

  /** The action of AdvertisingTopic / DiscoveringTopic: runs the operation, reports back when it ends. */
  private run(kind: Operation['kind'], topic: string): void {
    const key = `${kind}/${topic}`
    const p = this.pending.get(key)
    if (!p) return
    this.started.add(key)
    const work =
      kind === 'provide' ? provide(this.dht, p.cid, p.ctx) : retrieve(this.dht, p.cid, p.publisherId ?? '', p.ctx)
    // the answer goes to the actor after this action returns (an action must not drive its own actor)
    void work.then((op) => {
      this.pending.delete(key)
      this.started.delete(key)
      if (op.error !== null) this.actor.send({ type: 'Exception', args: { error: op.error, topic, op: kind } })
      if (kind === 'retrieve') {
        this.actor.send({
          type: 'TopicDiscovered',
          args: {
            topic,
            via: 'dht',
            round: op.round,
            found: op.providersFound,
            lookupMs: op.durationMs,
            peersContacted: op.peersContacted,
            hops: op.hops,
            firstProviderIsPublisher: op.firstProviderIsPublisher,
            ...(op.error !== null ? { error: op.error } : {}),
          },
        })
      }
      p.resolve(op)
    })
  }
}

function refused(kind: Operation['kind'], cid: CID, ctx: OpContext): Operation {
  return { ...base(kind, ctx, cid), error: 'refused by the discovery machine' }
}
