// Pubsub host `ps-<n>`: the event loop of one gossipsub instance as a flat machine.
// It sees every RPC, so it stays flat: the plain states are bits in `context.flags` and the eighteen
// operations are Multi states (root events) whose work is the provided action of the same name.
import { setup } from 'xstate'
import type { BoolEvents, ExceptionEvent, MultiEvent } from './events.js'
import { childFailures, defineStruct, each } from './struct.js'

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

export const pubsubHostStruct = defineStruct<PubsubHostFlag | PubsubHostMulti>({
  type: PUBSUB_HOST_TYPE,
  states: {
    /** new peers waiting: the host handles them (src binds the action) */
    PeersPending: {},
    /** dead peers waiting: the host cleans them up (src binds the action) */
    PeersDead: {},
    ...each(PUBSUB_HOST_MULTI, () => ({ multi: true })),
    Exception: {},
  },
  flags: PUBSUB_HOST_FLAGS,
})

export const PUBSUB_HOST_BITS: Readonly<Record<PubsubHostFlag, number>> = pubsubHostStruct.bits

export type PubsubHostEvent =
  | MultiEvent<PubsubHostMulti>
  | BoolEvents<'PeersPending' | 'PeersDead'>
  | ExceptionEvent
  | { type: 'remove.Exception' }

export interface PubsubHostContext {
  flags: number
}

export const pubsubHostMachine = setup({
  types: { context: {} as PubsubHostContext, events: {} as PubsubHostEvent },
  actions: pubsubHostStruct.actions,
}).createMachine({
  id: PUBSUB_HOST_TYPE,
  context: { flags: 0 },
  // the discovery machine created under the host failing is the host's Exception (it invokes nothing)
  ...pubsubHostStruct.flatConfig({ on: childFailures(() => true) }),
})
