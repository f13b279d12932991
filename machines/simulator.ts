// Simulator `sim`: the root of a simulated network. A heartbeat considers each random action;
// each action is a state that requires Start, is refused when it cannot apply (its `can…` guard,
// bound by src/sim), and is active while its work (an invoked actor) runs.
import { and, assign, fromPromise, raise, setup, stateIn } from 'xstate'
import type { Args, BoolEvents, ExceptionEvent, MultiEvent } from './events.js'
import { stub } from './events.js'
import { ACTIVE, boolMeta, INACTIVE, rootMeta } from './schema.js'

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

export type SimulatorEvent =
  | BoolEvents<'Start' | 'Heartbeat' | SimAction>
  | MultiEvent<'peer.TopicJoined' | 'peer.TopicLeft' | 'peer.MsgsSent'>
  | ExceptionEvent
  | { type: 'remove.Exception' }

export interface SimulatorContext {
  flags: number
}

const EXCEPTION = 1
export type SimActionInput = { args: Args | undefined }
const work = fromPromise<void, SimActionInput>(async () => {})
const yes = () => true
// the args of the `add.X` event that entered an action state become its actor's input
const argsOf = ({ event }: { event: SimulatorEvent }): SimActionInput => ({
  args: 'args' in event ? event.args : undefined,
})

