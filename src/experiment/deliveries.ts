// What a pubsub run observed, in one shape for every kind of run that reports on deliveries:
// `psm experiment run FILE`, `psm experiment run --interop DIR`, and anything else that wants
// report.md/results.json. Producers fill it as the run goes; the report reads only this.
// Times are milliseconds since the run's start, on the run's clock (simulated time on a virtual clock).

export interface NodeInfo {
  /** index in the run: 0..n-1 (interop's node id) */
  index: number
  /** psm name of the node's host machine, `ps-<index>` */
  name: string
  /** libp2p peer id (base58) */
  peerId: string
  /** experiment group (`publishers`, `sybils`, ...); interop runs use `nodes` */
  group: string
  role: 'publisher' | 'lurker' | 'attacker' | 'node'
  /** network-model region or class, when the model has one */
  region?: string
}

export interface Publish {
  msgId: string
  topic: string
  node: number
  timeMs: number
  bytes: number
}

export interface Receive {
  msgId: string
  topic: string
  node: number
  timeMs: number
  /** index of the node it came from, when known */
  from?: number
  /** false for the first receipt at this node, true for every later copy */
  duplicate: boolean
}

export interface Deliveries {
  nodes: NodeInfo[]
  publishes: Publish[]
  receives: Receive[]
  /** which nodes subscribe to which topic: a message is expected at every subscriber but its publisher */
  subscribers: Record<string, number[]>
}
