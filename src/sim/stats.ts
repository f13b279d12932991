// What the status block and the metrics show: a snapshot of the simulated network.
import type { SimConfig } from '../config/sim.js'
import type { SimPeer } from './peer.js'
import type { World } from './world.js'

export interface TopicStats {
  name: string
  peers: number
  msgsInWindow: number
  /** active topic-machine states, e.g. ['HasPeers', 'Active'] */
  states: string[]
}

export interface SimStats {
  timeMs: number
  peers: number
  readyPeers: number
  topics: number
  connections: number
  streams: number
  friendships: number
  peersWithTopics: number
  /** mean peers per topic */
  peersPerTopic: number
  msgsSent: number
  msgsRecv: number
  msgsMiss: number
  msgsPending: number
  counters: World['counters']
  perTopic: TopicStats[]
}

export function collectStats(
  world: World,
  peers: ReadonlyMap<number, SimPeer>,
  /** the active states of a topic's machine */
  topicStates: (name: string) => string[],
  now: number,
  config: SimConfig,
): SimStats {
  let connections = 0
  let streams = 0
  for (const p of peers.values()) {
    connections += p.connections()
    streams += p.streams()
  }
  const topics = world.topicList()
  const perTopic = topics.map((t) => {
    const states = topicStates(t.name)
    return { name: t.name, peers: t.peers.size, msgsInWindow: world.msgsInWindow(t, now, config.activeWindow), states }
  })
  const members = topics.reduce((n, t) => n + t.peers.size, 0)
  return {
    timeMs: now,
    peers: world.peers.size,
    readyPeers: world.readyPeers().length,
    topics: topics.length,
    // each connection is counted at both ends
    connections: connections / 2,
    streams,
    friendships: world.friendships(),
    peersWithTopics: [...world.peers.values()].filter((p) => p.topics.size > 0).length,
    peersPerTopic: topics.length ? members / topics.length : 0,
    msgsSent: world.counters.msgsSent,
    msgsRecv: world.counters.msgsRecv,
    msgsMiss: world.counters.msgsMiss,
    msgsPending: world.pending.size,
    counters: { ...world.counters },
    perTopic,
  }
}

/** The status block printed every printInterval. */
export function formatStatus(s: SimStats, elapsedMs: number, title = 'status', growth?: string): string {
  const secs = (elapsedMs / 1000).toFixed(0)
  const rows: Array<[string, string | number]> = [
    ['time', `${secs}s`],
    ['peers', `${s.peers} (${s.readyPeers} ready)`],
    ...(growth ? [['peer growth', growth] as [string, string]] : []),
    ['topics', s.topics],
    ['connections', s.connections],
    ['conns/peer', s.peers ? ((2 * s.connections) / s.peers).toFixed(1) : '0'],
    ['streams', s.streams],
    ['friendships', s.friendships],
    ['peers with topics', s.peersWithTopics],
    ['peers per topic', s.peersPerTopic.toFixed(1)],
    ['msgs sent', s.msgsSent],
    ['msgs received', s.msgsRecv],
    ['msgs missed', s.msgsMiss],
  ]
  const out = [`--- sim ${title} ---`]
  for (const [k, v] of rows) out.push(`${`${k}:`.padEnd(19)}${v}`)
  if (s.perTopic.length > 0) {
    out.push(`${'topic'.padEnd(18)}${'peers'.padStart(6)}${'msgs/win'.padStart(10)}  state`)
    for (const t of s.perTopic) {
      out.push(
        `${t.name.padEnd(18)}${String(t.peers).padStart(6)}${String(t.msgsInWindow).padStart(10)}  ${t.states.join(',')}`,
      )
    }
  }
  return `${out.join('\n')}\n`
}
