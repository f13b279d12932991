// Topic sync: derives each topic machine (`sim-t-<name>`, a child the `sim` actor spawned) from its
// topic's peers and message window. State names come from the topic machine: its event types for the
// states the simulator drives, its schema for the states a status block lists.
import type { ActorRefFrom, AnyActorRef } from 'xstate'
import { compileProbe, deriveMachine, type MachineSchema } from '../../machines/schema.js'
import { type TopicEvent, topicMachine } from '../../machines/topic.js'
import type { SimConfig } from '../config/sim.js'
import type { Recorder } from '../telemetry/recorder.js'
import type { TopicModel, World } from './world.js'

type TopicActor = ActorRefFrom<typeof topicMachine>

/** the topic states the simulator adds and removes (the rest are auto or flags) */
type DrivenState = Extract<TopicEvent, { type: `add.${string}` }>['type'] extends `add.${infer S}`
  ? Exclude<S, 'Stale'>
  : never

interface TopicSchema {
  schema: MachineSchema
  probe: (s: { value: unknown; context: unknown }) => number
  bit: Map<string, number>
}

let derived: TopicSchema | undefined

/** The topic machine's schema, derived on first use (nothing runs at import). */
function topicSchema(): TopicSchema {
  if (!derived) {
    const { schema, probes } = deriveMachine(topicMachine)
    derived = { schema, probe: compileProbe(probes), bit: new Map(schema.states.map((s, i) => [s.name, 1 << i])) }
  }
  return derived
}

export class TopicSync {
  /** the topics whose machines are synced, by name: their actor ids */
  private readonly ids = new Map<string, string>()

  constructor(
    private readonly world: World,
    private readonly config: SimConfig,
    private readonly now: () => number,
    private readonly recorder: Recorder | undefined,
    /** the `sim` actor's child of this id */
    private readonly actorOf: (id: string) => AnyActorRef | undefined,
  ) {}

  /** Syncs the machine of a new topic (AddTopic spawned it). */
  add(t: TopicModel): void {
    this.ids.set(t.name, t.id)
  }

  /** A topic is removed: the `sim` actor stops its machine when RemoveTopic ends. */
  remove(t: TopicModel): void {
    this.ids.delete(t.name)
    // xstate does not inspect a stop
    this.recorder?.detach(t.id)
  }

  /** The simulator stops (its children with it). */
  stopAll(): void {
    for (const id of this.ids.values()) this.recorder?.detach(id)
    this.ids.clear()
  }

  private actor(name: string): TopicActor | undefined {
    const id = this.ids.get(name)
    return id === undefined ? undefined : (this.actorOf(id) as TopicActor | undefined)
  }

  /** The active states of a topic's machine, in schema order; none when it has no machine. */
  activeStates(name: string): string[] {
    const snap = this.actor(name)?.getSnapshot()
    if (!snap) return []
    const { schema, probe } = topicSchema()
    const mask = probe(snap)
    return schema.states.filter((_, i) => (mask & (1 << i)) !== 0).map((s) => s.name)
  }

  /** Derives the topic machine from the topic's peers and message window. */
  sync(t: TopicModel): void {
    const actor = this.actor(t.name)
    if (actor?.getSnapshot().status !== 'active') return
    const members = t.peers.size
    const want: Record<DrivenState, boolean> = {
      HasPeers: members > 0,
      Active: this.world.msgsInWindow(t, this.now(), this.config.activeWindow) > 0,
      Peaking: members >= this.config.peaking.threshold,
    }
    const { probe, bit } = topicSchema()
    for (const state of Object.keys(want) as DrivenState[]) {
      const has = (probe(actor.getSnapshot()) & bit.get(state)!) !== 0
      if (want[state] && !has) actor.send({ type: `add.${state}` })
      else if (!want[state] && has) actor.send({ type: `remove.${state}` })
    }
  }
}
