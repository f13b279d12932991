// Test helper: drives real psm machines (fake work bound with .provide) under one Recorder, in the tree a sim
// has: sim → sim-p0 → ps-0 → ps-0-disc → ps-0-disc-bf-t1. What each machine does is listed in TREE_STEPS.
import { createActor, fromPromise, waitFor } from 'xstate'
import { bootstrapFlowMachine } from '../../../machines/bootstrap-flow.js'
import { discoveryMachine } from '../../../machines/discovery.js'
import { pubsubHostMachine } from '../../../machines/pubsub-host.js'
import { simPeerMachine } from '../../../machines/sim-peer.js'
import { simulatorMachine } from '../../../machines/simulator.js'
import { Recorder } from '../../../src/telemetry/recorder.js'

export const TREE = [
  { id: 'sim', parent: null },
  { id: 'sim-p0', parent: 'sim' },
  { id: 'ps-0', parent: 'sim-p0' },
  { id: 'ps-0-disc', parent: 'ps-0' },
  { id: 'ps-0-disc-bf-t1', parent: 'ps-0-disc' },
] as const

const done = fromPromise<void, { peer: string }>(async () => {})
const readyNow = fromPromise<boolean, { topic: string }>(async () => true)

/** Runs the tree to completion and closes the recorder (which records a stop for every machine). */
export async function runTree(attach: (r: Recorder) => void): Promise<Recorder> {
  const rec = new Recorder({ source: 'otel test' })
  attach(rec)
  const sim = createActor(simulatorMachine, rec.actorOptions('sim', null)).start()
  // refused: the simulator is not started
  sim.send({ type: 'add.AddPeer' })

  const peer = createActor(simPeerMachine.provide({ actors: { genIdentity: done, connect: done } }), {
    input: { peer: 'p0' },
    ...rec.actorOptions('sim-p0', 'sim'),
  }).start()
  peer.send({ type: 'add.Start' })
  await waitFor(peer, (s) => s.matches({ Ready: 'active' }))
  peer.send({ type: 'JoiningTopic', args: { topic: 't1' } })

  const host = createActor(pubsubHostMachine, rec.actorOptions('ps-0', 'sim-p0')).start()
  host.send({ type: 'add.PeersPending', args: { peer: 'QmPeer1' } })
  host.send({ type: 'PublishMessage', args: { topic: 't1', msgId: 'm1', bytes: 3 } })
  host.send({ type: 'remove.PeersPending' })

  const disc = createActor(discoveryMachine, rec.actorOptions('ps-0-disc', 'ps-0')).start()
  disc.send({ type: 'add.Start' })
  disc.send({ type: 'DiscoveringTopic', args: { topic: 't1' } })

  const flow = createActor(bootstrapFlowMachine.provide({ actors: { checkReady: readyNow } }), {
    input: { topic: 't1' },
    ...rec.actorOptions('ps-0-disc-bf-t1', 'ps-0-disc'),
  }).start()
  flow.send({ type: 'add.Start' })
  await waitFor(flow, (s) => s.matches({ Bootstrap: 'TopicBootstrapped' }))

  for (const a of [flow, disc, host, peer, sim]) a.stop()
  await rec.close()
  return rec
}
