// A gossipsub-interop folder as its run.py leaves it: params.json (the script), graph.gml (the Shadow
// network graph) and shadow.yaml (which graph node each host node<i> sits on). Read and checked here;
// the network is psm's own model built from the same two files (src/net/model).
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { type NetworkSection, networkSectionSchema } from '../config/network.js'
import { InputError } from '../errors.js'
import { loadNetworkModel } from '../net/model/load.js'
import type { NetworkModel } from '../net/model/model.js'
import { checkScript, type ExperimentParams, parseParams } from './params.js'

export const INTEROP_FILES = ['params.json', 'graph.gml', 'shadow.yaml'] as const

export interface InteropFolder {
  dir: string
  params: ExperimentParams
  model: NetworkModel
  /** number of nodes: the hosts of shadow.yaml */
  nodes: number
  /** the graph node label of each node's network node (its region and class, e.g. europe-fullnode) */
  labels: string[]
}

/** Loads and checks the folder; throws InputError naming the file and the problem. */
export function loadInteropFolder(dir: string, seed: number): InteropFolder {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${dir}: not a folder`)
  for (const f of INTEROP_FILES) {
    if (!existsSync(join(dir, f)))
      throw new InputError(
        `${dir}: not a gossipsub-interop folder: ${f} is missing (it needs ${INTEROP_FILES.join(', ')})`,
      )
  }
  const paramsFile = join(dir, 'params.json')
  const params = parseParams(readFileSync(paramsFile, 'utf8'), paramsFile)
  const section: NetworkSection = networkSectionSchema.check(
    { graph: join(dir, 'graph.gml'), shadow: join(dir, 'shadow.yaml') },
    [],
  )
  const model = loadNetworkModel(section, { seed })
  const latency = model.spec.latency
  if (latency.kind !== 'graph' || latency.nodeOf === undefined) {
    throw new InputError(`${join(dir, 'shadow.yaml')}: no hosts mapped to graph nodes`)
  }
  const nodeOf = latency.nodeOf
  const labelOf = new Map(latency.graph.nodes.map((n) => [n.id, n.label]))
  checkScript(params, nodeOf.length)
  return { dir, params, model, nodes: nodeOf.length, labels: nodeOf.map((g) => labelOf.get(g) ?? String(g)) }
}
