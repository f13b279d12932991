// Topic `sim-t-<name>`: state only, no handlers. The simulator derives it from the topic's peer
// count and its message window: Stale (auto) unless Active or Peaking; Peaking requires HasPeers.
import { and, assign, not, setup, stateIn } from 'xstate'
import type { BoolEvents, ExceptionEvent } from './events.js'
import { ACTIVE, boolMeta, INACTIVE, rootMeta } from './schema.js'

export const TOPIC_TYPE = 'topic'

export type TopicEvent =
  | BoolEvents<'Stale' | 'HasPeers' | 'Active' | 'Peaking'>
  | ExceptionEvent
  | { type: 'remove.Exception' }

export interface TopicContext {
  flags: number
}

const EXCEPTION = 1

export const topicMachine = setup({
  types: { context: {} as TopicContext, events: {} as TopicEvent },
  guards: {
    hasPeers: stateIn({ HasPeers: ACTIVE }),
    notBusy: and([not(stateIn({ Active: ACTIVE })), not(stateIn({ Peaking: ACTIVE }))]),
    lostPeers: not(stateIn({ HasPeers: ACTIVE })),
  },
  actions: {
    setFlag: assign(({ context }, params: { bit: number }) => ({ flags: context.flags | params.bit })),
    clearFlag: assign(({ context }, params: { bit: number }) => ({ flags: context.flags & ~params.bit })),
  },
}).createMachine({
  id: TOPIC_TYPE,
  type: 'parallel',
  context: { flags: 0 },
  meta: rootMeta({
    type: TOPIC_TYPE,
    order: ['Stale', 'HasPeers', 'Active', 'Peaking', 'Exception'],
    flags: { Exception: {} },
  }),
  on: {
    Exception: { actions: { type: 'setFlag', params: { bit: EXCEPTION } } },
    'remove.Exception': { actions: { type: 'clearFlag', params: { bit: EXCEPTION } } },
  },
  states: {
    Stale: {
      meta: boolMeta({ auto: true }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { always: { target: ACTIVE, guard: 'notBusy' } },
        [ACTIVE]: {
          on: {
            'add.Active': INACTIVE,
            'add.Peaking': { target: INACTIVE, guard: 'hasPeers' },
          },
        },
      },
    },
    HasPeers: {
      meta: boolMeta(),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.HasPeers': ACTIVE } },
        [ACTIVE]: { on: { 'remove.HasPeers': INACTIVE } },
      },
    },
    Active: {
      meta: boolMeta({ remove: ['Stale'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.Active': ACTIVE } },
        [ACTIVE]: { on: { 'remove.Active': INACTIVE } },
      },
    },
    Peaking: {
      meta: boolMeta({ require: ['HasPeers'], remove: ['Stale'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.Peaking': { target: ACTIVE, guard: 'hasPeers' } } },
        [ACTIVE]: {
          on: { 'remove.Peaking': INACTIVE },
          // a lost requirement drops the state
          always: { target: INACTIVE, guard: 'lostPeers' },
        },
      },
    },
  },
})
