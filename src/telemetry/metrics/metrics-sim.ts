// The simulator's metrics (DESIGN.md, telemetry): what the network looks like now and how messages fare.
// The simulator updates them through this typed object and never touches prom-client itself.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { HostNetStats } from '../../net/model/stats.js'

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
  /** publish → receive, in seconds, one observation per delivery, labelled by topic */
  deliveryLatency(seconds: number, topic?: string): void
  /**
   * a host's network-model counters so far (cumulative, as `model.stats(i)` gives them): the sim_net_*
   * families advance by what changed since the last call for that host
   */
  net(host: string, stats: HostNetStats): void
}

export interface SimMetricsOptions {
  /** hosts with their own `host` label on sim_net_*; the rest share host="other" */
  hostLabelLimit?: number
}

/** Counters fed from the model's cumulative per-host figures, and how to read each from them. */
const NET_COUNTERS: ReadonlyArray<[name: string, help: string, read: (s: HostNetStats) => number]> = [
  [
    'sim_net_bytes_sent_total',
    'Bytes a host handed to the modelled wire, retransmissions included',
    (s) => s.bytesSent,
  ],
  ['sim_net_bytes_received_total', 'Bytes the modelled wire delivered to a host', (s) => s.bytesReceived],
  [
    'sim_net_uplink_queue_seconds_total',
    "Time writes waited for their host's shared uplink (divide by sim_net_uplink_writes_total for the mean)",
    (s) => s.uplinkQueueMsTotal / 1000,
  ],
  ['sim_net_uplink_writes_total', "Writes that went through a host's uplink queue", (s) => s.uplinkWrites],
  ['sim_net_retransmitted_bytes_total', 'Bytes a host sent again after a modelled loss', (s) => s.retransmittedBytes],
  ['sim_net_dials_failed_total', 'Dials the network model failed (its dialFailure rate)', (s) => s.dialsFailed],
]

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

export function createSimMetrics(registry: Registry, opts: SimMetricsOptions = {}): SimMetrics {
  const labelLimit = opts.hostLabelLimit ?? 10
  const netCounters = NET_COUNTERS.map(
    ([name, help, read]) => [new Counter({ name, help, labelNames: ['host'], registers: [registry] }), read] as const,
  )
  const queueMax = new Gauge({
    name: 'sim_net_uplink_queue_max_seconds',
    help: "Longest a single write waited for a host's uplink so far",
    labelNames: ['host'],
    registers: [registry],
  })
  const labelled = new Set<string>()
  const last = new Map<string, HostNetStats>()
  const otherMax = { value: 0 }
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
    help: 'Time from publish to receive, per delivery, by topic',
    labelNames: ['topic'],
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
    topicRemoved: (topic) => {
      perTopic.remove({ topic })
      latency.remove({ topic })
    },
    msgsRecv: (n = 1) => {
      if (n > 0) recv.inc(n)
    },
    msgsMiss: (n = 1) => {
      if (n > 0) miss.inc(n)
    },
    deliveryLatency: (seconds, topic = 'unknown') => {
      if (Number.isFinite(seconds) && seconds >= 0) latency.observe({ topic }, seconds)
    },
    net(host, stats) {
      if (!labelled.has(host) && labelled.size < labelLimit) labelled.add(host)
      const label = labelled.has(host) ? host : 'other'
      const before = last.get(host)
      last.set(host, { ...stats })
      for (const [counter, read] of netCounters) {
        const delta = read(stats) - (before ? read(before) : 0)
        if (delta > 0) counter.inc({ host: label }, delta)
        else if (!before) counter.inc({ host: label }, 0)
      }
      const max = stats.uplinkQueueMsMax / 1000
      if (label === 'other') {
        otherMax.value = Math.max(otherMax.value, max)
        queueMax.set({ host: label }, otherMax.value)
      } else queueMax.set({ host: label }, max)
    },
  }
}
