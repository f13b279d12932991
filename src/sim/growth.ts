// How fast the simulated network grows toward its peer limit: AddPeer adds one peer per its period and
// RemovePeer takes one away per its own, so `--max-peers 300` alone is reached only after many minutes.
// The first line, the status block and `psm sim --help` say so (the way to start big is --initial-peers).
import { formatMs } from '../config/duration.js'
import type { SimConfig } from '../config/sim.js'

type GrowthConfig = Pick<SimConfig, 'periods' | 'limits'>

/** e.g. `+1 peer per 3s, -1 per 50s: 300 in ~15m`; `at the limit of 20`. */
export function peerGrowth(c: GrowthConfig, peers: number): string {
  const max = c.limits.maxPeers
  if (peers >= max) return `at the limit of ${max}`
  const add = c.periods.AddPeer
  const remove = c.periods.RemovePeer
  if (add === 0) return `AddPeer is off (periods.AddPeer 0): stays below the limit of ${max}`
  const rates = `+1 peer per ${formatMs(add)}${remove > 0 ? `, -1 per ${formatMs(remove)}` : ''}`
  // peers per ms, on average (the period jitter averages out)
  const net = 1 / add - (remove > 0 ? 1 / remove : 0)
  if (net <= 0) return `${rates}: does not grow toward the limit of ${max}`
  return `${rates}: ${max} in ~${roughly((max - peers) / net)}`
}

/** A duration rounded for reading: seconds under 2 minutes, then minutes, then hours. */
function roughly(ms: number): string {
  if (ms < 120_000) return formatMs(Math.max(1, Math.round(ms / 1000)) * 1000)
  if (ms < 2 * 3_600_000) return formatMs(Math.round(ms / 60_000) * 60_000)
  return formatMs(Math.round(ms / 3_600_000) * 3_600_000)
}
