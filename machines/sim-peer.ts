// Sim peer `sim-p<n>`: one simulated peer and its host. Identity → connecting → connected → ready;
// joins/leaves topics and sends messages as Multi pairs whose completions forward to the simulator
// (its parent, by `sendParent`). Connecting spawns the peer's pubsub host machine `ps-<n>` as a child.
import { enqueueActions, fromPromise, setup } from 'xstate'
import type { Args, BoolEvents, ExceptionEvent, MultiEvent } from './events.js'
import { pubsubHostMachine } from './pubsub-host.js'
import { ACTIVE, INACTIVE, NONE } from './schema.js'
import { childFailures, defineStruct } from './struct.js'

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

export const simPeerStruct = defineStruct({
  type: SIM_PEER_TYPE,
  states: {
    Start: {},
    IsDHT: {},
    Ready: { auto: true, require: ['Start', 'Connected'] },
    GenIdentity: { auto: true },
    IdentityReady: {},
    BootstrapsConnected: {},
    EventHostConnected: { multi: true, require: ['Start'], add: ['Connected'] },
    Connected: { require: ['Start'] },
    Connecting: { auto: true, require: ['Start', 'IdentityReady'] },
    Disconnecting: { remove: ['BootstrapsConnected'] },
    JoiningTopic: { multi: true, require: ['Connected'] },
    TopicJoined: { multi: true, require: ['Connected'], add: ['FwdToSim'] },
    LeavingTopic: { multi: true, require: ['Connected'] },
    TopicLeft: { multi: true, require: ['Connected'], add: ['FwdToSim'] },
    SendingMsgs: { multi: true, require: ['Connected'] },
    MsgsSent: { multi: true, require: ['Connected'], add: ['FwdToSim'] },
    FwdToSim: {},
  },
  groups: {
    Identity: ['GenIdentity', 'IdentityReady'],
    Connection: ['Connected', 'Connecting', 'Disconnecting'],
  },
})

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
  /** id of the pubsub host child spawned while connecting; absent: the peer spawns none */
  host?: string
}

export interface SimPeerContext {
  peer: string
  host: string | undefined
  flags: number
}

/** What a sim peer's completion tells its parent (the simulator). */
export type PeerProgressEvent = MultiEvent<'peer.TopicJoined' | 'peer.TopicLeft' | 'peer.MsgsSent'>
/** A sim peer's word to its parent that it has disconnected: the parent stops it. */
export type PeerStoppedEvent = MultiEvent<'peer.Stopped', { peer: string }>

const peerInput = ({ context }: { context: SimPeerContext }) => ({ peer: context.peer })

export const simPeerMachine = setup({
  types: { context: {} as SimPeerContext, events: {} as SimPeerEvent, input: {} as SimPeerInput },
  actors: {
    /** the peer's gossipsub event loop (src binds the machine whose actions drive gossipsub) */
    pubsubHost: pubsubHostMachine,
    genIdentity: fromPromise<void, { peer: string }>(async () => {}),
    /** starts the host and connects to the bootstrap peers */
    connect: fromPromise<void, { peer: string }>(async () => {}),
    /** stops the host */
    disconnect: fromPromise<void, { peer: string }>(async () => {}),
  },
  delays: { fwd: 0 },
  guards: simPeerStruct.guards,
  actions: {
    ...simPeerStruct.actions,
    /** forwards a completion (TopicJoined, TopicLeft, MsgsSent) to the parent, the simulator */
    forwardToSim: enqueueActions(({ enqueue, event, context, self }) => {
      // a peer run on its own (tests) has no simulator to tell
      if (!self._parent) return
      const args: Args = (event as { args?: Args }).args ?? {}
      const type = `peer.${String(args.state)}` as PeerProgressEvent['type']
      enqueue.sendParent({ type, args: { ...args, peer: context.peer } } satisfies PeerProgressEvent)
    }),
    /** tells the parent (the simulator) the peer is disconnected and can be stopped */
    stopped: enqueueActions(({ enqueue, context, self }) => {
      if (self._parent)
        enqueue.sendParent({ type: 'peer.Stopped', args: { peer: context.peer } } satisfies PeerStoppedEvent)
    }),
    /** the host machine is the peer's child: spawned once, when the peer first connects */
    spawnHost: enqueueActions(({ enqueue, context, self }) => {
      const id = context.host
      if (id === undefined || self.getSnapshot().children[id] !== undefined) return
      enqueue.spawnChild('pubsubHost', { id })
    }),
  },
}).createMachine({
  id: SIM_PEER_TYPE,
  context: ({ input }) => ({ peer: input.peer, host: input.host, flags: 0 }),
  ...simPeerStruct.config({
    // the host child failing is the peer's Exception (its work actors are invoked: their states handle them)
    on: childFailures((id) => !['genIdentity', 'connect', 'disconnect'].includes(id)),
    states: {
      // a disconnected peer is stopped: leaving Start in the same step keeps Connecting from firing again
      Start: {
        active: {
          on: {
            'xstate.done.actor.disconnect': { target: INACTIVE, actions: 'stopped' },
            'xstate.error.actor.disconnect': { target: INACTIVE, actions: 'stopped' },
          },
        },
      },
      // identity and connection are automatic work: it pauses while Exception is active
      GenIdentity: {
        can: 'noException',
        active: {
          invoke: {
            id: 'genIdentity',
            src: 'genIdentity',
            input: peerInput,
            onDone: 'IdentityReady',
            onError: { target: NONE, actions: 'raiseException' },
          },
        },
      },
      Connecting: {
        can: 'noException',
        active: {
          entry: 'spawnHost',
          invoke: {
            id: 'connect',
            src: 'connect',
            input: peerInput,
            onDone: 'Connected',
            onError: { target: NONE, actions: 'raiseException' },
          },
        },
      },
      Disconnecting: {
        active: {
          invoke: { id: 'disconnect', src: 'disconnect', input: peerInput, onDone: NONE, onError: NONE },
        },
      },
      FwdToSim: {
        active: {
          entry: 'forwardToSim',
          on: { 'add.FwdToSim': { target: ACTIVE, reenter: true } },
          after: { fwd: INACTIVE },
        },
      },
    },
  }),
})
