// Discovery `ps-<n>-disc`: advertises joined topics, refreshes on its pool timer, and starts
// discovery for topics that lack peers. Topic work is Multi; each bootstrap runs as a child
// bootstrap-flow machine `<id>-bf-<topic>` that BootstrappingTopic spawns and that reports
// TopicBootstrapped back to it.
import { enqueueActions, fromPromise, raise, setup } from 'xstate'
import { type BOOTSTRAP_GROUP, bootstrapFlowMachine } from './bootstrap-flow.js'
import type { Args, BoolEvents, ExceptionEvent, MultiEvent } from './events.js'
import { stub } from './events.js'
import { flowId } from './ids.js'
import { ACTIVE, INACTIVE } from './schema.js'
import { childFailures, defineStruct, each } from './struct.js'

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
  flags: ['Start'],
})

export type DiscoveryEvent =
  | BoolEvents<'Start' | 'PoolTimer' | 'RefreshingDiscoveries' | 'DiscoveriesRefreshed'>
  | MultiEvent<DiscoveryMulti, { topic: string; [k: string]: unknown }>
  | ExceptionEvent
  | { type: 'remove.Exception' }

export interface DiscoveryContext {
  flags: number
}

type BootstrapPhase = (typeof BOOTSTRAP_GROUP)[number]
/** a flow waiting (its delay) or done takes a new check; one checking or discovering is left alone */
const RECHECKABLE: ReadonlySet<string> = new Set<BootstrapPhase>(['BootstrapDelay', 'TopicBootstrapped'])

function topicOf(event: unknown): string {
  return String((event as { args?: Args }).args?.topic)
}

export const discoveryMachine = setup({
  types: { context: {} as DiscoveryContext, events: {} as DiscoveryEvent },
  actors: {
    /** one topic's bootstrap (src binds its readiness check and its discovery) */
    bootstrapFlow: bootstrapFlowMachine,
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
  actions: {
    ...discoveryStruct.actions,
    /** leaving the topic (src binds it); the machine then stops the topic's flow */
    forgetTopic: stub,
    StopAdvertisingTopic: enqueueActions(({ enqueue, event, self }) => {
      enqueue('forgetTopic')
      const id = flowId(self.id, topicOf(event))
      if (self.getSnapshot().children[id] !== undefined) enqueue.stopChild(id)
    }),
    /** the topic's flow: spawned and started when there is none (or it was stopped), else asked to check again */
    BootstrappingTopic: enqueueActions(({ enqueue, event, self }) => {
      const topic = topicOf(event)
      const id = flowId(self.id, topic)
      const flow = self.getSnapshot().children[id]
      if (flow === undefined || flow.getSnapshot().status !== 'active') {
        enqueue.spawnChild('bootstrapFlow', { id, input: { topic } })
        enqueue.sendTo(id, { type: 'add.Start' })
        return
      }
      const phase = (flow.getSnapshot() as { value?: { Bootstrap?: string } }).value?.Bootstrap
      if (phase !== undefined && RECHECKABLE.has(phase)) enqueue.sendTo(flow, { type: 'add.BootstrapChecking' })
    }),
  },
}).createMachine({
  id: DISCOVERY_TYPE,
  context: { flags: 0 },
  ...discoveryStruct.config({
    // a flow that fails is the discovery's Exception (refreshDiscoveries is invoked: its state handles it)
    on: childFailures((id) => id !== 'refreshDiscoveries'),
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
