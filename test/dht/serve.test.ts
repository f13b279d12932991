// psm dht serve: DHT nodes behind the HTTP API (real TCP hosts on 127.0.0.1, real clock), driven over
// HTTP as a scheduler would; and psm dht run --procs spreading nodes over serve processes.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import type { Operation } from '../../src/dht/ops.js'
import type { DhtResults } from '../../src/dht/report.js'
import { PSM_BIN, runPsm } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-dht-serve-'))
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

interface Info {
  url: string
  nodes: Array<{ node: number; peerId: string; addrs: string[] }>
}

async function call(url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

describe('psm dht serve', () => {
  it('serves health, connect, join, provide and retrieve on 127.0.0.1; bad requests are 400', async () => {
    const child = spawn(process.execPath, [PSM_BIN, 'dht', 'serve', '--listen', '127.0.0.1:0', '--nodes', '3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve))
    const info = JSON.parse(line) as Info
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(info.nodes).toHaveLength(3)
    for (const n of info.nodes) expect(n.addrs[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)

    for (const node of [1, 2]) {
      const c = await call(`${info.url}/connect`, { node, addrs: [info.nodes[0]!.addrs[0]] })
      expect(c).toEqual({ status: 200, json: { node, connected: 1, failed: 0 } })
    }
    for (const node of [0, 1, 2]) expect((await call(`${info.url}/join`, { node })).json.success).toBe(true)
    const health = await call(`${info.url}/health`)
    expect(health.json.status).toBe('ok')
    expect((health.json.nodes as Array<{ routingTable: number }>).every((n) => n.routingTable > 0)).toBe(true)

    const p = await call(`${info.url}/provide`, { node: 1, round: 4 })
    expect(p.status).toBe(200)
    const provided = p.json as unknown as Operation
    expect(provided).toMatchObject({ kind: 'provide', node: 1, round: 4, success: true, error: null })
    expect(provided.durationMs).toBeGreaterThan(0)
    const r = await call(`${info.url}/retrieve`, { node: 2, cid: provided.cid, publisher: info.nodes[1]!.peerId })
    expect(r.json).toMatchObject({ kind: 'retrieve', node: 2, cid: provided.cid, success: true })
    expect(r.json.firstProviderIsPublisher).toBe(true)

    const bad = await call(`${info.url}/retrieve`, { node: 0, cid: 'not-a-cid' })
    expect(bad.status).toBe(400)
    expect(bad.json.error).toMatch(/cid: "not-a-cid" is not a CID/)
    expect((await call(`${info.url}/provide`, { node: 7 })).status).toBe(400)
    expect((await call(`${info.url}/nope`)).status).toBe(404)

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(143)
  }, 120_000)

  it('psm dht run --procs spreads the nodes over serve processes and measures through the API', async () => {
    const out = join(dir, 'procs')
    const r = await runPsm(
      [
        'dht',
        'run',
        '--nodes',
        '9',
        '--procs',
        '3',
        '--rounds',
        '3',
        '--retrievers',
        '4',
        '--seed',
        '4',
        '--db',
        'none',
        '--out',
        out,
        '--quiet',
      ],
      { timeoutMs: 300_000 },
    )
    expect(r.code, r.stderr).toBe(0)
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as DhtResults
    expect(results.clock).toBe('real')
    expect(results.operations).toHaveLength(3 * 5)
    for (const o of results.operations) expect(o, JSON.stringify(o)).toMatchObject({ success: true })
    // node indices are the run's (0..8), not a process's own
    expect(new Set(results.operations.map((o) => o.node)).size).toBeGreaterThan(3)
    expect(Math.max(...results.operations.map((o) => o.node))).toBeLessThan(9)
  }, 400_000)
})
