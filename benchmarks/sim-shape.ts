// The simulated network the telemetry benchmarks (bench:telemetry, bench:soak) share: `peers` peers from
// the start in 10 topics of 10, at most 20 topics of 20, seed 1, no status blocks.
import type { SimConfig } from '../src/config/sim.js'

export function shapeBenchSim(config: SimConfig, peers: number, durationMs: number): SimConfig {
  config.seed = 1
  config.duration = durationMs
  config.printInterval = 0
  config.initial.peers = peers
  config.initial.topics = 10
  config.initial.peersPerTopic = 10
  config.limits.maxPeers = peers
  config.limits.maxTopics = 20
  config.limits.maxPeersPerTopic = 20
  return config
}
