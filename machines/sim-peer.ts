// Sim peer `sim-p<n>`: one simulated peer and its host. Identity → connecting → connected → ready;
// joins/leaves topics and sends messages as Multi pairs whose completions forward to the simulator.
import { and, assign, fromPromise, not, raise, setup, stateIn } from 'xstate'
import type { BoolEvents, ExceptionEvent, MultiEvent } from './events.js'
import { stub } from './events.js'
import { ACTIVE, boolMeta, groupMeta, INACTIVE, NONE, rootMeta } from './schema.js'

export const SIM_PEER_TYPE = 'sim-peer'

export const SIM_PEER_MULTI = [
  'EventHostConnected',
  'JoiningTopic',
  'TopicJoined',
  'LeavingTopic',
  'TopicLeft',
  'SendingMsgs',
  'MsgsSent',
] as const
export type SimPeerMulti = (typeof SIM_PEER_MULTI)[number]

export type SimPeerEvent =
  | BoolEvents<
      | 'Start'
      | 'IsDHT'
      | 'BootstrapsConnected'
      | 'FwdToSim'
      | 'Ready'
      | 'GenIdentity'
      | 'IdentityReady'
      | 'Connecting'
      | 'Connected'
      | 'Disconnecting'
    >
  | MultiEvent<SimPeerMulti>
  | ExceptionEvent
  | { type: 'remove.Exception' }

export interface SimPeerInput {
  peer: string
}

export interface SimPeerContext {
  peer: string
  flags: number
}

const EXCEPTION = 1

function bool(name: string) {
  return {
    initial: INACTIVE,
    states: {
      [INACTIVE]: { on: { [`add.${name}`]: ACTIVE } },
      [ACTIVE]: { on: { [`remove.${name}`]: INACTIVE } },
    },
  }
}

