// params.json and interop folders: what is read, and every kind of bad input as one InputError naming the
// file and the place; GossipSubParams mapped to @libp2p/gossipsub options with their units.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { InputError } from '../../src/errors.js'
import { loadInteropFolder } from '../../src/interop/folder.js'
import { mapGossipSubParams } from '../../src/interop/gossipsub-params.js'
import { checkScript, parseParams } from '../../src/interop/params.js'
import { writeInteropFolder } from './fixture.js'

const root = mkdtempSync(join(tmpdir(), 'psm-interop-params-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const init = { type: 'initGossipSub', gossipSubParams: {} }
const parse = (script: unknown[]) => parseParams(JSON.stringify({ script }), 'p.json')
const problem = (f: () => unknown): string => {
  try {
    f()
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    const msg = (err as Error).message
    expect(msg).not.toContain('\n')
    return msg
  }
  throw new Error('no error')
}

describe('parseParams', () => {
  it('reads every supported instruction, nested ones too', () => {
    const p = parse([
      init,
      { type: 'ifNodeIDEquals', nodeID: 1, instruction: { type: 'connect', connectTo: [0] } },
      { type: 'subscribeToTopic', topicID: 't', partial: false },
      { type: 'setTopicValidationDelay', topicID: 't', delaySeconds: 0.005 },
      { type: 'waitUntil', elapsedSeconds: 120 },
      {
        type: 'ifNodeIDEquals',
        nodeID: 0,
        instruction: { type: 'publish', messageID: 3, messageSizeBytes: 98304, topicID: 't' },
      },
    ])
    expect(p.script.map((i) => i.type)).toEqual([
      'initGossipSub',
      'ifNodeIDEquals',
      'subscribeToTopic',
      'setTopicValidationDelay',
      'waitUntil',
      'ifNodeIDEquals',
    ])
    expect(p.script[1]).toEqual({ type: 'ifNodeIDEquals', nodeID: 1, instruction: { type: 'connect', connectTo: [0] } })
  })

  it.each([
    ['{"script": [', /^p\.json: not valid JSON: /],
    ['[]', /^p\.json: must be a JSON object with a 'script' list$/],
    ['{"script": [], "x": 1}', /^p\.json: x: unknown key/],
    [
      '{"script": [{"type": "addPartialMessage", "parts": 1, "topicID": "t", "groupID": 2}]}',
      /^p\.json: script\[0\]\.type: 'addPartialMessage' \(partial messages\) is not supported by psm yet$/,
    ],
    [
      '{"script": [{"type": "ifNodeIDEquals", "nodeID": 0, "instruction": {"type": "publishPartial", "topicID": "t", "groupID": 2}}]}',
      /^p\.json: script\[0\]\.instruction\.type: 'publishPartial' \(partial/,
    ],
    [
      '{"script": [{"type": "subscribeToTopic", "topicID": "t", "partial": true}]}',
      /^p\.json: script\[0\]\.partial: partial messages are not supported by psm yet$/,
    ],
    ['{"script": [{"type": "jump"}]}', /^p\.json: script\[0\]\.type: "jump" is not an instruction \(known: /],
    [
      '{"script": [{"type": "publish", "messageID": 1, "messageSizeBytes": 4, "topicID": "t"}]}',
      /^p\.json: script\[0\]\.messageSizeBytes: 4 is not a whole number from 8/,
    ],
    [
      '{"script": [{"type": "publish", "messageID": -1, "messageSizeBytes": 40, "topicID": "t"}]}',
      /^p\.json: script\[0\]\.messageID: -1 is not/,
    ],
    [
      '{"script": [{"type": "waitUntil", "elapsedSeconds": "soon"}]}',
      /^p\.json: script\[0\]\.elapsedSeconds: "soon" is not a number/,
    ],
    [
      '{"script": [{"type": "connect", "connectTo": [1, "x"]}]}',
      /^p\.json: script\[0\]\.connectTo\[1\]: "x" is not a node id$/,
    ],
    [
      '{"script": [{"type": "connect", "connectTo": [1], "extra": 2}]}',
      /^p\.json: script\[0\]\.extra: unknown key for 'connect'/,
    ],
    [
      '{"script": [{"type": "initGossipSub", "gossipSubParams": {"Dd": 3}}]}',
      /^p\.json: script\[0\]\.gossipSubParams\.Dd: not a GossipSubParams field/,
    ],
  ])('%s → one line naming the place', (text, expected) => {
    expect(problem(() => parseParams(text, 'p.json'))).toMatch(expected)
  })
})

describe('checkScript', () => {
  it('accepts a script where every node inits first (waits may come before)', () => {
    expect(() =>
      checkScript(
        parse([{ type: 'waitUntil', elapsedSeconds: 1 }, init, { type: 'subscribeToTopic', topicID: 't' }]),
        3,
      ),
    ).not.toThrow()
  })

  it.each([
    [
      [{ type: 'subscribeToTopic', topicID: 't' }, init],
      /script\[0\]: node 0 runs 'subscribeToTopic' before initGossipSub$/,
    ],
    [[{ type: 'ifNodeIDEquals', nodeID: 0, instruction: init }], /script: node 1 never runs initGossipSub$/],
    [[init, init], /script\[1\]: node 0 runs initGossipSub a second time$/],
    [
      [init, { type: 'ifNodeIDEquals', nodeID: 7, instruction: init }],
      /script\[1\]\.nodeID: node 7 does not exist \(shadow\.yaml has 2\)$/,
    ],
    [
      [init, { type: 'ifNodeIDEquals', nodeID: 0, instruction: { type: 'connect', connectTo: [5] } }],
      /script\[1\]\.instruction\.connectTo\[0\]: node 5 does not exist/,
    ],
    [
      [init, { type: 'ifNodeIDEquals', nodeID: 1, instruction: { type: 'connect', connectTo: [1] } }],
      /connectTo\[0\]: node 1 connects to itself$/,
    ],
  ])('%j → one line', (script, expected) => {
    expect(problem(() => checkScript(parse(script), 2))).toMatch(expected)
  })
})

describe('loadInteropFolder', () => {
  it('reads a folder: nodes from shadow.yaml, their graph labels', () => {
    const dir = join(root, 'good')
    writeInteropFolder(dir, { nodes: 5, connections: 2, messages: 1 })
    const f = loadInteropFolder(dir, 1)
    expect(f.nodes).toBe(5)
    expect(f.labels.every((l) => /^(europe|na_east)-(supernode|fullnode)$/.test(l))).toBe(true)
  })

  it('names a missing file', () => {
    const dir = join(root, 'no-graph')
    writeInteropFolder(dir, { nodes: 3, connections: 1, messages: 1 })
    rmSync(join(dir, 'graph.gml'))
    expect(problem(() => loadInteropFolder(dir, 1))).toBe(
      `${dir}: not a gossipsub-interop folder: graph.gml is missing (it needs params.json, graph.gml, shadow.yaml)`,
    )
  })

  it('names the line of a shadow.yaml host on a graph node that does not exist', () => {
    const dir = join(root, 'bad-shadow')
    writeInteropFolder(dir, { nodes: 3, connections: 1, messages: 1 })
    writeFileSync(
      join(dir, 'shadow.yaml'),
      'hosts:\n  node0:\n    network_node_id: 0\n  node1:\n    network_node_id: 99\n  node2:\n    network_node_id: 1\n',
    )
    expect(problem(() => loadInteropFolder(dir, 1))).toMatch(
      /shadow\.yaml:4: hosts\.node1\.network_node_id: 99 is not a node id of the graph$/,
    )
  })

  it('checks the script against the number of hosts', () => {
    const dir = join(root, 'more-nodes-in-script')
    writeInteropFolder(dir, { nodes: 6, connections: 2, messages: 1 })
    writeFileSync(
      join(dir, 'shadow.yaml'),
      'hosts:\n  node0:\n    network_node_id: 0\n  node1:\n    network_node_id: 1\n',
    )
    expect(problem(() => loadInteropFolder(dir, 1))).toMatch(
      /params\.json: script\[2\]\.nodeID: node 2 does not exist \(shadow\.yaml has 2\)$/,
    )
  })
})

describe('mapGossipSubParams', () => {
  it("maps go's names and nanoseconds to @libp2p/gossipsub's names and milliseconds", () => {
    const m = mapGossipSubParams({
      D: 8,
      Dlo: 6,
      Dhi: 12,
      Dlazy: 0,
      GossipFactor: 0,
      HistoryLength: 6,
      HistoryGossip: 3,
      HeartbeatInterval: 700_000_000,
      FanoutTTL: 60e9,
      PruneBackoff: 60e9,
      UnsubscribeBackoff: 10e9,
      IWantFollowupTime: 3e9,
      IDontWantMessageThreshold: 1000,
    })
    expect(m.options).toEqual({
      D: 8,
      Dlo: 6,
      Dhi: 12,
      Dlazy: 0,
      gossipFactor: 0,
      mcacheLength: 6,
      mcacheGossip: 3,
      heartbeatInterval: 700,
      fanoutTTL: 60_000,
      pruneBackoff: 60_000,
      unsubcribeBackoff: 10_000,
      gossipsubIWantFollowupMs: 3000,
      idontwantMinDataSize: 1000,
    })
    expect(m.unmapped).toEqual([])
    expect(m.startDelayMs).toBe(0)
  })

  it('turns HeartbeatInitialDelay into a later start (gossipsub adds its fixed 100 ms) and lists what it cannot map', () => {
    const m = mapGossipSubParams({ HeartbeatInitialDelay: 100_300_000, MaxIHaveLength: 5000, Connectors: 8 })
    expect(m.startDelayMs).toBeCloseTo(0.3, 9)
    expect(m.options).toEqual({})
    expect(m.unmapped).toEqual(['MaxIHaveLength', 'Connectors'])
  })
})
