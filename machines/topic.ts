// Topic `sim-t-<name>`: state only, no handlers. The simulator derives it from the topic's peer
// count and its message window: Stale (auto) unless Active or Peaking; Peaking requires HasPeers.
import { setup } from 'xstate'
import type { BoolEvents, ExceptionEvent } from './events.js'
import { defineStruct } from './struct.js'

export const TOPIC_TYPE = 'topic'

export const topicStruct = defineStruct({
  type: TOPIC_TYPE,
  states: {
    Stale: { auto: true },
    HasPeers: {},
    Active: { remove: ['Stale'] },
    Peaking: { require: ['HasPeers'], remove: ['Stale'] },
  },
})

export type TopicEvent =
  | BoolEvents<'Stale' | 'HasPeers' | 'Active' | 'Peaking'>
  | ExceptionEvent
  | { type: 'remove.Exception' }

export interface TopicContext {
  flags: number
}

export const topicMachine = setup({
  types: { context: {} as TopicContext, events: {} as TopicEvent },
  guards: topicStruct.guards,
  actions: topicStruct.actions,
}).createMachine({
  id: TOPIC_TYPE,
  context: { flags: 0 },
  ...topicStruct.config(),
})
