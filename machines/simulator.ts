// Simulator `sim`: the root of a simulated network. A heartbeat considers each random action;
// each action is a state that requires Start, is refused when it cannot apply (its `can…` guard,
// bound by src/sim), and is active while its work (an invoked actor) runs.
import { fromPromise, raise, setup } from 'xstate'
import type { Args, BoolEvents, ExceptionEvent, MultiEvent } from './events.js'
import { stub } from './events.js'
import { ACTIVE, INACTIVE } from './schema.js'
import { type Behaviour, defineStruct, each, type StateBehaviour, type StateDef, work } from './struct.js'

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
  | MultiEvent<'peer.TopicJoined' | 'peer.TopicLeft' | 'peer.MsgsSent'>
  | ExceptionEvent
  | { type: 'remove.Exception' }

export interface SimulatorContext {
  flags: number
}

export type SimActionInput = { args: Args | undefined }
const stubWork = fromPromise<void, SimActionInput>(async () => {})

// each action: refused when it cannot apply (`can<Action>`, bound by src/sim), active while its work runs
const actionBehaviour = Object.fromEntries(SIM_ACTIONS.map((a) => [a, { can: `can${a}`, active: work(a) }])) as Record<
  SimAction,
  StateBehaviour
>

export const simulatorMachine = setup({
  types: { context: {} as SimulatorContext, events: {} as SimulatorEvent },
  actors: {
    heartbeat: stubWork,
    ...each(SIM_ACTIONS, () => stubWork),
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
  },
}).createMachine({
  id: SIMULATOR_TYPE,
  context: { flags: 0 },
  ...simulatorStruct.config({
    on: {
      'peer.TopicJoined': { actions: 'peerProgress' },
      'peer.TopicLeft': { actions: 'peerProgress' },
      'peer.MsgsSent': { actions: 'peerProgress' },
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
