// The work of a topic bootstrap: the bootstrap-flow machine `ps-<n>-disc-bf-<topic>` bound to one
// discovery (its readiness check, its discovery round, its delay). The discovery machine spawns one flow
// per topic from this logic; a flow tells it TopicBootstrapped by `sendParent`.
import { type AnyActorRef, fromPromise, sendParent } from 'xstate'
import { bootstrapFlowMachine } from '../../machines/bootstrap-flow.js'

export type BootstrapPhase = 'none' | 'BootstrapChecking' | 'DiscoveringTopic' | 'BootstrapDelay' | 'TopicBootstrapped'

export interface BootstrapFlowWork {
  /** topic peers now */
  peers(topic: string): number
  /** topic peers wanted */
  minPeers(topic: string): number
  /** asks the discovery machine to discover the topic; resolves on its TopicDiscovered */
  discover(topic: string): Promise<void>
  delayMs: number
}

/** The flow machine with one discovery's work bound (every topic's flow runs this logic). */
export function bootstrapFlowLogic(work: BootstrapFlowWork) {
  const ready = (topic: string) => work.peers(topic) >= work.minPeers(topic)
  return bootstrapFlowMachine.provide({
    actors: {
      checkReady: fromPromise<boolean, { topic: string }>(async ({ input }) => ready(input.topic)),
      discoverTopic: fromPromise<void, { topic: string }>(({ input }) => work.discover(input.topic)),
    },
    // already ready when the delay starts: check at once
    delays: { bootstrapDelay: ({ context }) => (ready(context.topic) ? 0 : work.delayMs) },
    actions: {
      // the machine's own word to its parent, with the peer count the log shows
      bootstrapped: sendParent(({ context }) => ({
        type: 'TopicBootstrapped',
        args: { topic: context.topic, peers: work.peers(context.topic) },
      })),
    },
  })
}

/** Where a flow is: its phase, `none` when it has none or has stopped. */
export function flowPhase(flow: AnyActorRef | undefined): BootstrapPhase {
  const snap = flow?.getSnapshot() as { status: string; value: { Bootstrap?: BootstrapPhase } } | undefined
  if (snap?.status !== 'active') return 'none'
  return snap.value.Bootstrap ?? 'none'
}
