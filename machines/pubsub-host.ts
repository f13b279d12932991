// Pubsub host `ps-<n>`: the event loop of one gossipsub instance as a flat machine.
// It sees every RPC, so it stays flat: the three plain states are bits in `context.flags` and the
// eighteen operations are Multi states (root events) whose work is a provided action.
import { assign, setup } from 'xstate'
import type { BoolEvents, ExceptionEvent, MultiEvent } from './events.js'
import { stub } from './events.js'
import { flagBits, rootMeta } from './schema.js'

export const PUBSUB_HOST_TYPE = 'pubsub-host'

export const PUBSUB_HOST_FLAGS = ['PeersPending', 'PeersDead', 'Exception'] as const
export const PUBSUB_HOST_MULTI = [
  'GetPeers',
  'PeerNewStream',
  'PeerCloseStream',
  'PeerError',
  'PublishMessage',
  'BlacklistPeer',
  'GetTopics',
  'AddTopic',
  'RemoveTopic',
  'AnnouncingTopic',
  'TopicAnnounced',
  'RemoveSubscription',
  'AddSubscription',
  'AddRelay',
  'RemoveRelay',
  'IncomingRPC',
  'AddValidator',
  'RemoveValidator',
] as const

export type PubsubHostMulti = (typeof PUBSUB_HOST_MULTI)[number]
export type PubsubHostFlag = (typeof PUBSUB_HOST_FLAGS)[number]
export const PUBSUB_HOST_BITS = flagBits(PUBSUB_HOST_FLAGS) as Record<PubsubHostFlag, number>

export type PubsubHostEvent =
  | MultiEvent<PubsubHostMulti>
  | BoolEvents<'PeersPending' | 'PeersDead'>
  | ExceptionEvent
  | { type: 'remove.Exception' }

export interface PubsubHostContext {
  flags: number
}

const B = PUBSUB_HOST_BITS
const setFlag = (bit: number) => ({ type: 'setFlag', params: { bit } }) as const
const clearFlag = (bit: number) => ({ type: 'clearFlag', params: { bit } }) as const

export const pubsubHostMachine = setup({
  types: { context: {} as PubsubHostContext, events: {} as PubsubHostEvent },
  actions: {
    setFlag: assign({ flags: ({ context }, params: { bit: number }) => context.flags | params.bit }),
    clearFlag: assign({ flags: ({ context }, params: { bit: number }) => context.flags & ~params.bit }),
    GetPeers: stub,
    PeerNewStream: stub,
    PeerCloseStream: stub,
    PeerError: stub,
    PublishMessage: stub,
    BlacklistPeer: stub,
    GetTopics: stub,
    AddTopic: stub,
    RemoveTopic: stub,
    AnnouncingTopic: stub,
    TopicAnnounced: stub,
    RemoveSubscription: stub,
    AddSubscription: stub,
    AddRelay: stub,
    RemoveRelay: stub,
    IncomingRPC: stub,
    AddValidator: stub,
    RemoveValidator: stub,
    /** new peers waiting: the host handles them (src binds this) */
    PeersPending: stub,
    /** dead peers waiting: the host cleans them up (src binds this) */
    PeersDead: stub,
    Exception: stub,
  },
}).createMachine({
  id: PUBSUB_HOST_TYPE,
  context: { flags: 0 },
  meta: rootMeta({
    type: PUBSUB_HOST_TYPE,
    order: ['PeersPending', 'PeersDead', ...PUBSUB_HOST_MULTI, 'Exception'],
    flags: { PeersPending: {}, PeersDead: {}, Exception: {} },
    multi: Object.fromEntries(PUBSUB_HOST_MULTI.map((m) => [m, {}])),
  }),
  on: {
    'add.PeersPending': { actions: [setFlag(B.PeersPending), 'PeersPending'] },
    'remove.PeersPending': { actions: clearFlag(B.PeersPending) },
    'add.PeersDead': { actions: [setFlag(B.PeersDead), 'PeersDead'] },
    'remove.PeersDead': { actions: clearFlag(B.PeersDead) },
    Exception: { actions: [setFlag(B.Exception), 'Exception'] },
    'remove.Exception': { actions: clearFlag(B.Exception) },
    GetPeers: { actions: 'GetPeers' },
    PeerNewStream: { actions: 'PeerNewStream' },
    PeerCloseStream: { actions: 'PeerCloseStream' },
    PeerError: { actions: 'PeerError' },
    PublishMessage: { actions: 'PublishMessage' },
    BlacklistPeer: { actions: 'BlacklistPeer' },
    GetTopics: { actions: 'GetTopics' },
    AddTopic: { actions: 'AddTopic' },
    RemoveTopic: { actions: 'RemoveTopic' },
    AnnouncingTopic: { actions: 'AnnouncingTopic' },
    TopicAnnounced: { actions: 'TopicAnnounced' },
    RemoveSubscription: { actions: 'RemoveSubscription' },
    AddSubscription: { actions: 'AddSubscription' },
    AddRelay: { actions: 'AddRelay' },
    RemoveRelay: { actions: 'RemoveRelay' },
    IncomingRPC: { actions: 'IncomingRPC' },
    AddValidator: { actions: 'AddValidator' },
    RemoveValidator: { actions: 'RemoveValidator' },
  },
})
