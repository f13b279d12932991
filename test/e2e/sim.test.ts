// The simulator end to end: real libp2p hosts with the machine-driven gossipsub, the real binary.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { SIM_RANDOM_ACTIONS } from '../../machines/simulator.js'
import { scanLog } from '../../src/telemetry/log/reader.js'
import { readSpanFile } from '../../src/telemetry/traces/otel-file.js'
import { PSM_BIN, runPsm } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-sim-'))
const FAST = join(import.meta.dirname, '../fixtures/sim-fast.yml')

interface Summary {
  seed: number
  stats: { msgsRecv: number; msgsMiss: number; msgsSent: number; peers: number }
  decisions: Array<{ beat: number; action: string; args: Record<string, unknown> | null }>
  transitions: number
}

describe('psm sim', () => {
  test('an accelerated run fires all ten actions, delivers every message, and logs every machine type', async () => {
    const log = join(dir, 'fast.jsonl.gz')
    const res = await runPsm(['sim', '--config', FAST, '--seed', '3', '--log', log, '--json'], { timeoutMs: 90_000 })
    expect(res.code, res.stderr).toBe(0)
    const summary = JSON.parse(res.stdout) as Summary
    const fired = new Set(summary.decisions.filter((d) => d.args !== null).map((d) => d.action))
    for (const action of SIM_RANDOM_ACTIONS) expect(fired, `${action} never fired`).toContain(action)
    expect(summary.stats.msgsRecv).toBeGreaterThan(0)
    // peers that leave are taken out of a message's receivers, so nothing counts as missed
    expect(summary.stats.msgsMiss).toBe(0)
    expect(res.stderr).toContain('--- sim final ---')
    expect(res.stderr).toMatch(/msgs missed:\s+0/)

    const { stats, problem } = await scanLog(log)
    expect(problem).toBeUndefined()
    expect(Object.keys(stats.machinesByType).sort()).toEqual(
      ['bootstrap-flow', 'discovery', 'pubsub-host', 'sim-peer', 'simulator', 'topic'].sort(),
    )
    expect(stats.activations.simulator!.RemovePeer).toBeGreaterThan(0)
    expect(stats.activations.simulator!.RemoveTopic).toBeGreaterThan(0)
    expect(stats.txs).toBe(summary.transitions)
    const text = await runPsm(['log', 'stats', log])
    expect(text.code).toBe(0)
    for (const type of ['simulator', 'sim-peer', 'topic', 'pubsub-host', 'discovery', 'bootstrap-flow']) {
      expect(text.stdout).toContain(type)
    }
  })

  test('SIGINT mid-run: exit 130, the final block, and a log that ends on a complete line and validates', async () => {
    const log = join(dir, 'sigint.jsonl')
    const child = spawn(process.execPath, [PSM_BIN, 'sim', '--config', FAST, '--duration', '0', '--log', log], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    // the first periodic status block means the network runs and records flow
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no status block: ${out}`)), 60_000)
      const check = () => {
        if (out.includes('--- sim status ---')) {
          clearTimeout(timer)
          resolve()
        }
      }
      child.stdout.on('data', check)
    })
    child.kill('SIGINT')
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code, out).toBe(130)
    expect(out).toContain('--- sim final (interrupted) ---')
    const text = readFileSync(log, 'utf8')
    expect(text.endsWith('\n')).toBe(true)
    const { problem, stats } = await scanLog(log)
    expect(problem).toBeUndefined()
    expect(stats.txs).toBeGreaterThan(100)
  })

  test('--trace file: machine spans nested by parent, transitions at level 2, gossipsub spans per host', async () => {
    const yml = join(dir, 'trace.yml')
    const spans = join(dir, 'spans.jsonl')
    writeFileSync(yml, `telemetry:\n  trace:\n    file: ${spans}\n`)
    const res = await runPsm(
      ['sim', '--config', yml, '--duration', '6s', '--seed', '4', '--trace', 'file', '--quiet'],
      {
        env: { PS_TRACING_AM: '2', PS_TRACING_HOST: '1' },
      },
    )
    expect(res.code, res.stderr).toBe(0)
    expect(res.stderr).toMatch(/traces: (\d+)\/\1 spans sent to file .*none dropped/)
    const lines = readSpanFile(spans)
    const byId = new Map(lines.map((l) => [l.spanId, l]))
    const named = (name: string) => lines.find((l) => l.name === name)
    const sim = named('sim')
    const peer = named('sim-p0')
    const ps = named('ps-0')
    expect(sim && peer && ps).toBeTruthy()
    // a trace per machine lifetime, linked to its parent machine's span
    expect(byId.get(peer!.links![0]!.spanId)?.name).toBe('sim')
    expect(byId.get(ps!.links![0]!.spanId)?.name).toBe('sim-p0')
    expect(ps!.traceId).not.toBe(sim!.traceId)
    // a trace per message: a publish root, receive spans under it naming the sender as a psm name
    const publish = lines.find((l) => l.name.startsWith('publish '))
    expect(publish?.parentSpanId).toBeUndefined()
    const receives = lines.filter((l) => l.traceId === publish!.traceId && l.name.startsWith('receive '))
    expect(receives.length).toBeGreaterThan(0)
    for (const r of receives) expect(r.attributes.from).toMatch(/^ps-\d+$/)
    const tx = lines.find((l) => l.name.startsWith('tx ') && l.attributes['machine.id'] === 'sim')
    expect(tx?.attributes).toMatchObject({ accepted: true })
    expect(lines.some((l) => l.name === 'pubsub' && l.attributes.host === 'ps-0')).toBe(true)
  })

  test('bad config, env and flags: exit 2 with one line naming the key', async () => {
    const cases: Array<{ yml?: string; env?: Record<string, string>; args?: string[]; want: RegExp }> = [
      { yml: 'durations: 10s\n', want: /durations/ },
      { yml: 'limits:\n  maxPeers: 0\n', want: /limits\.maxPeers/ },
      { yml: 'heartbeat: fast\n', want: /heartbeat/ },
      { yml: 'host:\n  transport: carrier-pigeon\n', want: /host\.transport/ },
      { yml: 'initial:\n  peers: 30\n', want: /initial\.peers/ },
      { yml: 'periods: [1, 2]\n', want: /periods/ },
      { env: { SIM_MAX_PEERS: 'many' }, want: /SIM_MAX_PEERS/ },
      { env: { SIM_DURATION: '-5s' }, want: /SIM_DURATION/ },
      { env: { PS_TRACING_AM: '7' }, want: /PS_TRACING_AM/ },
      { args: ['--max-peers', 'x'], want: /--max-peers/ },
      { args: ['--frobnicate'], want: /frobnicate/ },
      { yml: 'network:\n  latency: fast\n', want: /:2: network\.latency: 'fast' is not a latency/ },
      { args: ['--latency', '5parsecs'], want: /^psm sim: --latency: '5parsecs' is not a latency/ },
      { args: ['--network', 'networks/nope.gml'], want: /networks\/nope\.gml: cannot read the network model/ },
    ]
    for (const [i, c] of cases.entries()) {
      const args = ['sim', '--duration', '1s', ...(c.args ?? [])]
      if (c.yml !== undefined) {
        const file = join(dir, `bad-${i}.yml`)
        writeFileSync(file, c.yml)
        args.push('--config', file)
      }
      const res = await runPsm(args, { env: c.env ?? {} })
      expect(res.code, `case ${i}: ${res.stderr}`).toBe(2)
      const lines = res.stderr.trim().split('\n')
      expect(lines, `case ${i}`).toHaveLength(1)
      expect(lines[0], `case ${i}`).toMatch(c.want)
    }
    const missing = await runPsm(['sim', '--config', join(dir, 'nope.yml')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('nope.yml')
  })
})
