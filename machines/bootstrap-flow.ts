// Bootstrap flow `ps-<n>-disc-bf-<topic>`: one child machine per topic bootstrap, spawned by the
// discovery machine. Loop: check readiness → bootstrapped (told to the parent), else discover → wait
// for the discovery machine's TopicDiscovered for this topic → short delay → check again.
import { enqueueActions, fromPromise, setup } from 'xstate'
import type { BoolEvents, ExceptionEvent, MultiEvent } from './events.js'
import { defineStruct } from './struct.js'

export const BOOTSTRAP_FLOW_TYPE = 'bootstrap-flow'

export const BOOTSTRAP_GROUP = ['BootstrapChecking', 'DiscoveringTopic', 'BootstrapDelay', 'TopicBootstrapped'] as const

export const bootstrapFlowStruct = defineStruct({
  type: BOOTSTRAP_FLOW_TYPE,
  states: {
    Start: { add: ['BootstrapChecking'] },
    BootstrapChecking: { require: ['Start'] },
    DiscoveringTopic: { require: ['Start'] },
    BootstrapDelay: { require: ['Start'] },
    TopicBootstrapped: { require: ['Start'] },
  },
  groups: { Bootstrap: BOOTSTRAP_GROUP },
  flags: ['Start'],
})

export type BootstrapFlowEvent =
  | BoolEvents<'Start' | (typeof BOOTSTRAP_GROUP)[number]>
  | ExceptionEvent
  | { type: 'remove.Exception' }

export interface BootstrapFlowInput {
  topic: string
}

export interface BootstrapFlowContext {
  topic: string
  flags: number
  /** completed check → discover → delay rounds */
  rounds: number
  error?: string
}

/** The flow's word to its parent, the discovery machine. */
export type FlowBootstrappedEvent = MultiEvent<'TopicBootstrapped', { topic: string; peers?: number }>

// the phases after a check follow from the flow's own work; from outside only a check can be asked for
const byTheFlow = { can: 'byTheFlow' }
const topicInput = ({ context }: { context: BootstrapFlowContext }) => ({ topic: context.topic })

export const bootstrapFlowMachine = setup({
  types: {
    context: {} as BootstrapFlowContext,
    events: {} as BootstrapFlowEvent,
    input: {} as BootstrapFlowInput,
  },
  actors: {
    /** resolves true when the topic has enough peers */
    checkReady: fromPromise<boolean, { topic: string }>(async () => false),
    /** asks the discovery machine to discover the topic; resolves on its TopicDiscovered */
    discoverTopic: fromPromise<void, { topic: string }>(async () => {}),
  },
  delays: {
    bootstrapDelay: 500,
  },
  guards: { ...bootstrapFlowStruct.guards, byTheFlow: () => false },
  actions: {
    ...bootstrapFlowStruct.actions,
    /** tells the parent (the discovery machine) the topic is bootstrapped (src adds the peer count) */
    bootstrapped: enqueueActions(({ enqueue, context, self }) => {
      // a flow run on its own (tests) has no discovery to tell
      if (!self._parent) return
      enqueue.sendParent({ type: 'TopicBootstrapped', args: { topic: context.topic } } satisfies FlowBootstrappedEvent)
    }),
  },
}).createMachine({
  id: BOOTSTRAP_FLOW_TYPE,
  context: ({ input }) => ({ topic: input.topic, flags: 0, rounds: 0 }),
  ...bootstrapFlowStruct.config({
    states: {
      BootstrapChecking: {
        active: {
          invoke: {
            id: 'checkReady',
            src: 'checkReady',
            input: topicInput,
            onDone: [
              { guard: ({ event }: { event: { output: boolean } }) => event.output, target: 'TopicBootstrapped' },
              { target: 'DiscoveringTopic' },
            ],
            onError: { target: 'BootstrapDelay' },
          },
        },
      },
      DiscoveringTopic: {
        ...byTheFlow,
        active: {
          invoke: {
            id: 'discoverTopic',
            src: 'discoverTopic',
            input: topicInput,
            onDone: { target: 'BootstrapDelay' },
            onError: { target: 'BootstrapDelay' },
          },
        },
      },
      BootstrapDelay: { ...byTheFlow, active: { after: { bootstrapDelay: { target: 'BootstrapChecking' } } } },
      TopicBootstrapped: { ...byTheFlow, active: { entry: 'bootstrapped' } },
    },
  }),
})
