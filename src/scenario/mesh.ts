// Readiness with bounded degree: a host no longer knows every other subscriber, so "host 0 sees n-1
// topic peers" cannot happen. A message published anywhere reaches every host once the topic's
// gossipsub mesh is connected: gossipsub forwards a message to its mesh peers, which forward it to
// theirs. The scenario therefore waits until the mesh, taken as the graph of mutual mesh links (A has
// B in its mesh and B has A — a graft both sides accepted), connects every host. Deliveries are still
// verified to all hosts; this only decides when publishing starts.
import type { Host } from '../net/host.js'

/** The mesh of `topic` did not connect every host in time. */
export class MeshNotReadyError extends Error {
  override name = 'MeshNotReadyError'
  constructor(
    readonly topic: string,
    readonly reached: number,
    readonly hosts: number,
    readonly waitedMs: number,
  ) {
    super(`mesh of topic '${topic}' connects ${reached} of ${hosts} hosts after ${Math.round(waitedMs)} ms`)
  }
}

// getMeshPeers is a public method of gossipsub's class but not of the GossipSub interface
type MeshView = { getMeshPeers?(topic: string): string[] }

/** How many hosts the mutual mesh links of `topic` connect to host 0 (host 0 included). */
export function meshReach(hosts: readonly Host[], topic: string): number {
  if (hosts.length === 0) return 0
  const ids = hosts.map((h) => h.peerId.toString())
  const index = new Map(ids.map((id, i) => [id, i]))
  const mesh = hosts.map((h) => new Set((h.services.pubsub as MeshView).getMeshPeers?.(topic) ?? []))
  const seen = new Uint8Array(hosts.length)
  const stack = [0]
  seen[0] = 1
  let reached = 1
  for (let i = stack.pop(); i !== undefined; i = stack.pop()) {
    for (const peer of mesh[i]!) {
      const j = index.get(peer)
      if (j === undefined || seen[j] === 1 || !mesh[j]!.has(ids[i]!)) continue
      seen[j] = 1
      reached++
      stack.push(j)
    }
  }
  return reached
}

/** Resolves once the mesh of `topic` connects every host; rejects with MeshNotReadyError at `deadline`. */
export function waitForMesh(
  hosts: readonly Host[],
  topic: string,
  deadline: number,
  now: () => number,
  pollMs = 50,
): Promise<void> {
  const t0 = now()
  return new Promise((resolve, reject) => {
    const check = () => {
      const reached = meshReach(hosts, topic)
      if (reached === hosts.length) return resolve()
      if (now() >= deadline) return reject(new MeshNotReadyError(topic, reached, hosts.length, now() - t0))
      // a ref'd timer: the wait itself keeps the process alive
      setTimeout(check, pollMs)
    }
    check()
  })
}
