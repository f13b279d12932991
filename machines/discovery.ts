// Discovery `ps-<n>-disc`: advertises joined topics, refreshes on its pool timer, and starts
// discovery for topics that lack peers. Topic work is Multi; each bootstrap runs as a child
// bootstrap-flow machine owned by src/discovery.
import { and, assign, fromPromise, raise, setup, stateIn } from 'xstate'
import type { BoolEvents, ExceptionEvent, MultiEvent } from './events.js'
import { stub } from './events.js'
import { ACTIVE, boolMeta, INACTIVE, rootMeta } from './schema.js'

export const DISCOVERY_TYPE = 'discovery'

export const DISCOVERY_MULTI = [
  'DiscoveringTopic',
  'TopicDiscovered',
  'BootstrappingTopic',
  'TopicBootstrapped',
  'AdvertisingTopic',
  'StopAdvertisingTopic',
] as const

export type DiscoveryMulti = (typeof DISCOVERY_MULTI)[number]

export type DiscoveryEvent =
  | BoolEvents<'Start' | 'PoolTimer' | 'RefreshingDiscoveries' | 'DiscoveriesRefreshed'>
  | MultiEvent<DiscoveryMulti, { topic: string; [k: string]: unknown }>
  | ExceptionEvent
  | { type: 'remove.Exception' }

export interface DiscoveryContext {
  flags: number
}

const EXCEPTION = 1
const started = stateIn({ Start: ACTIVE })

export const discoveryMachine = setup({
  types: { context: {} as DiscoveryContext, events: {} as DiscoveryEvent },
  actors: {
    /** starts discovery for every joined topic that lacks peers */
    refreshDiscoveries: fromPromise<void>(async () => {}),
  },
  delays: {
    poolInterval: 5000,
  },
  guards: {
    /** negotiation: leaving a topic whose discovery or bootstrap is in progress is refused */
    canStopAdvertising: () => true,
  },
  actions: {
    setFlag: assign(({ context }, params: { bit: number }) => ({ flags: context.flags | params.bit })),
    clearFlag: assign(({ context }, params: { bit: number }) => ({ flags: context.flags & ~params.bit })),
    DiscoveringTopic: stub,
    TopicDiscovered: stub,
    BootstrappingTopic: stub,
    TopicBootstrapped: stub,
    AdvertisingTopic: stub,
    StopAdvertisingTopic: stub,
    Exception: stub,
  },
}).createMachine({
  id: DISCOVERY_TYPE,
  type: 'parallel',
  context: { flags: 0 },
  meta: rootMeta({
    type: DISCOVERY_TYPE,
    order: ['Start', 'PoolTimer', 'RefreshingDiscoveries', 'DiscoveriesRefreshed', ...DISCOVERY_MULTI, 'Exception'],
    flags: { Exception: {} },
    multi: Object.fromEntries(DISCOVERY_MULTI.map((m) => [m, {}])),
  }),
  on: {
    DiscoveringTopic: { actions: 'DiscoveringTopic' },
    TopicDiscovered: { actions: 'TopicDiscovered' },
    BootstrappingTopic: { actions: 'BootstrappingTopic' },
    TopicBootstrapped: { actions: 'TopicBootstrapped' },
    AdvertisingTopic: { actions: 'AdvertisingTopic' },
    StopAdvertisingTopic: { guard: 'canStopAdvertising', actions: 'StopAdvertisingTopic' },
    Exception: { actions: [{ type: 'setFlag', params: { bit: EXCEPTION } }, 'Exception'] },
    'remove.Exception': { actions: { type: 'clearFlag', params: { bit: EXCEPTION } } },
  },
  states: {
    Start: {
      meta: boolMeta({ add: ['PoolTimer'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.Start': ACTIVE } },
        [ACTIVE]: { on: { 'remove.Start': INACTIVE } },
      },
    },
    PoolTimer: {
      meta: boolMeta(),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.PoolTimer': ACTIVE, 'add.Start': ACTIVE } },
        [ACTIVE]: {
          on: { 'remove.PoolTimer': INACTIVE },
          after: {
            poolInterval: { target: ACTIVE, reenter: true, actions: raise({ type: 'add.RefreshingDiscoveries' }) },
          },
        },
      },
    },
    RefreshingDiscoveries: {
      meta: boolMeta({ require: ['Start'], remove: ['DiscoveriesRefreshed'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.RefreshingDiscoveries': { target: ACTIVE, guard: started } } },
        [ACTIVE]: {
          on: { 'remove.RefreshingDiscoveries': INACTIVE },
          invoke: {
            id: 'refreshDiscoveries',
            src: 'refreshDiscoveries',
            onDone: { target: INACTIVE, actions: raise({ type: 'add.DiscoveriesRefreshed' }) },
            onError: {
              target: INACTIVE,
              actions: raise(({ event }) => ({ type: 'Exception' as const, args: { error: String(event.error) } })),
            },
          },
        },
      },
    },
    DiscoveriesRefreshed: {
      meta: boolMeta({ require: ['Start'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.DiscoveriesRefreshed': { target: ACTIVE, guard: started } } },
        [ACTIVE]: {
          on: {
            'remove.DiscoveriesRefreshed': INACTIVE,
            'add.RefreshingDiscoveries': { target: INACTIVE, guard: and([started]) },
          },
        },
      },
    },
  },
})
