// The simulator's choices: for a random action, the peers and topics it would act on, or null when
// it cannot apply (then the action is refused). Candidates are listed in a fixed order and drawn from
// the seeded rng, so the same seed and the same network make the same choice.
import type { SimRandomAction } from '../../machines/simulator.js'
import type { SimConfig } from '../config/sim.js'
import type { Rng } from '../rng.js'
import type { World } from './world.js'

export type ActionArgs = Record<string, string | number>

const TOPIC_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789'

export function decide(action: SimRandomAction, world: World, rng: Rng, config: SimConfig): ActionArgs | null {
  const limits = config.limits
  const ready = world.readyPeers()
  switch (action) {
    case 'AddPeer':
      return world.peers.size < limits.maxPeers ? {} : null
    case 'RemovePeer': {
      // keep the initial size: the network shrinks back to it, never below
      if (world.peers.size <= Math.max(1, config.initial.peers)) return null
      const p = rng.pick(ready)
      return p ? { peer: p.n } : null
    }
    case 'AddTopic': {
      if (world.topics.size >= limits.maxTopics || ready.length === 0) return null
      let suffix = ''
      for (let i = 0; i < 5; i++) suffix += TOPIC_CHARS[rng.int(TOPIC_CHARS.length)]
      return { topic: world.topicName(suffix) }
    }
    case 'RemoveTopic': {
      const topics = world.topicList()
      if (topics.length <= 1) return null
      const t = rng.pick(topics)
      return t ? { topic: t.name } : null
    }
    case 'PeakRandTopic': {
      const topics = world
        .topicList()
        .filter((t) => t.peers.size < limits.maxPeersPerTopic && ready.some((p) => canJoin(p, t.name, config)))
      const t = rng.pick(topics)
      return t ? { topic: t.name } : null
    }
    case 'AddRandomFriend': {
      const open = ready.filter((p) => p.friends.size < limits.maxFriendsPerPeer)
      const a = rng.pick(open)
      if (!a) return null
      const b = rng.pick(open.filter((p) => p.n !== a.n && !a.friends.has(p.n)))
      return b ? { peer: a.n, friend: b.n } : null
    }
    case 'GC':
      return {}
    case 'JoinRandomTopic': {
      const peers = ready.filter((p) => world.topicList().some((t) => canJoinTopic(p, t, config)))
      const p = rng.pick(peers)
      if (!p) return null
      const t = rng.pick(world.topicList().filter((t) => canJoinTopic(p, t, config)))
      return t ? { peer: p.n, topic: t.name } : null
    }
    case 'JoinFriendsTopic': {
      const options: Array<{ peer: number; friend: number; topic: string }> = []
      for (const p of ready) {
        for (const f of [...p.friends].sort((a, b) => a - b)) {
          const friend = world.peers.get(f)
          if (!friend) continue
          for (const name of [...friend.topics].sort()) {
            const t = world.topics.get(name)
            if (t && canJoinTopic(p, t, config)) options.push({ peer: p.n, friend: f, topic: name })
          }
        }
      }
      const o = rng.pick(options)
      return o ?? null
    }
    case 'MsgRandomTopic': {
      const topics = world.topicList().filter((t) => world.readyMembers(t).length >= 2)
      const t = rng.pick(topics)
      if (!t) return null
      const p = rng.pick(world.readyMembers(t))
      return p ? { peer: p.n, topic: t.name } : null
    }
  }
}

function canJoin(p: { topics: Set<string>; busy: Set<string> }, topic: string, config: SimConfig): boolean {
  return !p.topics.has(topic) && !p.busy.has(topic) && p.topics.size + p.busy.size < config.limits.maxTopicsPerPeer
}

function canJoinTopic(
  p: { topics: Set<string>; busy: Set<string> },
  t: { name: string; peers: Set<number> },
  config: SimConfig,
): boolean {
  return canJoin(p, t.name, config) && t.peers.size < config.limits.maxPeersPerTopic
}
