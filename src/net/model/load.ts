// The entry point for runs: a model from a file path or a checked `network:` section, ready for hosts.
//   const model = loadNetworkModel('networks/world.yml', { seed })
//   const host = await createHost({ network: model.host(i) })
//   model.stats(i) // bytes sent/received, uplink queueing delay
import type { Clock } from '../../clock/clock.js'
import { loadNetworkSpec, type NetworkSection } from '../../config/network.js'
import { NetworkModel } from './model.js'
import type { HostPins } from './topology.js'

export interface LoadNetworkOptions {
  seed: number
  clock?: Clock
  /** the folder relative paths start from (the folder of the config holding an inline section) */
  baseDir?: string
  /** hosts whose bandwidth class or region is chosen, not drawn */
  pins?: HostPins
}

/** Throws InputError (exit 2) naming the file, line and problem when the model is not valid. */
export function loadNetworkModel(source: string | NetworkSection, opts: LoadNetworkOptions): NetworkModel {
  const spec = loadNetworkSpec(source, opts.baseDir)
  return new NetworkModel(spec, {
    seed: opts.seed,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.pins ? { pins: opts.pins } : {}),
  })
}
