// Discovery `ps-<n>-disc`: advertises joined topics, refreshes on its pool timer, and starts
// discovery for topics that lack peers. Topic work is Multi; each bootstrap runs as a child
// bootstrap-flow machine owned by src/discovery.
import { fromPromise, raise, setup } from 'xstate'
import type { BoolEvents, ExceptionEvent, MultiEvent } from './events.js'
import { ACTIVE, INACTIVE } from './schema.js'
import { defineStruct, each } from './struct.js'

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

export const discoveryStruct = defineStruct({
  type: DISCOVERY_TYPE,
  states: {
    Start: { add: ['PoolTimer'] },
    PoolTimer: {},
    RefreshingDiscoveries: { require: ['Start'], remove: ['DiscoveriesRefreshed'] },
    DiscoveriesRefreshed: { require: ['Start'] },
    ...each(DISCOVERY_MULTI, () => ({ multi: true })),
  },
})

export type DiscoveryEvent =
  | BoolEvents<'Start' | 'PoolTimer' | 'RefreshingDiscoveries' | 'DiscoveriesRefreshed'>
  | MultiEvent<DiscoveryMulti, { topic: string; [k: string]: unknown }>
  | ExceptionEvent
  | { type: 'remove.Exception' }

export interface DiscoveryContext {
  flags: number
}

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
    ...discoveryStruct.guards,
    /** negotiation: leaving a topic whose discovery or bootstrap is in progress is refused */
    canStopAdvertising: () => true,
  },
  actions: discoveryStruct.actions,
}).createMachine({
  id: DISCOVERY_TYPE,
  context: { flags: 0 },
  ...discoveryStruct.config({
    states: {
      PoolTimer: {
        active: {
          after: {
            poolInterval: { target: ACTIVE, reenter: true, actions: raise({ type: 'add.RefreshingDiscoveries' }) },
          },
        },
      },
      RefreshingDiscoveries: {
        active: {
          invoke: {
            id: 'refreshDiscoveries',
            src: 'refreshDiscoveries',
            onDone: { target: INACTIVE, actions: raise({ type: 'add.DiscoveriesRefreshed' }) },
            onError: { target: INACTIVE, actions: 'raiseException' },
          },
        },
      },
      StopAdvertisingTopic: { can: 'canStopAdvertising' },
    },
  }),
})
