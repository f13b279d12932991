// The simulator's model of its network: peers, topics, friendships and messages in flight.
// Plain data: the runtime changes it, decisions and the status block read it.

export interface PeerModel {
  n: number
  /** machine id, `sim-p<n>` */
  id: string
  /** libp2p peer id, once the identity exists */
  peerId?: string
  ready: boolean
  removing: boolean
  /** topics joined (join completed) */
  topics: Set<string>
  /** topics being joined or left */
  busy: Set<string>
  friends: Set<number>
  /** received message ids (bounded by limits.maxMsgsPerPeer, trimmed by GC) */
  received: Map<string, number>
}

export interface TopicModel {
  name: string
  /** machine id, `sim-t-<name>` */
  id: string
  peers: Set<number>
  /** publish times in ms, newest last */
  msgTimes: number[]
}

export interface SentMessage {
  id: string
  topic: string
  from: number
  sentAt: number
  /** peers that were in the topic and ready at send time */
  expected: Set<number>
  received: Set<number>
  /** when VerifyMsgsRecv may look at it */
  verifyAt: number
}

export interface Counters {
  msgsSent: number
  msgsRecv: number
  msgsMiss: number
  peersAdded: number
  peersRemoved: number
  topicsAdded: number
  topicsRemoved: number
  joins: number
  leaves: number
  friendships: number
  joinTimeouts: number
  /** publishes gossipsub refused (e.g. no topic peer left) */
  publishFailed: number
  /** messages still in flight at the stop: neither received by all nor timed out */
  unverified: number
  /** connections GC closed between peers that share no topic, friendship or bootstrap link */
  connectionsPruned: number
}

export class World {
  readonly peers = new Map<number, PeerModel>()
  readonly topics = new Map<string, TopicModel>()
  readonly pending = new Map<string, SentMessage>()
  readonly counters: Counters = {
    msgsSent: 0,
    msgsRecv: 0,
    msgsMiss: 0,
    peersAdded: 0,
    peersRemoved: 0,
    topicsAdded: 0,
    topicsRemoved: 0,
    joins: 0,
    leaves: 0,
    friendships: 0,
    joinTimeouts: 0,
    unverified: 0,
    connectionsPruned: 0,
    publishFailed: 0,
  }
  private nextPeer = 0
  private topicSeq = 0

  /** The number the next peer will have. */
  nextPeerNumber(): number {
    return this.nextPeer
  }

  newPeer(): PeerModel {
    const n = this.nextPeer++
    const p: PeerModel = {
      n,
      id: `sim-p${n}`,
      ready: false,
      removing: false,
      topics: new Set(),
      busy: new Set(),
      friends: new Set(),
      received: new Map(),
    }
    this.peers.set(n, p)
    return p
  }

  /** Next topic name: short, readable, unique (`t<seq>-<suffix>`). */
  topicName(suffix: string): string {
    this.topicSeq++
    return `t${this.topicSeq}-${suffix}`
  }

  addTopic(name: string): TopicModel {
    const t: TopicModel = { name, id: `sim-t-${name}`, peers: new Set(), msgTimes: [] }
    this.topics.set(name, t)
    return t
  }

  /** Peers that can act: ready and not being removed, in id order. */
  readyPeers(): PeerModel[] {
    return [...this.peers.values()].filter((p) => p.ready && !p.removing).sort((a, b) => a.n - b.n)
  }

  /** Topics in name order. */
  topicList(): TopicModel[] {
    return [...this.topics.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** Ready members of a topic. */
  readyMembers(t: TopicModel): PeerModel[] {
    const out: PeerModel[] = []
    for (const n of [...t.peers].sort((a, b) => a - b)) {
      const p = this.peers.get(n)
      if (p?.ready && !p.removing && p.topics.has(t.name)) out.push(p)
    }
    return out
  }

  friendships(): number {
    let n = 0
    for (const p of this.peers.values()) n += p.friends.size
    return n / 2
  }

  /** Messages published within `windowMs` before `now`. */
  msgsInWindow(t: TopicModel, now: number, windowMs: number): number {
    const from = now - windowMs
    while (t.msgTimes.length > 0 && t.msgTimes[0]! < from) t.msgTimes.shift()
    return t.msgTimes.length
  }
}
