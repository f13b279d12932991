// Bootstrap flow `ps-<n>-disc-bf-<topic>`: one child machine per topic bootstrap.
// Loop: check readiness → bootstrapped, else discover → wait for the discovery machine's
// TopicDiscovered for this topic → short delay → check again.
import { assign, fromPromise, setup } from 'xstate'
import type { BoolEvents, ExceptionEvent } from './events.js'
import { stub } from './events.js'
import { ACTIVE, boolMeta, groupMeta, INACTIVE, NONE, rootMeta } from './schema.js'

export const BOOTSTRAP_FLOW_TYPE = 'bootstrap-flow'

export const BOOTSTRAP_GROUP = ['BootstrapChecking', 'DiscoveringTopic', 'BootstrapDelay', 'TopicBootstrapped'] as const

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
  actions: {
    setFlag: assign(({ context }, params: { bit: number }) => ({ flags: context.flags | params.bit })),
    clearFlag: assign(({ context }, params: { bit: number }) => ({ flags: context.flags & ~params.bit })),
    /** tell the owner the topic is bootstrapped */
    bootstrapped: stub,
    Exception: stub,
  },
}).createMachine({
  id: BOOTSTRAP_FLOW_TYPE,
  type: 'parallel',
  context: ({ input }) => ({ topic: input.topic, flags: 0, rounds: 0 }),
  meta: rootMeta({
    type: BOOTSTRAP_FLOW_TYPE,
    order: ['Start', ...BOOTSTRAP_GROUP, 'Exception'],
    flags: { Exception: {} },
  }),
  on: {
    Exception: { actions: [{ type: 'setFlag', params: { bit: 1 } }, 'Exception'] },
    'remove.Exception': { actions: { type: 'clearFlag', params: { bit: 1 } } },
  },
  states: {
    Start: {
      meta: boolMeta({ add: ['BootstrapChecking'] }),
      initial: INACTIVE,
      states: {
        [INACTIVE]: { on: { 'add.Start': ACTIVE } },
        [ACTIVE]: { on: { 'remove.Start': INACTIVE } },
      },
    },
    Bootstrap: {
      meta: groupMeta({
        BootstrapChecking: {},
        DiscoveringTopic: {},
        BootstrapDelay: {},
        TopicBootstrapped: {},
      }),
      initial: NONE,
      on: {
        'remove.Start': '.none',
      },
      states: {
        [NONE]: { on: { 'add.Start': 'BootstrapChecking' } },
        BootstrapChecking: {
          invoke: {
            id: 'checkReady',
            src: 'checkReady',
            input: ({ context }) => ({ topic: context.topic }),
            onDone: [
              { guard: ({ event }) => event.output, target: 'TopicBootstrapped' },
              { target: 'DiscoveringTopic' },
            ],
            onError: { target: 'BootstrapDelay' },
          },
        },
        DiscoveringTopic: {
          invoke: {
            id: 'discoverTopic',
            src: 'discoverTopic',
            input: ({ context }) => ({ topic: context.topic }),
            onDone: { target: 'BootstrapDelay' },
            onError: { target: 'BootstrapDelay' },
          },
        },
        BootstrapDelay: {
          after: { bootstrapDelay: { target: 'BootstrapChecking' } },
          // a change in the topic's peers checks again without waiting for the delay
          on: { 'add.BootstrapChecking': 'BootstrapChecking' },
        },
        TopicBootstrapped: {
          entry: 'bootstrapped',
          on: { 'add.BootstrapChecking': 'BootstrapChecking' },
        },
      },
    },
  },
})
