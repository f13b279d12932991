// One topic bootstrap: the bootstrap-flow actor `ps-<n>-disc-bf-<topic>` with its work bound.
// Check readiness → discover (through the discovery machine) → delay → check, until the topic has
// the wanted number of peers. A change in the topic's peers ends the delay early (event-driven).
import { type Actor, createActor, fromPromise } from 'xstate'
import { bootstrapFlowMachine } from '../../machines/bootstrap-flow.js'
import type { Recorder } from '../telemetry/recorder.js'
import { SendQueue } from './send-queue.js'

export type BootstrapFlowActor = Actor<typeof bootstrapFlowMachine>
export type BootstrapPhase = 'none' | 'BootstrapChecking' | 'DiscoveringTopic' | 'BootstrapDelay' | 'TopicBootstrapped'

export interface BootstrapFlowWork {
  /** topic peers now */
  peers(): number
  /** topic peers wanted */
  minPeers(): number
  /** asks the discovery machine to discover the topic; resolves on its TopicDiscovered */
  discover(): Promise<void>
  /** the flow reached TopicBootstrapped */
  bootstrapped(peers: number): void
  delayMs: number
}

export class BootstrapFlow {
  readonly actor: BootstrapFlowActor
  readonly queue: SendQueue<{ type: 'add.Start' | 'add.BootstrapChecking' | 'remove.Start' }>
  /** transitions of this flow */
  transitions = 0
  private stopped = false

  constructor(
    readonly id: string,
    readonly topic: string,
    work: BootstrapFlowWork,
    private readonly recording: { recorder: Recorder | undefined; parent: string },
  ) {
    const machine = bootstrapFlowMachine.provide({
      actors: {
        checkReady: fromPromise<boolean, { topic: string }>(async () => work.peers() >= work.minPeers()),
        discoverTopic: fromPromise<void, { topic: string }>(() => work.discover()),
      },
      // already ready when the delay starts: check at once
      delays: { bootstrapDelay: () => (work.peers() >= work.minPeers() ? 0 : work.delayMs) },
      actions: { bootstrapped: () => work.bootstrapped(work.peers()) },
    })
    const rec = recording.recorder
    this.actor = createActor(machine, {
      input: { topic },
      ...(rec ? rec.actorOptions(id, recording.parent) : { id }),
    })
    this.actor.subscribe({ next: () => this.transitions++, error: () => {} })
    this.queue = new SendQueue(() => this.actor)
    this.actor.start()
    this.queue.send({ type: 'add.Start' })
  }

  phase(): BootstrapPhase {
    const v = this.actor.getSnapshot().value as { Bootstrap?: BootstrapPhase }
    return v.Bootstrap ?? 'none'
  }

  /** Checks readiness again if the flow is waiting (its delay) or done (peers may have changed). */
  recheck(): void {
    if (this.stopped) return
    const p = this.phase()
    if (p === 'BootstrapDelay' || p === 'TopicBootstrapped') this.queue.send({ type: 'add.BootstrapChecking' })
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.actor.stop()
    this.recording.recorder?.detach(this.id)
  }
}
