// `psm interop run` end to end: the real binary on a 10-node folder written in gossipsub-interop's format
// (fixture.ts), real libp2p hosts and gossipsub on psm's network model of graph.gml, virtual clock. The
// node logs are read the way upstream's analyze_message_deliveries.py reads them (analysis.ts): every
// message must reach every node, and the logs must agree with results.json.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Deliveries } from '../../src/experiment/deliveries.js'
import { runPsm } from '../helpers/cli.js'
import { analyzeFolder, fromIsoFormat, logFiles } from './analysis.js'
import { writeInteropFolder } from './fixture.js'

const root = mkdtempSync(join(tmpdir(), 'psm-interop-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const input = join(root, 'in')
const fixture = writeInteropFolder(input, { nodes: 10, connections: 4, messages: 6 })

/** publisher of each message id, from the script */
function publishers(): Map<string, number> {
  const script = JSON.parse(readFileSync(join(input, 'params.json'), 'utf8')).script as {
    type: string
    nodeID?: number
    instruction?: { type: string; messageID?: number }
  }[]
  const m = new Map<string, number>()
  for (const ins of script) {
    if (ins.type === 'ifNodeIDEquals' && ins.instruction?.type === 'publish')
      m.set(String(ins.instruction.messageID), ins.nodeID!)
  }
  return m
}

describe.each(['machine', 'vanilla'])('psm interop run --impl %s', (impl) => {
  const out = join(root, `out-${impl}`)
  let run: Awaited<ReturnType<typeof runPsm>>
  beforeAll(async () => {
    run = await runPsm(['interop', 'run', input, '--out', out, '--impl', impl], { timeoutMs: 120_000 })
  }, 130_000)

  it('exits 0, says every message arrived, and shows progress', () => {
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^6\/6 messages reached every subscriber; \d+ receives/)
    expect(run.stderr).toMatch(/interop: t=\d+ s: \d+ published/)
  })

  it('lays OUT out as a Shadow run: the three input files, one stdout per node', () => {
    for (const f of ['params.json', 'graph.gml', 'shadow.yaml'])
      expect(readFileSync(join(out, f), 'utf8')).toBe(readFileSync(join(input, f), 'utf8'))
    const files = logFiles(out)
    expect(files).toHaveLength(fixture.nodes)
    expect(files.every((f) => /hosts\/node\d+\/[^/]+\.stdout$/.test(f))).toBe(true)
  })

  it("upstream's analysis finds every message delivered to every node", () => {
    const a = analyzeFolder(out)
    expect([...a.nodeIdToPeerId.keys()].sort((x, y) => x - y)).toEqual([...Array(fixture.nodes).keys()])
    expect(a.rows.map((r) => r.id).sort()).toEqual(['0', '1', '2', '3', '4', '5'])
    const pubs = publishers()
    for (const row of a.rows) {
      expect(row.reached, `message ${row.id}`).toBe(1)
      const got = new Set(row.deliveries.map((d) => d.nodeId))
      for (let n = 0; n < fixture.nodes; n++) {
        if (n !== pubs.get(row.id)) expect(got.has(n), `message ${row.id} at node ${n}`).toBe(true)
      }
      // a network with 2–70 ms links and 5 ms validation: spread over tens of milliseconds, not zero, not seconds
      expect(row.timeToDisseminateS).toBeGreaterThan(0.005)
      expect(row.timeToDisseminateS).toBeLessThan(5)
    }
  })

  it('results.json holds the same receives as the logs, at the same simulated times', () => {
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { deliveries: Deliveries }
    const d = r.deliveries
    expect(d.nodes).toHaveLength(fixture.nodes)
    expect(d.publishes.map((p) => p.msgId).sort()).toEqual(['0', '1', '2', '3', '4', '5'])
    expect(d.subscribers['a-subnet']?.slice().sort((x, y) => x - y)).toEqual([...Array(fixture.nodes).keys()])
    const lines: { node: number; id: string; us: number }[] = []
    let start = Number.POSITIVE_INFINITY
    for (const f of logFiles(out)) {
      let node = -1
      for (const l of readFileSync(f, 'utf8').trim().split('\n')) {
        const j = JSON.parse(l)
        if (j.msg === 'PeerID') {
          node = j.node_id
          expect(j.id).toBe(d.nodes[node]?.peerId)
          start = Math.min(start, fromIsoFormat(j.time))
        } else if (j.msg === 'Received Message') lines.push({ node, id: j.id, us: fromIsoFormat(j.time) })
      }
    }
    expect(lines).toHaveLength(d.receives.length)
    const key = (node: number, id: string, ms: number) => `${node}/${id}/${Math.floor(ms)}`
    const fromLogs = lines.map((x) => key(x.node, x.id, (x.us - start) / 1000)).sort()
    const fromResults = d.receives.map((x) => key(x.node, x.msgId, x.timeMs)).sort()
    expect(fromLogs).toEqual(fromResults)
    // first receipts name the node they came from, and it is a neighbour that had the message
    const firsts = d.receives.filter((x) => !x.duplicate)
    expect(firsts.length).toBeGreaterThanOrEqual(6 * (fixture.nodes - 1))
    expect(firsts.every((x) => x.from !== undefined && x.from !== x.node)).toBe(true)
  })
})