export const simulatorMachine = setup({
  types: { context: {} as SimulatorContext, events: {} as SimulatorEvent },
  actors: {
    heartbeat: work,
    AddPeer: work,
    RemovePeer: work,
    AddTopic: work,
    RemoveTopic: work,
    PeakRandTopic: work,
    AddRandomFriend: work,
    GC: work,
    JoinRandomTopic: work,
    JoinFriendsTopic: work,
    MsgRandomTopic: work,
    VerifyMsgsRecv: work,
    RefreshMetrics: work,
  },
  delays: { heartbeat: 1000 },
  guards: {
    started: stateIn({ Start: ACTIVE }),
    canAddPeer: yes,
    canRemovePeer: yes,
    canAddTopic: yes,
    canRemoveTopic: yes,
    canPeakRandTopic: yes,
    canAddRandomFriend: yes,
    canGC: yes,
    canJoinRandomTopic: yes,
    canJoinFriendsTopic: yes,
    canMsgRandomTopic: yes,
    canVerifyMsgsRecv: yes,
    canRefreshMetrics: yes,
  },
  actions: {
    setFlag: assign(({ context }, params: { bit: number }) => ({ flags: context.flags | params.bit })),
    clearFlag: assign(({ context }, params: { bit: number }) => ({ flags: context.flags & ~params.bit })),
    /** a peer's completion forwarded by its FwdToSim */
    peerProgress: stub,
    /** an action's work threw: the simulator records it as Exception */
    failed: raise(({ event }) => ({
      type: 'Exception' as const,
      args: { error: String((event as { error?: unknown }).error) },
    })),
    Exception: stub,
  },
}).createMachine({
  id: SIMULATOR_TYPE,
  type: 'parallel',
  context: { flags: 0 },
  meta: rootMeta({
    type: SIMULATOR_TYPE,
    order: ['Start', 'Heartbeat', ...SIM_ACTIONS, 'Exception'],
    flags: { Exception: {} },
  }),
  on: {
    'peer.TopicJoined': { actions: 'peerProgress' },
    'peer.TopicLeft': { actions: 'peerProgress' },
    'peer.MsgsSent': { actions: 'peerProgress' },
    Exception: { actions: [{ type: 'setFlag', params: { bit: EXCEPTION } }, 'Exception'] },
    'remove.Exception': { actions: { type: 'clearFlag', params: { bit: EXCEPTION } } },
  },
  states: {
    Start: {
      meta: boolMeta(),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.Start': ACTIVE } },
        [ACTIVE]: {
          on: { 'remove.Start': INACTIVE },
          after: { heartbeat: { target: ACTIVE, reenter: true, actions: raise({ type: 'add.Heartbeat' }) } },
        },
      },
    },
    Heartbeat: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.Heartbeat': { target: ACTIVE, guard: 'started' } } },
        [ACTIVE]: {
          invoke: {
            id: 'heartbeat',
            src: 'heartbeat',
            input: () => ({ args: undefined }),
            onDone: INACTIVE,
            onError: INACTIVE,
          },
        },
      },
    },
    AddPeer: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.AddPeer': { target: ACTIVE, guard: and(['started', 'canAddPeer']) } } },
        [ACTIVE]: {
          invoke: {
            id: 'AddPeer',
            src: 'AddPeer',
            input: argsOf,
            onDone: INACTIVE,
            onError: { target: INACTIVE, actions: 'failed' },
          },
        },
      },
    },
    RemovePeer: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.RemovePeer': { target: ACTIVE, guard: and(['started', 'canRemovePeer']) } } },
        [ACTIVE]: {
          invoke: {
            src: 'RemovePeer',
            input: argsOf,
            onDone: INACTIVE,
            onError: { target: INACTIVE, actions: 'failed' },
          },
        },
      },
    },
    AddTopic: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.AddTopic': { target: ACTIVE, guard: and(['started', 'canAddTopic']) } } },
        [ACTIVE]: {
          invoke: {
            src: 'AddTopic',
            input: argsOf,
            onDone: INACTIVE,
            onError: { target: INACTIVE, actions: 'failed' },
          },
        },
      },
    },
    RemoveTopic: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.RemoveTopic': { target: ACTIVE, guard: and(['started', 'canRemoveTopic']) } } },
        [ACTIVE]: {
          invoke: {
            src: 'RemoveTopic',
            input: argsOf,
            onDone: INACTIVE,
            onError: { target: INACTIVE, actions: 'failed' },
          },
        },
      },
    },
    PeakRandTopic: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.PeakRandTopic': { target: ACTIVE, guard: and(['started', 'canPeakRandTopic']) } } },
        [ACTIVE]: {
          invoke: {
            src: 'PeakRandTopic',
            input: argsOf,
            onDone: INACTIVE,
            onError: { target: INACTIVE, actions: 'failed' },
          },
        },
      },
    },
    AddRandomFriend: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: {
          on: { 'add.AddRandomFriend': { target: ACTIVE, guard: and(['started', 'canAddRandomFriend']) } },
        },
        [ACTIVE]: {
          invoke: {
            src: 'AddRandomFriend',
            input: argsOf,
            onDone: INACTIVE,
            onError: { target: INACTIVE, actions: 'failed' },
          },
        },
      },
    },
    GC: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.GC': { target: ACTIVE, guard: and(['started', 'canGC']) } } },
        [ACTIVE]: {
          invoke: {
            id: 'GC',
            src: 'GC',
            input: argsOf,
            onDone: INACTIVE,
            onError: { target: INACTIVE, actions: 'failed' },
          },
        },
      },
    },
    JoinRandomTopic: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: {
          on: { 'add.JoinRandomTopic': { target: ACTIVE, guard: and(['started', 'canJoinRandomTopic']) } },
        },
        [ACTIVE]: {
          invoke: {
            src: 'JoinRandomTopic',
            input: argsOf,
            onDone: INACTIVE,
            onError: { target: INACTIVE, actions: 'failed' },
          },
        },
      },
    },
    JoinFriendsTopic: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: {
          on: { 'add.JoinFriendsTopic': { target: ACTIVE, guard: and(['started', 'canJoinFriendsTopic']) } },
        },
        [ACTIVE]: {
          invoke: {
            src: 'JoinFriendsTopic',
            input: argsOf,
            onDone: INACTIVE,
            onError: { target: INACTIVE, actions: 'failed' },
          },
        },
      },
    },
    MsgRandomTopic: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.MsgRandomTopic': { target: ACTIVE, guard: and(['started', 'canMsgRandomTopic']) } } },
        [ACTIVE]: {
          invoke: {
            src: 'MsgRandomTopic',
            input: argsOf,
            onDone: INACTIVE,
            onError: { target: INACTIVE, actions: 'failed' },
          },
        },
      },
    },
    VerifyMsgsRecv: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.VerifyMsgsRecv': { target: ACTIVE, guard: and(['started', 'canVerifyMsgsRecv']) } } },
        [ACTIVE]: {
          invoke: {
            src: 'VerifyMsgsRecv',
            input: argsOf,
            onDone: INACTIVE,
            onError: { target: INACTIVE, actions: 'failed' },
          },
        },
      },
    },
    RefreshMetrics: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.RefreshMetrics': { target: ACTIVE, guard: and(['started', 'canRefreshMetrics']) } } },
        [ACTIVE]: {
          invoke: {
            src: 'RefreshMetrics',
            input: argsOf,
            onDone: INACTIVE,
            onError: { target: INACTIVE, actions: 'failed' },
          },
        },
      },
    },
  },
})
