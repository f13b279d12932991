// The oar-p2p matrix, the Shadow GML graph and shadow.yaml readers: shapes they accept, and a named
// error with file and line for what they refuse.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseGml } from '../../../src/net/model/gml.js'
import { graphPaths } from '../../../src/net/model/graph-paths.js'
import { matrixLatency, parseMatrix } from '../../../src/net/model/matrix.js'
import { parseShadowHosts } from '../../../src/net/model/shadow.js'
import { errorOf } from '../../helpers/files.js'

describe('oar-p2p matrix', () => {
  it("reads the seed's 5×5 example; host i uses row/column i mod 5, asymmetric entries kept", () => {
    const ms = parseMatrix(readFileSync('networks/oar-example.txt', 'utf8'), 'oar-example.txt')
    expect(ms).toHaveLength(5)
    expect(matrixLatency(ms, 0, 3)).toBeCloseTo(83.50032)
    expect(matrixLatency(ms, 7, 8)).toBeCloseTo(2.4708898) // 7 mod 5 = 2, 8 mod 5 = 3
    const asym = parseMatrix('0 10\n20 0\n', 'a.txt')
    expect(matrixLatency(asym, 0, 1)).toBe(10)
    expect(matrixLatency(asym, 1, 0)).toBe(20)
  })

  it('refuses a non-square, negative or non-numeric matrix with file and line', () => {
    expect(errorOf(() => parseMatrix('0 1 2\n1 0\n2 1 0\n', 'm.txt')).message).toBe(
      'm.txt:2: the matrix is not square: 3 rows, but this row has 2 values',
    )
    const neg = errorOf(() => parseMatrix('0 1\n-1 0\n', 'm.txt'))
    expect(neg.name).toBe('InputError')
    expect(neg.message).toBe('m.txt:2: column 1: latency -1 is negative')
    expect(errorOf(() => parseMatrix('0 x\n1 0\n', 'm.txt')).message).toMatch(
      /^m\.txt:1: column 2: 'x' is not a number/,
    )
    expect(errorOf(() => parseMatrix('\n\n', 'm.txt')).message).toBe('m.txt: the latency matrix is empty')
  })
})

describe('Shadow GML graph', () => {
  it('reads nodes with bandwidth and directed edges with latency and loss (networkx shape)', () => {
    const g = parseGml(
      [
        'graph [',
        '  directed 1',
        '  node [',
        '    id 0',
        '    label "eu-fullnode"',
        '    host_bandwidth_up "50 Mbit"',
        '    host_bandwidth_down "100 Mbit"',
        '  ]',
        '  node [ id 1 label "us" ]',
        '  node [ id 2 label "asia" ]',
        '  edge [ source 0 target 1 label "eu to us" latency "70 ms" packet_loss 0.01 ]',
        '  edge [ source 1 target 0 latency "75 ms" packet_loss 0.0 ]',
        '  edge [ source 1 target 2 latency "100 ms" packet_loss 0.02 ]',
        ']',
      ].join('\n'),
      'g.gml',
    )
    expect(g.directed).toBe(true)
    expect(g.nodes[0]).toEqual({ id: 0, label: 'eu-fullnode', upBps: 50e6, downBps: 100e6 })
    expect(g.edges[0]).toEqual({ source: 0, target: 1, latencyMs: 70, loss: 0.01 })
    const paths = graphPaths(g)
    expect(paths.latency[0]![1]).toBe(70)
    expect(paths.latency[1]![0]).toBe(75)
    // no direct edge 0 → 2: the shortest path through 1, its loss compounded
    expect(paths.latency[0]![2]).toBe(170)
    expect(paths.loss[0]![2]).toBeCloseTo(1 - 0.99 * 0.98)
    expect(paths.latency[2]![0]).toBe(Number.POSITIVE_INFINITY)
  })

  it('takes the edges of an undirected graph both ways', () => {
    const g = parseGml(
      'graph [\n  node [ id 0 ]\n  node [ id 1 ]\n  edge [ source 0 target 1 latency "30 ms" ]\n]',
      'u.gml',
    )
    expect(g.directed).toBe(false)
    const paths = graphPaths(g)
    expect(paths.latency[0]![1]).toBe(30)
    expect(paths.latency[1]![0]).toBe(30)
  })

  it('reads the example graph', () => {
    const g = parseGml(readFileSync('networks/small.gml', 'utf8'), 'small.gml')
    expect(g.nodes.map((n) => n.label)).toEqual([
      'europe-supernode',
      'europe-fullnode',
      'na_east-supernode',
      'na_east-fullnode',
    ])
    expect(g.edges).toHaveLength(16)
  })

  it('refuses what does not parse, with file and line', () => {
    const cases: [string, string][] = [
      ['graph [\n  node [ id 0 ]\n', "g.gml:1: not valid GML: '[' opened here is never closed"],
      ['graph [\n  node [ id 0 label "x ]\n]\n', 'g.gml:2: not valid GML: a string is not closed'],
      [
        'graph [\n  node [ id 0 ]\n  edge [ source 0 target 0 latency "5 parsecs" ]\n]',
        'g.gml:3: latency "5 parsecs" is not a latency with a unit (e.g. 50ms, 0.2s, 800us)',
      ],
      [
        'graph [\n  node [ id 0 ]\n  edge [ source 0 target 9 latency "5 ms" ]\n]',
        'g.gml:3: edge target 9 is not a node id',
      ],
      [
        'graph [\n  node [ id 0 ]\n  edge [ source 0 target 0 latency "5 ms" packet_loss 2 ]\n]',
        'g.gml:3: packet_loss 2 is not a number from 0 to 1',
      ],
      [
        'graph [\n  node [ id 0 host_bandwidth_up "fast" ]\n]',
        'g.gml:2: host_bandwidth_up "fast" is not a rate with a unit (e.g. 50Mbit, 1Gbit, 500kbit, 10MB)',
      ],
      ['graph [\n  node [ label "x" ]\n]', "g.gml:2: node has no whole-number 'id'"],
      ['nodes 3', "g.gml:1: not a GML graph: no 'graph [ ... ]'"],
      ['graph [ ]\n]', "g.gml:2: not valid GML: ']' without a matching '['"],
    ]
    for (const [text, message] of cases) {
      const err = errorOf(() => parseGml(text, 'g.gml'))
      expect(err.name).toBe('InputError')
      expect(err.message).toBe(message)
    }
  })

  it("maps hosts to graph nodes from shadow.yaml's network_node_id", () => {
    const yaml = 'hosts:\n  node0:\n    network_node_id: 2\n  node1:\n    network_node_id: 0\n'
    expect(parseShadowHosts(yaml, 'shadow.yaml', new Set([0, 1, 2]))).toEqual([2, 0])
    expect(errorOf(() => parseShadowHosts(yaml, 'shadow.yaml', new Set([0]))).message).toBe(
      'shadow.yaml:2: hosts.node0.network_node_id: 2 is not a node id of the graph',
    )
    expect(
      errorOf(() => parseShadowHosts('hosts:\n  node1:\n    network_node_id: 0\n', 's.yaml', new Set([0]))).message,
    ).toBe('s.yaml: hosts: node0 is missing (hosts must be node0..node1)')
  })
})
