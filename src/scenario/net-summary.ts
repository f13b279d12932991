// What the network model did in a scenario run, for its `--json` and text summary: bytes per host and
// the uplink queueing delay, from the model's per-host counters over the whole run (joining included).
import type { NetworkModel } from '../net/model/model.js'
import { rankQuantile } from '../quantile.js'

export interface NetSummary {
  /** the model file, or 'inline' (--latency / --bandwidth) */
  source: string
  /** mean over hosts of the bytes each handed to the wire (retransmissions included) */
  bytesSentPerHost: number
  /** mean over hosts of the bytes delivered to each */
  bytesRecvPerHost: number
  /**
   * waiting for a host's own uplink before a write goes on the wire: p50 and p99 over hosts of each
   * host's mean wait, and the longest single wait of any host
   */
  uplinkQueueMs: { p50: number; p99: number; max: number }
  retransmittedBytes: number
  dialsFailed: number
}

const r1 = (x: number) => Math.round(x * 10) / 10

export function summarizeNet(model: NetworkModel, hosts: number): NetSummary {
  let sent = 0
  let recv = 0
  let max = 0
  let retransmitted = 0
  let dialsFailed = 0
  const means = new Float64Array(hosts)
  for (let i = 0; i < hosts; i++) {
    const s = model.stats(i)
    sent += s.bytesSent
    recv += s.bytesReceived
    retransmitted += s.retransmittedBytes
    dialsFailed += s.dialsFailed
    max = Math.max(max, s.uplinkQueueMsMax)
    means[i] = s.uplinkWrites > 0 ? s.uplinkQueueMsTotal / s.uplinkWrites : 0
  }
  means.sort()
  return {
    source: model.spec.source,
    bytesSentPerHost: hosts ? Math.round(sent / hosts) : 0,
    bytesRecvPerHost: hosts ? Math.round(recv / hosts) : 0,
    uplinkQueueMs: hosts
      ? { p50: r1(rankQuantile(means, 0.5)), p99: r1(rankQuantile(means, 0.99)), max: r1(max) }
      : { p50: 0, p99: 0, max: 0 },
    retransmittedBytes: retransmitted,
    dialsFailed,
  }
}
