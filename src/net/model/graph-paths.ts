// One-way latency and loss between the nodes of a Shadow graph. A direct edge is used when there is one;
// otherwise the lowest-latency path (Shadow's `use_shortest_path`, its default), whose loss compounds
// along the way. An undirected graph's edges go both ways.
import type { GmlGraph } from './gml.js'

export interface GraphPaths {
  /** index of a node id in `graph.nodes` */
  indexOf: Map<number, number>
  /** latency[i][j] in ms between node indexes; Infinity when there is no path */
  latency: number[][]
  loss: number[][]
}

export function graphPaths(graph: GmlGraph): GraphPaths {
  const n = graph.nodes.length
  const indexOf = new Map(graph.nodes.map((node, i) => [node.id, i]))
  const latency = Array.from({ length: n }, () => new Array<number>(n).fill(Number.POSITIVE_INFINITY))
  const keep = Array.from({ length: n }, () => new Array<number>(n).fill(1)) // probability a segment survives
  const direct = Array.from({ length: n }, () => new Array<boolean>(n).fill(false))
  const put = (a: number, b: number, ms: number, loss: number): void => {
    if (direct[a]![b] && latency[a]![b]! <= ms) return
    direct[a]![b] = true
    latency[a]![b] = ms
    keep[a]![b] = 1 - loss
  }
  for (const e of graph.edges) {
    const a = indexOf.get(e.source)!
    const b = indexOf.get(e.target)!
    put(a, b, e.latencyMs, e.loss)
    if (!graph.directed) put(b, a, e.latencyMs, e.loss)
  }
  // Floyd–Warshall over pairs without a direct edge; graphs are small (tens of nodes)
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      const ik = latency[i]![k]!
      if (ik === Number.POSITIVE_INFINITY) continue
      for (let j = 0; j < n; j++) {
        if (direct[i]![j]) continue
        const via = ik + latency[k]![j]!
        if (via < latency[i]![j]!) {
          latency[i]![j] = via
          keep[i]![j] = keep[i]![k]! * keep[k]![j]!
        }
      }
    }
  }
  return { indexOf, latency, loss: keep.map((row) => row.map((p) => 1 - p)) }
}
