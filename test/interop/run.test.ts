// `psm interop run` end to end: the real binary on a 10-node folder written in gossipsub-interop's format
// (fixture.ts), real libp2p hosts and gossipsub on psm's network model of graph.gml, virtual clock. The
// node logs are read the way upstream's analyze_message_deliveries.py reads them (analysis.ts): every
// message must reach every node, and the logs must agree with results.json.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Deliveries } from '../../src/experiment/deliveries.js'
import { MAX_MESSAGE_BYTES } from '../../src/interop/params.js'
import { PSM_BIN, runPsm } from '../helpers/cli.js'
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
    expect(run.stderr).toMatch(/interop: t=\d+ s \(\d+ s wall\): \d+ published/)
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
    const lines: { node: number; id: string; us: number; from?: string }[] = []
    let start = Number.POSITIVE_INFINITY
    for (const f of logFiles(out)) {
      let node = -1
      for (const l of readFileSync(f, 'utf8').trim().split('\n')) {
        const j = JSON.parse(l)
        if (j.msg === 'PeerID') {
          node = j.node_id
          expect(j.id).toBe(d.nodes[node]?.peerId)
          start = Math.min(start, fromIsoFormat(j.time))
        } else if (j.msg === 'Received Message') lines.push({ node, id: j.id, us: fromIsoFormat(j.time), from: j.from })
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
    // and the log's first line for that message at that node names the same peer as `from`
    for (const x of firsts) {
      const line = lines.find((l) => l.node === x.node && l.id === x.msgId)
      expect(line?.from, `node ${x.node} message ${x.msgId}`).toBe(d.nodes[x.from!]?.peerId)
    }
  })
})

describe('psm interop run on the virtual clock repeats', () => {
  const logs = (out: string) =>
    logFiles(out)
      .sort()
      .map((f) => readFileSync(f, 'utf8'))
  it('the same seed gives byte-identical node logs, with either implementation; another seed another run', async () => {
    const [a, b, c, v] = ['a', 'b', 'c', 'v'].map((x) => join(root, `repeat-${x}`))
    const ra = await runPsm(['interop', 'run', input, '--out', a!, '--seed', '5'], { timeoutMs: 120_000 })
    const rb = await runPsm(['interop', 'run', input, '--out', b!, '--seed', '5'], { timeoutMs: 120_000 })
    const rc = await runPsm(['interop', 'run', input, '--out', c!, '--seed', '6'], { timeoutMs: 120_000 })
    const rv = await runPsm(['interop', 'run', input, '--out', v!, '--seed', '5', '--impl', 'vanilla'], {
      timeoutMs: 120_000,
    })
    for (const r of [ra, rb, rc, rv]) expect(r.code, r.stderr).toBe(0)
    expect(logs(a!)).toEqual(logs(b!))
    // the machine-driven gossipsub is a drop-in: the same receives at the same simulated times as vanilla
    expect(logs(a!)).toEqual(logs(v!))
    expect(logs(a!)).not.toEqual(logs(c!))
  }, 200_000)
})

