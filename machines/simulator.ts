// Simulator `sim`: the root of a simulated network. A heartbeat considers each random action;
// each action is a state that requires Start, is refused when it cannot apply (its `can…` guard,
// bound by src/sim), and is active while its work (an invoked actor) runs. The simulator's children
// are its peers (`sim-p<n>`, spawned by AddPeer) and topics (`sim-t-<name>`, spawned by AddTopic);
// the peers' completions come back to it as `peer.*` events.
import { enqueueActions, fromPromise, raise, setup } from 'xstate'
import type { Args, BoolEvents, ExceptionEvent } from './events.js'
import { stub } from './events.js'
import { hostId, simPeerId, topicId } from './ids.js'
import { ACTIVE, INACTIVE } from './schema.js'
import { type PeerProgressEvent, type PeerStoppedEvent, simPeerMachine } from './sim-peer.js'
import {
  type Behaviour,
  childFailures,
  defineStruct,
  each,
  type NodeConfig,
  type StateBehaviour,
  type StateDef,
  work,
} from './struct.js'
import { topicMachine } from './topic.js'

export const SIMULATOR_TYPE = 'simulator'

export const SIM_ACTIONS = [
  'AddPeer',
  'RemovePeer',
  'AddTopic',
  'RemoveTopic',
  'PeakRandTopic',
  'AddRandomFriend',
  'GC',
  'JoinRandomTopic',
  'JoinFriendsTopic',
  'MsgRandomTopic',
  'VerifyMsgsRecv',
  'RefreshMetrics',
] as const
export type SimAction = (typeof SIM_ACTIONS)[number]

/** The random actions a heartbeat considers (VerifyMsgsRecv and RefreshMetrics are scheduled). */
export const SIM_RANDOM_ACTIONS = [
  'AddRandomFriend',
  'JoinRandomTopic',
  'JoinFriendsTopic',
  'MsgRandomTopic',
  'AddPeer',
  'AddTopic',
  'PeakRandTopic',
  'RemovePeer',
  'RemoveTopic',
  'GC',
] as const satisfies readonly SimAction[]
export type SimRandomAction = (typeof SIM_RANDOM_ACTIONS)[number]

export const simulatorStruct = defineStruct<'Start' | 'Heartbeat' | SimAction>({
  type: SIMULATOR_TYPE,
  states: {
    Start: {},
    Heartbeat: { require: ['Start'] },
    ...each(SIM_ACTIONS, (): StateDef => ({ require: ['Start'] })),
  },
})

export type SimulatorEvent =
  | BoolEvents<'Start' | 'Heartbeat' | SimAction>
  | PeerProgressEvent
  | PeerStoppedEvent
  | ExceptionEvent
  | { type: 'remove.Exception' }

export interface SimulatorContext {
  flags: number
}

export type SimActionInput = { args: Args | undefined }
const stubWork = fromPromise<void, SimActionInput>(async () => {})
/** RemoveTopic's work: resolves with the name of the topic it removed (none: nothing was removed) */
const removeTopicWork = fromPromise<string | undefined, SimActionInput>(async () => undefined)

// each action: refused when it cannot apply (`can<Action>`, bound by src/sim), active while its work runs
const actionBehaviour = Object.fromEntries(SIM_ACTIONS.map((a) => [a, { can: `can${a}`, active: work(a) }])) as Record<
  SimAction,
  StateBehaviour
>
// the children an action's work needs exist before it runs: AddPeer's new peer (args.peer, its number)
// and AddTopic's new topic (args.topic, its name) are spawned as the action starts
actionBehaviour.AddPeer = { ...actionBehaviour.AddPeer, active: { ...work('AddPeer'), entry: 'spawnPeer' } }
actionBehaviour.AddTopic = { ...actionBehaviour.AddTopic, active: { ...work('AddTopic'), entry: 'spawnTopic' } }
// RemoveTopic's work names the topic it removed: the simulator then stops that topic's machine
const removeTopic = work('RemoveTopic') as { invoke: NodeConfig }
actionBehaviour.RemoveTopic = {
  ...actionBehaviour.RemoveTopic,
  active: { invoke: { ...removeTopic.invoke, onDone: { target: INACTIVE, actions: 'stopTopic' } } },
}

function argOf(event: unknown, key: string): unknown {
  return (event as { args?: Args }).args?.[key]
}

export const simulatorMachine = setup({
  types: { context: {} as SimulatorContext, events: {} as SimulatorEvent },
  actors: {
    simPeer: simPeerMachine,
    topic: topicMachine,
    heartbeat: stubWork,
    ...each(SIM_ACTIONS, () => stubWork),
    RemoveTopic: removeTopicWork,
  },
  delays: { heartbeat: 1000 },
  guards: {
    ...simulatorStruct.guards,
    ...(Object.fromEntries(SIM_ACTIONS.map((a) => [`can${a}`, () => true])) as Record<
      `can${SimAction}`,
      () => boolean
    >),
  },
  actions: {
    ...simulatorStruct.actions,
    /** a peer's completion forwarded by its FwdToSim */
    peerProgress: stub,
    spawnPeer: enqueueActions(({ enqueue, event, self }) => {
      const n = argOf(event, 'peer')
      if (typeof n !== 'number') return
      const id = simPeerId(n)
      if (self.getSnapshot().children[id] !== undefined) return
      enqueue.spawnChild('simPeer', { id, input: { peer: id, host: hostId(n) } })
    }),
    /** a peer that disconnected is stopped (its host machine with it) */
    stopPeer: enqueueActions(({ enqueue, event, self }) => {
      const id = argOf(event, 'peer')
      if (typeof id === 'string' && self.getSnapshot().children[id] !== undefined) enqueue.stopChild(id)
    }),
    stopTopic: enqueueActions(({ enqueue, event, self }) => {
      const name = (event as { output?: unknown }).output
      if (typeof name !== 'string') return
      const id = topicId(name)
      if (self.getSnapshot().children[id] !== undefined) enqueue.stopChild(id)
    }),
    spawnTopic: enqueueActions(({ enqueue, event, self }) => {
      const name = argOf(event, 'topic')
      if (typeof name !== 'string') return
      const id = topicId(name)
      if (self.getSnapshot().children[id] !== undefined) return
      enqueue.spawnChild('topic', { id })
    }),
  },
}).createMachine({
  id: SIMULATOR_TYPE,
  context: { flags: 0 },
  ...simulatorStruct.config({
    on: {
      'peer.TopicJoined': { actions: 'peerProgress' },
      'peer.TopicLeft': { actions: 'peerProgress' },
      'peer.MsgsSent': { actions: 'peerProgress' },
      'peer.Stopped': { actions: 'stopPeer' },
      // a peer or topic that fails is the simulator's Exception; the actions' work is invoked, not spawned
      ...childFailures((id) => !(SIM_ACTIONS as readonly string[]).includes(id) && id !== 'heartbeat'),
    },
    states: {
      Start: {
        active: { after: { heartbeat: { target: ACTIVE, reenter: true, actions: raise({ type: 'add.Heartbeat' }) } } },
      },
      Heartbeat: {
        active: {
          invoke: {
            id: 'heartbeat',
            src: 'heartbeat',
            input: () => ({ args: undefined }),
            onDone: INACTIVE,
            onError: INACTIVE,
          },
        },
      },
      ...actionBehaviour,
    },
  } satisfies Behaviour<'Start' | 'Heartbeat' | SimAction>),
})
