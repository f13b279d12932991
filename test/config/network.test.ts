// Network model files and the `network:` section: what each form means, and one named error with file
// and line for what is wrong.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { loadNetworkSpec, networkFromShorthands, networkSchema } from '../../src/config/network.js'
import { object } from '../../src/config/schema.js'
import { errorOf, tempFiles } from '../helpers/files.js'

const yml = tempFiles('network')

describe('network model files', () => {
  it('reads the shipped examples', () => {
    const lan = loadNetworkSpec('networks/lan.yml')
    expect(lan).toMatchObject({ latency: { kind: 'constant', ms: 0.3 }, jitterMs: 0.1, loss: 0, dialFailure: 0 })
    expect(lan.bandwidth).toEqual([{ name: 'all', upBps: 1e9, downBps: 1e9, weight: 1 }])
    const world = loadNetworkSpec('networks/world.yml')
    expect(world.latency.kind).toBe('regions')
    expect(world.bandwidth.map((c) => [c.name, c.upBps, c.weight])).toEqual([
      ['supernode', 1024e6, 20],
      ['fullnode', 50e6, 80],
    ])
    const oar = loadNetworkSpec('networks/oar-example.txt')
    expect(oar.latency).toMatchObject({ kind: 'matrix', file: 'networks/oar-example.txt' })
    const gml = loadNetworkSpec('networks/small.gml')
    expect(gml.latency.kind === 'graph' && gml.latency.graph.nodes.length).toBe(4)
  })

  it('reads every latency form and bandwidth form', () => {
    const spec = (text: string) => loadNetworkSpec(yml(text))
    expect(spec('latency: { uniform: [20ms, 80ms] }').latency).toEqual({ kind: 'uniform', minMs: 20, maxMs: 80 })
    expect(spec('latency: { normal: { mean: 50ms, stddev: 5ms } }').latency).toEqual({
      kind: 'normal',
      meanMs: 50,
      stddevMs: 5,
    })
    expect(spec('latency: { lognormal: { median: 40ms, sigma: 0.5 } }').latency).toEqual({
      kind: 'lognormal',
      medianMs: 40,
      sigma: 0.5,
    })
    expect(spec('bandwidth: { up: 20Mbit, down: 100Mbit }').bandwidth).toEqual([
      { name: 'all', upBps: 20e6, downBps: 100e6, weight: 1 },
    ])
    const regions = spec(
      'regions:\n  weights: { eu: 3, us: 1 }\n  latency:\n    eu: { eu: 2ms, us: 70ms }\n    us: { eu: 75ms, us: 2ms }\n',
    )
    expect(regions.latency).toEqual({
      kind: 'regions',
      table: {
        name: 'custom',
        regions: [
          { name: 'eu', weight: 3 },
          { name: 'us', weight: 1 },
        ],
        ms: [
          [2, 70],
          [75, 2],
        ],
      },
    })
    // an empty model file is an error like any empty config, not a model of zero latency
    expect(() => spec('')).toThrow(/: the config is empty/)
  })

  it('resolves files a model names relative to the model, and maps hosts with shadow.yaml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'psm-net-'))
    writeFileSync(join(dir, 'm.txt'), '0 5\n7 0\n')
    writeFileSync(
      join(dir, 'g.gml'),
      'graph [\n directed 1\n node [ id 4 ]\n node [ id 8 ]\n edge [ source 4 target 8 latency "9 ms" ]\n]\n',
    )
    writeFileSync(
      join(dir, 'shadow.yaml'),
      'hosts:\n  node0: { network_node_id: 8 }\n  node1: { network_node_id: 4 }\n',
    )
    writeFileSync(join(dir, 'a.yml'), 'matrix: m.txt\n')
    writeFileSync(join(dir, 'b.yml'), 'graph: g.gml\nshadow: shadow.yaml\n')
    expect(loadNetworkSpec(join(dir, 'a.yml')).latency).toMatchObject({
      kind: 'matrix',
      ms: [
        [0, 5],
        [7, 0],
      ],
    })
    expect(loadNetworkSpec(join(dir, 'b.yml')).latency).toMatchObject({ kind: 'graph', nodeOf: [8, 4] })
  })

  it('names the file, line and problem of a bad model', () => {
    const cases: [string, RegExp][] = [
      ['latency: 50ms\nbandwith: 5Mbit\n', /:2: bandwith: unknown key \(known keys here: latency, matrix/],
      ['latency: 50\n', /:1: latency: 50 is not a latency with a unit/],
      ['jitter: 2 ms\nbandwidth: 50Mb\n', /:2: bandwidth: '50Mb' is not a rate with a unit/],
      ['latency: 5ms\nregions: world\n', /:2: regions: give one latency source, not both latency and regions/],
      ['regions: mars\n', /:1: regions: unknown region table 'mars' \(built in: world\)/],
      ['loss: 1.5\n', /:1: loss: 1.5 is above the maximum 1/],
      ['shadow: s.yaml\n', /:1: shadow: shadow maps hosts to graph nodes: give a graph too/],
      ['latency: { gamma: 3 }\n', /:1: latency.gamma: unknown distribution/],
      ['latency: { uniform: [80ms, 20ms] }\n', /:1: latency.uniform: max 20ms is below min 80ms/],
      [
        'bandwidth:\n  classes:\n    big: { up: 1Gbit, down: 1Gbit, weigth: 2 }\n',
        /:3: bandwidth.classes.big.weigth: unknown key/,
      ],
      [
        'regions:\n  weights: { a: 1, b: 1 }\n  latency:\n    a: { a: 1ms, b: 2ms }\n    b: { a: 2ms }\n',
        /:5: regions.latency.b: has no latency to 'b'/,
      ],
      ['latency: [\n', /:2: not valid YAML/],
      ['matrix: nowhere.txt\n', /nowhere\.txt: cannot read the network model: no such file$/],
    ]
    for (const [text, message] of cases) {
      const file = yml(text)
      const err = errorOf(() => loadNetworkSpec(file))
      expect(err.name, text).toBe('InputError')
      expect(err.message.startsWith(file) || err.message.includes('nowhere'), err.message).toBe(true)
      expect(err.message, text).toMatch(message)
    }
    expect(errorOf(() => loadNetworkSpec('networks/none.yml')).message).toBe(
      'networks/none.yml: cannot read the network model: no such file',
    )
    expect(errorOf(() => loadNetworkSpec('README.md')).message).toMatch(/^README\.md: not a network model file/)
  })

  it('names the matrix or graph file a model points to when that file is bad', () => {
    const dir = mkdtempSync(join(tmpdir(), 'psm-net-'))
    writeFileSync(join(dir, 'm.txt'), '0 5 1\n7 0\n')
    writeFileSync(join(dir, 'a.yml'), 'matrix: m.txt\n')
    expect(errorOf(() => loadNetworkSpec(join(dir, 'a.yml'))).message).toBe(
      `${join(dir, 'm.txt')}:1: the matrix is not square: 2 rows, but this row has 3 values`,
    )
  })

  it('is a `network:` key other configs can hold: a path or a model inline, checked with lines', () => {
    const schema = object({ network: networkSchema })
    expect(loadConfig(schema, { name: 'sim.yml', text: 'network: networks/world.yml\n' }).network).toBe(
      'networks/world.yml',
    )
    const inline = loadConfig(schema, {
      name: 'sim.yml',
      text: 'network:\n  latency: 50ms\n  bandwidth: 8Mbit\n',
    }).network
    expect(loadNetworkSpec(inline)).toMatchObject({ latency: { kind: 'constant', ms: 50 }, source: 'inline' })
    const err = errorOf(() =>
      loadConfig(schema, { name: 'sim.yml', file: 'sim.yml', text: 'network:\n  latency: 50ms\n  lost: 0.1\n' }),
    )
    expect(err.message).toBe(
      'sim.yml:3: network.lost: unknown key (known keys here: latency, matrix, graph, shadow, regions, jitter, loss, dialFailure, bandwidth)',
    )
  })
})

describe('network shorthands', () => {
  it('--latency and --bandwidth make a model; a bad value names the flag', () => {
    expect(networkFromShorthands({})).toBeUndefined()
    const section = networkFromShorthands({ latency: '50ms', bandwidth: '8Mbit' })!
    expect(loadNetworkSpec(section)).toMatchObject({
      latency: { kind: 'constant', ms: 50 },
      bandwidth: [{ upBps: 8e6, downBps: 8e6 }],
    })
    const err = errorOf(() => networkFromShorthands({ latency: '50' }))
    expect(err.name).toBe('UsageError')
    expect(err.message).toBe("--latency: '50' is not a latency with a unit (e.g. 50ms, 0.2s, 800us)")
  })
})