describe('psm interop run: bad input is one line and exit 2', () => {
  const partial = join(root, 'partial')
  writeInteropFolder(partial, {
    nodes: 2,
    script: [
      { type: 'initGossipSub', gossipSubParams: {} },
      {
        type: 'ifNodeIDEquals',
        nodeID: 0,
        instruction: { type: 'addPartialMessage', parts: 3, topicID: 't', groupID: 1 },
      },
    ],
  })
  const empty = join(root, 'empty')
  writeInteropFolder(empty, { nodes: 2, connections: 1, messages: 1 })
  rmSync(join(empty, 'params.json'))

  it.each([
    [['interop', 'run'], /^psm interop: missing DIR, a gossipsub-interop folder/],
    [['interop', 'run', empty], /^psm interop: .*empty: not a gossipsub-interop folder: params\.json is missing/],
    [
      ['interop', 'run', partial],
      /^psm interop: .*partial\/params\.json: script\[1\]\.instruction\.type: 'addPartialMessage' \(partial messages\) is not supported by psm yet$/,
    ],
    [['interop', 'run', input, '--out', input], /^psm interop: --out .*: is the input folder; give another one$/],
    [['interop', 'run', input, '--impl', 'rust'], /^psm interop: --impl: 'rust' is not one of machine, vanilla$/],
    [['interop', 'run', input, '--clock', 'slow'], /^psm interop: --clock: 'slow' is not one of real, virtual, paced$/],
    [['interop', 'jump'], /^psm interop: unknown subcommand 'jump' \(known: run, node\)$/],
  ])('%j', async (args, expected) => {
    const r = await runPsm(args)
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr.trim()).toMatch(expected)
  })

  it('--help says what it does', async () => {
    const r = await runPsm(['interop', 'run', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('usage: psm interop run DIR')
    expect(r.stdout).toContain('analyze_message_deliveries.py')
  })
})

describe('psm interop run: Ctrl-C', () => {
  it('stops the scripts, writes the logs and results.json of what was seen, exits 130', async () => {
    const dir = join(root, 'long')
    const script: unknown[] = [{ type: 'initGossipSub', gossipSubParams: {} }]
    for (let i = 1; i < 5; i++)
      script.push({ type: 'ifNodeIDEquals', nodeID: i, instruction: { type: 'connect', connectTo: [i - 1] } })
    script.push(
      { type: 'subscribeToTopic', topicID: 't' },
      { type: 'waitUntil', elapsedSeconds: 2 },
      {
        type: 'ifNodeIDEquals',
        nodeID: 0,
        instruction: { type: 'publish', messageID: 9, messageSizeBytes: 64, topicID: 't' },
      },
      { type: 'waitUntil', elapsedSeconds: 600 },
    )
    writeInteropFolder(dir, { nodes: 5, script })
    const out = join(root, 'long.out')
    // the real clock, so that the run is still waiting when the signal comes
    const child = spawn(process.execPath, [PSM_BIN, 'interop', 'run', dir, '--out', out, '--clock', 'real'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    // the first progress line comes 10 s in, well after the publish at 2 s: then the signal
    const progressed = new Promise<void>((resolve) => {
      child.stderr.on('data', (d) => {
        stderr += d
        if (/interop: t=\d+ s/.test(stderr)) resolve()
      })
    })
    child.stdout.on('data', (d) => (stdout += d))
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    await Promise.race([progressed, closed])
    child.kill('SIGINT')
    const code = await closed
    expect(code, stderr).toBe(130)
    expect(stdout).toMatch(/^1\/1 messages reached every subscriber/)
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))
    expect(r.interrupted).toBe(true)
    expect(r.simMs).toBeLessThan(600_000)
    const a = analyzeFolder(out)
    expect(a.rows.map((x) => [x.id, x.reached])).toEqual([['9', 1]])
  }, 60_000)
})

describe('psm interop run: message size', () => {
  it('the largest message psm can publish (just under 4 MiB) reaches every node; one byte more is refused', async () => {
    const dir = join(root, 'largest')
    writeInteropFolder(dir, { nodes: 5, connections: 2, messages: 2, messageBytes: MAX_MESSAGE_BYTES, startSec: 5 })
    const r = await runPsm(['interop', 'run', dir], { timeoutMs: 120_000 })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^2\/2 messages reached every subscriber/)
    const over = join(root, 'over')
    writeInteropFolder(over, { nodes: 5, connections: 2, messages: 1, messageBytes: MAX_MESSAGE_BYTES + 1 })
    const o = await runPsm(['interop', 'run', over])
    expect(o.code).toBe(2)
    expect(o.stderr.trim()).toMatch(
      new RegExp(
        `messageSizeBytes: ${MAX_MESSAGE_BYTES + 1} is not a whole number from 8 \\(the id\\) to ${MAX_MESSAGE_BYTES}`,
      ),
    )
  }, 130_000)
})
