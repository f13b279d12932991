// Small networks of real hosts for the pubsub tests, built with either pubsub implementation.
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { createHost, type Host, type PubsubFactory } from '../../src/net/host.js'
import { machinePubsub } from '../../src/pubsub/machine.js'
import { vanillaPubsub } from '../../src/pubsub/vanilla.js'
import type { Recorder } from '../../src/telemetry/recorder.js'

export const IMPLS: Array<{ name: string; factory: PubsubFactory }> = [
  { name: 'vanilla', factory: vanillaPubsub },
  { name: 'machine', factory: (init) => machinePubsub(init) },
  // every event through the xstate step, as when recording
  { name: 'machine, full step', factory: (init) => machinePubsub({ ...init, fastPath: false }) },
]

export function recordedFactory(recorder: Recorder, ids: string[]): PubsubFactory {
  let n = 0
  return (init) => {
    const id = `ps-${n++}`
    ids.push(id)
    return machinePubsub({ ...init, id, recorder })
  }
}

export async function createHosts(n: number, pubsub: PubsubFactory): Promise<Host[]> {
  const hosts: Host[] = []
  for (let i = 0; i < n; i++) hosts.push(await createHost({ pubsub, heartbeatMs: 100 }))
  return hosts
}

export async function stopAll(hosts: Host[]): Promise<void> {
  await Promise.all(hosts.map((h) => h.stop()))
}

/** Resolves once `host` sees `peer` subscribed to `topic` (event-driven). */
export function subscribedBy(host: Host, peer: Host, topic: string): Promise<void> {
  const ps = host.services.pubsub
  const seen = () => ps.getSubscribers(topic).some((p) => p.equals(peer.peerId))
  if (seen()) return Promise.resolve()
  return new Promise((resolve) => {
    const on = () => {
      if (!seen()) return
      ps.removeEventListener('subscription-change', on)
      resolve()
    }
    ps.addEventListener('subscription-change', on)
  })
}

/** Resolves with the data of the next message on `topic` at `host`. */
export function nextMessage(host: Host, topic: string): Promise<string> {
  return new Promise((resolve) => {
    const on = (e: CustomEvent<{ topic: string; data: Uint8Array }>) => {
      if (e.detail.topic !== topic) return
      host.services.pubsub.removeEventListener('message', on)
      resolve(new TextDecoder().decode(e.detail.data))
    }
    host.services.pubsub.addEventListener('message', on)
  })
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

export { TopicValidatorResult }
