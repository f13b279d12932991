// The host → graph-node mapping of a Shadow config (shadow.yaml as gossipsub-interop writes it):
// `hosts: { node<i>: { network_node_id: <graph node id> } }`. Host i of a run is `node<i>`.
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml'
import { InputError } from '../../errors.js'

/** nodeOf[i] = graph node id of host `node<i>`; hosts must be node0..node<n-1>. */
export function parseShadowHosts(text: string, file: string, nodeIds: ReadonlySet<number>): number[] {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false })
  const err = doc.errors[0]
  if (err)
    throw new InputError(`${file}:${lines.linePos(err.pos[0]).line}: not valid YAML: ${err.message.split('\n')[0]}`)
  const hosts = doc.get('hosts', true)
  if (!isMap(hosts)) throw new InputError(`${file}: no 'hosts' mapping`)
  const nodeOf: number[] = []
  for (const pair of hosts.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : ''
    const line = isScalar(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]).line : 0
    const m = /^node(\d+)$/.exec(key)
    if (!m) throw new InputError(`${file}:${line}: hosts.${key}: host names must be node0, node1, ...`)
    const value = isMap(pair.value) ? pair.value.get('network_node_id') : undefined
    if (typeof value !== 'number' || !nodeIds.has(value)) {
      throw new InputError(
        `${file}:${line}: hosts.${key}.network_node_id: ${String(value)} is not a node id of the graph`,
      )
    }
    nodeOf[Number(m[1])] = value
  }
  for (let i = 0; i < nodeOf.length; i++) {
    if (nodeOf[i] === undefined)
      throw new InputError(`${file}: hosts: node${i} is missing (hosts must be node0..node${nodeOf.length - 1})`)
  }
  return nodeOf
}
