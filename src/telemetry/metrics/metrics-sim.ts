// The simulator's metrics (DESIGN.md, telemetry): what the network looks like now and how messages fare.
// The simulator updates them through this typed object and never touches prom-client itself.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** Point-in-time sizes of the simulated network. */
export interface SimGaugeValues {
  /** peers running */
  peers: number
  /** topics that exist */
  topics: number
  /** open libp2p connections, summed over peers */
  connections: number
  /** open streams, summed over peers */
  streams: number
  /** friendships (a friendship is counted once) */
  friends: number
  /** peers that joined at least one topic */
  peersWithTopics: number
}

export interface SimMetrics {
  /** sets the given gauges; the others keep their value */
  set(values: Partial<SimGaugeValues>): void
  /** peers subscribed to `topic` */
  peersPerTopic(topic: string, peers: number): void
  /** the topic is gone: its series leaves the exposition */
  topicRemoved(topic: string): void
  /** expected deliveries that arrived */
  msgsRecv(n?: number): void
  /** expected deliveries that did not arrive in time */
  msgsMiss(n?: number): void
  /** publish → receive, in seconds, one observation per delivery */
  deliveryLatency(seconds: number): void
}

/** Seconds; a healthy local sim delivers in milliseconds, a loaded one in seconds. */
export const DELIVERY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

const GAUGES: Record<keyof SimGaugeValues, [name: string, help: string]> = {
  peers: ['sim_peers', 'Simulated peers running'],
  topics: ['sim_topics', 'Simulated topics that exist'],
  connections: ['sim_connections', 'Open libp2p connections, summed over simulated peers'],
  streams: ['sim_streams', 'Open libp2p streams, summed over simulated peers'],
  friends: ['sim_friends', 'Friendships between simulated peers'],
  peersWithTopics: ['sim_peers_with_topics', 'Simulated peers that joined at least one topic'],
}

export function createSimMetrics(registry: Registry): SimMetrics {
  const gauges = {} as Record<keyof SimGaugeValues, Gauge>
  for (const [key, [name, help]] of Object.entries(GAUGES) as Array<[keyof SimGaugeValues, [string, string]]>) {
    gauges[key] = new Gauge({ name, help, registers: [registry] })
  }
  const perTopic = new Gauge({
    name: 'sim_peers_per_topic',
    help: 'Simulated peers subscribed to a topic',
    labelNames: ['topic'],
    registers: [registry],
  })
  const recv = new Counter({
    name: 'sim_msgs_recv_total',
    help: 'Expected message deliveries that arrived',
    registers: [registry],
  })
  const miss = new Counter({
    name: 'sim_msgs_miss_total',
    help: 'Expected message deliveries that did not arrive in time',
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'sim_delivery_latency_seconds',
    help: 'Time from publish to receive, per delivery',
    buckets: DELIVERY_BUCKETS,
    registers: [registry],
  })
  return {
    set(values) {
      for (const [key, v] of Object.entries(values) as Array<[keyof SimGaugeValues, number | undefined]>) {
        if (v !== undefined && gauges[key]) gauges[key].set(v)
      }
    },
    peersPerTopic: (topic, peers) => perTopic.set({ topic }, peers),
    topicRemoved: (topic) => perTopic.remove({ topic }),
    msgsRecv: (n = 1) => {
      if (n > 0) recv.inc(n)
    },
    msgsMiss: (n = 1) => {
      if (n > 0) miss.inc(n)
    },
    deliveryLatency: (seconds) => {
      if (Number.isFinite(seconds) && seconds >= 0) latency.observe(seconds)
    },
  }
}