export const simPeerMachine = setup({
  types: { context: {} as SimPeerContext, events: {} as SimPeerEvent, input: {} as SimPeerInput },
  actors: {
    genIdentity: fromPromise<void, { peer: string }>(async () => {}),
    /** starts the host and connects to the bootstrap peers */
    connect: fromPromise<void, { peer: string }>(async () => {}),
    /** stops the host */
    disconnect: fromPromise<void, { peer: string }>(async () => {}),
  },
  delays: { fwd: 0 },
  guards: {
    started: stateIn({ Start: ACTIVE }),
    connected: stateIn({ Connection: 'Connected' }),
    readyReqs: and([stateIn({ Start: ACTIVE }), stateIn({ Connection: 'Connected' })]),
    notReadyReqs: not(and([stateIn({ Start: ACTIVE }), stateIn({ Connection: 'Connected' })])),
    connectReqs: and([
      stateIn({ Start: ACTIVE }),
      stateIn({ Identity: 'IdentityReady' }),
      ({ context }) => (context.flags & EXCEPTION) === 0,
    ]),
    canGenIdentity: ({ context }) => (context.flags & EXCEPTION) === 0,
  },
  actions: {
    setFlag: assign(({ context }, params: { bit: number }) => ({ flags: context.flags | params.bit })),
    clearFlag: assign(({ context }, params: { bit: number }) => ({ flags: context.flags & ~params.bit })),
    /** forwards a completion (TopicJoined, TopicLeft, MsgsSent) to the simulator */
    forwardToSim: stub,
    EventHostConnected: stub,
    JoiningTopic: stub,
    TopicJoined: stub,
    LeavingTopic: stub,
    TopicLeft: stub,
    SendingMsgs: stub,
    MsgsSent: stub,
    Exception: stub,
  },
}).createMachine({
  id: SIM_PEER_TYPE,
  type: 'parallel',
  context: ({ input }) => ({ peer: input.peer, flags: 0 }),
  meta: rootMeta({
    type: SIM_PEER_TYPE,
    order: [
      'Start',
      'IsDHT',
      'Ready',
      'GenIdentity',
      'IdentityReady',
      'BootstrapsConnected',
      'EventHostConnected',
      'Connected',
      'Connecting',
      'Disconnecting',
      'JoiningTopic',
      'TopicJoined',
      'LeavingTopic',
      'TopicLeft',
      'SendingMsgs',
      'MsgsSent',
      'FwdToSim',
      'Exception',
    ],
    flags: { Exception: {} },
    multi: {
      EventHostConnected: { require: ['Start'], add: ['Connected'] },
      JoiningTopic: { require: ['Connected'] },
      TopicJoined: { require: ['Connected'], add: ['FwdToSim'] },
      LeavingTopic: { require: ['Connected'] },
      TopicLeft: { require: ['Connected'], add: ['FwdToSim'] },
      SendingMsgs: { require: ['Connected'] },
      MsgsSent: { require: ['Connected'], add: ['FwdToSim'] },
    },
  }),
  on: {
    EventHostConnected: { guard: 'started', actions: 'EventHostConnected' },
    JoiningTopic: { guard: 'connected', actions: 'JoiningTopic' },
    TopicJoined: {
      guard: 'connected',
      actions: [
        'TopicJoined',
        raise(({ event }) => ({ type: 'add.FwdToSim' as const, args: { state: event.type, ...event.args } })),
      ],
    },
    LeavingTopic: { guard: 'connected', actions: 'LeavingTopic' },
    TopicLeft: {
      guard: 'connected',
      actions: [
        'TopicLeft',
        raise(({ event }) => ({ type: 'add.FwdToSim' as const, args: { state: event.type, ...event.args } })),
      ],
    },
    SendingMsgs: { guard: 'connected', actions: 'SendingMsgs' },
    MsgsSent: {
      guard: 'connected',
      actions: [
        'MsgsSent',
        raise(({ event }) => ({ type: 'add.FwdToSim' as const, args: { state: event.type, ...event.args } })),
      ],
    },
    Exception: { actions: [{ type: 'setFlag', params: { bit: EXCEPTION } }, 'Exception'] },
    'remove.Exception': { actions: { type: 'clearFlag', params: { bit: EXCEPTION } } },
  },
  states: {
    Start: {
      meta: boolMeta(),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.Start': ACTIVE } },
        // a disconnected peer is stopped: leaving Start in the same step keeps Connecting from firing again
        [ACTIVE]: {
          on: {
            'remove.Start': INACTIVE,
            'xstate.done.actor.disconnect': INACTIVE,
            'xstate.error.actor.disconnect': INACTIVE,
          },
        },
      },
    },
    IsDHT: { meta: boolMeta(), ...bool('IsDHT') },
    Ready: {
      meta: boolMeta({ auto: true, require: ['Start', 'Connected'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { always: { target: ACTIVE, guard: 'readyReqs' } },
        [ACTIVE]: { always: { target: INACTIVE, guard: 'notReadyReqs' } },
      },
    },
    Identity: {
      meta: groupMeta({ GenIdentity: { auto: true }, IdentityReady: {} }),
      initial: NONE,
      states: {
        [NONE]: {
          always: { target: 'GenIdentity', guard: 'canGenIdentity' },
          on: { 'add.IdentityReady': 'IdentityReady' },
        },
        GenIdentity: {
          invoke: {
            id: 'genIdentity',
            src: 'genIdentity',
            input: ({ context }) => ({ peer: context.peer }),
            onDone: 'IdentityReady',
            onError: {
              target: NONE,
              actions: raise(({ event }) => ({ type: 'Exception' as const, args: { error: String(event.error) } })),
            },
          },
        },
        IdentityReady: {},
      },
    },
    BootstrapsConnected: {
      meta: boolMeta(),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.BootstrapsConnected': ACTIVE } },
        [ACTIVE]: { on: { 'remove.BootstrapsConnected': INACTIVE, 'add.Disconnecting': INACTIVE } },
      },
    },
    Connection: {
      meta: groupMeta({
        Connected: { require: ['Start'] },
        Connecting: { auto: true, require: ['Start', 'IdentityReady'] },
        Disconnecting: { remove: ['BootstrapsConnected'] },
      }),
      initial: NONE,
      on: {
        'add.Disconnecting': '.Disconnecting',
        EventHostConnected: { target: '.Connected', guard: 'started' },
      },
      states: {
        [NONE]: {
          always: { target: 'Connecting', guard: 'connectReqs' },
          on: { 'add.Connected': { target: 'Connected', guard: 'started' } },
        },
        Connecting: {
          on: { 'add.Connected': { target: 'Connected', guard: 'started' } },
          invoke: {
            id: 'connect',
            src: 'connect',
            input: ({ context }) => ({ peer: context.peer }),
            onDone: 'Connected',
            onError: {
              target: NONE,
              actions: raise(({ event }) => ({ type: 'Exception' as const, args: { error: String(event.error) } })),
            },
          },
        },
        Connected: {
          on: { 'remove.Connected': NONE },
        },
        Disconnecting: {
          invoke: {
            id: 'disconnect',
            src: 'disconnect',
            input: ({ context }) => ({ peer: context.peer }),
            onDone: NONE,
            onError: NONE,
          },
        },
      },
    },
    FwdToSim: {
      meta: boolMeta(),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.FwdToSim': ACTIVE } },
        [ACTIVE]: {
          entry: 'forwardToSim',
          on: { 'add.FwdToSim': { target: ACTIVE, reenter: true }, 'remove.FwdToSim': INACTIVE },
          after: { fwd: INACTIVE },
        },
      },
    },
  },
})
