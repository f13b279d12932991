// `psm interop node` end to end: three real node processes (the psm binary), TCP on 127.0.0.1 with one
// port per node (--peer-host/--port-per-node stand in for Shadow's hostnames and port 9000), noise + yamux, a chain 0 – 1 – 2: node 0 publishes and both others log it in interop's format.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { interopKey } from '../../src/interop/ids.js'
import { PSM_BIN, runPsm } from '../helpers/cli.js'
import { fromIsoFormat } from './analysis.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-interop-node-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Whether every port from base to base + n - 1 can be bound on 127.0.0.1 now. */
async function portsFree(base: number, n: number): Promise<boolean> {
  for (let p = base; p < base + n; p++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer()
      s.once('error', () => resolve(false))
      s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)))
    })
    if (!ok) return false
  }
  return true
}

async function freeBase(n: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000)
    if (await portsFree(base, n)) return base
  }
  throw new Error('no free ports')
}

function node(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PSM_BIN, 'interop', 'node', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

const SCRIPT = [
  { type: 'initGossipSub', gossipSubParams: { D: 2, Dlo: 1, Dhi: 3, Dout: 0 } },
  { type: 'ifNodeIDEquals', nodeID: 1, instruction: { type: 'connect', connectTo: [0] } },
  { type: 'ifNodeIDEquals', nodeID: 2, instruction: { type: 'connect', connectTo: [1] } },
  { type: 'subscribeToTopic', topicID: 'a-subnet', partial: false },
  { type: 'setTopicValidationDelay', topicID: 'a-subnet', delaySeconds: 0.005 },
  { type: 'waitUntil', elapsedSeconds: 4 },
  {
    type: 'ifNodeIDEquals',
    nodeID: 0,
    instruction: { type: 'publish', messageID: 4242, messageSizeBytes: 2048, topicID: 'a-subnet' },
  },
  { type: 'waitUntil', elapsedSeconds: 7 },
]

describe('psm interop node', () => {
  it('three nodes on loopback exchange a message and log it as interop defines', async () => {
    const params = join(dir, 'params.json')
    writeFileSync(params, JSON.stringify({ script: SCRIPT }))
    const base = await freeBase(3)
    // no --listen-host: each node binds what its own --peer-host resolves to, 127.0.0.1
    const flags = ['--params', params, '--peer-host', '127.0.0.1']
    const runs = await Promise.all(
      [0, 1, 2].map((i) => node([...flags, '--port', String(base), '--port-per-node', '--node-id', String(i)])),
    )
    for (const [i, r] of runs.entries()) {
      expect(r.code, `node ${i}: ${r.stderr}`).toBe(0)
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      // every line has an RFC 3339 time and a msg; the first is the PeerID line with interop's key
      for (const l of lines) expect(() => fromIsoFormat(String(l.time))).not.toThrow()
      expect(lines[0]).toMatchObject({
        msg: 'PeerID',
        id: (await interopKey(i)).publicKey.toString(),
        node_id: i,
      })
      const got = lines.filter((l) => l.msg === 'Received Message')
      if (i === 0) expect(got).toEqual([])
      else expect(got.map((l) => [l.id, l.topic])).toContainEqual(['4242', 'a-subnet'])
    }
  }, 90_000)

  it('refuses bad flags in one line', async () => {
    const a = await runPsm(['interop', 'node', '--node-id', '1'])
    expect(a.code).toBe(2)
    expect(a.stderr.trim()).toBe("psm interop: --params FILE is required (the experiment's params.json)")
    const b = await runPsm(['interop', 'node', '--params', join(dir, 'none.json'), '--node-id', '0'])
    expect(b.code).toBe(2)
    expect(b.stderr.trim()).toMatch(/^psm interop: .*none\.json: cannot read the params file: no such file$/)
    const c = await runPsm(['interop', 'node', '--params', 'p.json', '--node-id', '0', '--listen-host', 'node0'])
    expect(c.code).toBe(2)
    expect(c.stderr.trim()).toBe("psm interop: --listen-host: 'node0' is not an IPv4 address")
    const params = join(dir, 'params-bad-host.json')
    writeFileSync(params, JSON.stringify({ script: SCRIPT }))
    const d = await runPsm(['interop', 'node', '--params', params, '--node-id', '3', '--peer-host', 'n{id}.invalid'])
    expect(d.code).toBe(2)
    expect(d.stderr.trim()).toBe(
      'psm interop: cannot resolve n3.invalid, the address peers dial this node at: give --listen-host (and --peer-host)',
    )
  })
})
