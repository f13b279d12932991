// Where a run's network model comes from on the command line and in config files: `--network FILE`,
// the `--latency` / `--bandwidth` shorthands, or a `network:` key whose paths are relative to the file
// holding it. Both yield what loadNetworkModel takes: a path (relative to the working directory) or a
// checked section.
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import type { FlagSpecs } from '../cli/args.js'
import { UsageError } from '../errors.js'
import { type NetworkSection, networkFromShorthands } from './network.js'

export type NetworkSource = string | NetworkSection

/** The model flags, declared once for every command that takes a model (sim, scenario, dht run). */
export const NETWORK_FLAGS = {
  network: {
    type: 'string',
    value: 'FILE',
    description:
      "network model between the hosts: a .yml model, an oar-p2p .txt matrix or a .gml graph (in place of a config file's network:)",
  },
  latency: {
    type: 'string',
    value: 'DUR',
    description: 'shorthand model: this one-way latency on every link, e.g. 50ms',
  },
  bandwidth: {
    type: 'string',
    value: 'RATE',
    description: 'shorthand model: this upload and download rate per host, e.g. 50Mbit',
  },
} as const satisfies FlagSpecs

export interface NetworkFlags {
  network?: string | undefined
  latency?: string | undefined
  bandwidth?: string | undefined
}

/**
 * The model the flags ask for, or undefined when none is given. `--network` and the shorthands exclude
 * each other: a shorthand is a whole model (its latency or bandwidth, nothing else), not an override.
 */
export function networkFromFlags(flags: NetworkFlags): NetworkSource | undefined {
  const short = networkFromShorthands({
    ...(flags.latency !== undefined ? { latency: flags.latency } : {}),
    ...(flags.bandwidth !== undefined ? { bandwidth: flags.bandwidth } : {}),
  })
  if (flags.network !== undefined) {
    if (short !== undefined) {
      const which = flags.latency !== undefined ? '--latency' : '--bandwidth'
      throw new UsageError(`--network and ${which} exclude each other: put the ${which.slice(2)} in the model file`)
    }
    if (flags.network.trim() === '') throw new UsageError('--network: a model FILE is required')
    return flags.network
  }
  return short
}

/** A path as seen from the working directory: relative below it, absolute elsewhere. */
function fromCwd(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel
}

/** The `network:` value of the config file `file`, its paths made relative to the working directory. */
export function rebaseNetwork(value: NetworkSource, file: string): NetworkSource {
  const dir = dirname(resolve(file))
  const at = (p: string) => (isAbsolute(p) ? p : fromCwd(resolve(dir, p)))
  if (typeof value === 'string') return at(value)
  return {
    ...value,
    matrix: value.matrix === null ? null : at(value.matrix),
    graph: value.graph === null ? null : at(value.graph),
    shadow: value.shadow === null ? null : at(value.shadow),
  }
}
