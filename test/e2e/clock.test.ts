// --clock virtual and paced end to end: the real binary in child processes (the clock is process-wide),
// real hosts and gossipsub on the memory transport. Same seed → the same transition log (real-CPU
// fields removed) and the same figures; another seed → another run; a CPU hog beside a run changes
// nothing it measures; simulated time runs far ahead of the wall clock, except when paced.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runPsm } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-clock-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const file = (name: string) => join(dir, `${files++}-${name}`)

/** A transition log's lines without the fields that measure real CPU time. */
function logWithoutCpu(path: string): string[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const r = JSON.parse(line) as Record<string, unknown>
      delete r.durationUs
      return JSON.stringify(r)
    })
}

const WORLD = new URL('../../networks/world.yml', import.meta.url).pathname

async function scenario(seed: number, log: string) {
  // on the world regions model: the latencies compared below are the model's, not 0
  const args = [
    'scenario',
    'simple-discovery',
    '--hosts',
    '20',
    '--msgs',
    '10',
    '--impl',
    'machine',
    '--network',
    WORLD,
  ]
  const r = await runPsm([...args, '--seed', String(seed), '--clock', 'virtual', '--json', '--log', log], {
    timeoutMs: 120_000,
  })
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as Record<string, unknown>
}

async function sim(seed: number, duration: string, maxPeers: number, log: string, clock = 'virtual') {
  const args = ['sim', '--duration', duration, '--max-peers', String(maxPeers), '--seed', String(seed), '--quiet']
  // with a network model on, so that delivery latencies are the model's (they must repeat, and not move with load)
  args.push('--latency', '30ms', '--bandwidth', '50Mbit')
  const r = await runPsm([...args, '--clock', clock, '--json', '--log', log], { timeoutMs: 120_000 })
  expect(r.code, r.stderr).toBe(0)
  const summary = JSON.parse(r.stdout) as Record<string, unknown>
  return { summary, run: { ...summary, process: undefined, logFile: undefined, droppedRecords: undefined } }
}

/** Keeps one core busy until stopped. */
function cpuHog(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
}

describe('psm scenario --clock virtual', () => {
  it('the same seed twice gives the same log and latencies; another seed another log', async () => {
    const [a, b, c] = [file('a.jsonl'), file('b.jsonl'), file('c.jsonl')]
    const ra = await scenario(7, a)
    const rb = await scenario(7, b)
    const rc = await scenario(8, c)
    for (const r of [ra, rb, rc]) expect(r).toMatchObject({ clock: 'virtual', delivered: 209, expected: 209 })
    const la = logWithoutCpu(a)
    expect(la.length).toBeGreaterThan(1000)
    expect(logWithoutCpu(b)).toEqual(la)
    expect((ra.latencyMs as { p50: number }).p50).toBeGreaterThan(0)
    for (const k of ['latencyMs', 'readyMs', 'publishMs', 'simMs', 'transitions', 'discoveryTransitions', 'net']) {
      expect(rb[k], k).toEqual(ra[k])
    }
    expect(logWithoutCpu(c)).not.toEqual(la)
    // the records carry simulated time: the run starts at the virtual epoch
    expect(JSON.parse(la[0] as string).time).toBe(Date.UTC(2030, 0, 1))
  }, 300_000)

  it('--clock virtual with --transport tcp, and an unknown clock, are refused with exit 2 and one line', async () => {
    const tcp = await runPsm(['scenario', 'simple-discovery', '--clock', 'virtual', '--transport', 'tcp'])
    expect(tcp.code).toBe(2)
    expect(tcp.stderr.trim().split('\n')).toHaveLength(1)
    expect(tcp.stderr).toMatch(/--clock virtual: needs the memory transport/)
    const bad = await runPsm(['scenario', 'simple-discovery', '--clock=sundial'])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toBe("psm scenario: --clock: 'sundial' is not one of real, virtual, paced")
  })
})

describe('psm sim --clock virtual', () => {
  it('20 peers, 30 simulated seconds: the same seed twice gives the same log and summary; another seed differs', async () => {
    const [a, b, c] = [file('sa.jsonl'), file('sb.jsonl'), file('sc.jsonl')]
    const ra = await sim(11, '30s', 20, a)
    const rb = await sim(11, '30s', 20, b)
    const rc = await sim(12, '30s', 20, c)
    expect(ra.summary).toMatchObject({ clock: 'virtual', elapsedMs: expect.any(Number) })
    expect(ra.summary.elapsedMs as number).toBeGreaterThanOrEqual(30_000)
    const la = logWithoutCpu(a)
    expect(la.length).toBeGreaterThan(1000)
    expect(logWithoutCpu(b)).toEqual(la)
    expect(rb.run).toEqual(ra.run)
    expect(logWithoutCpu(c)).not.toEqual(la)
    expect(rc.run).not.toEqual(ra.run)
  }, 300_000)

  it('a CPU hog beside the run changes nothing the run measures', async () => {
    const [idle, busy] = [file('idle.jsonl'), file('busy.jsonl')]
    const quiet = await sim(13, '15s', 10, idle)
    const hogs = [cpuHog(), cpuHog()]
    try {
      const loaded = await sim(13, '15s', 10, busy)
      expect(logWithoutCpu(busy)).toEqual(logWithoutCpu(idle))
      expect(loaded.run).toEqual(quiet.run)
    } finally {
      for (const h of hogs) h.kill('SIGKILL')
    }
  }, 300_000)

  it('spans carry simulated time too: every trace span of a virtual run lies within its simulated span', async () => {
    const cwd = mkdtempSync(join(dir, 'traces-'))
    const args = ['sim', '--duration', '10s', '--max-peers', '10', '--seed', '2', '--quiet', '--clock', 'virtual']
    const r = await runPsm([...args, '--trace', 'file'], { cwd, env: { PS_TRACING_HOST: '1' }, timeoutMs: 120_000 })
    expect(r.code, r.stderr).toBe(0)
    const spans = readFileSync(join(cwd, 'traces.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; start: number; end: number })
    expect(spans.length).toBeGreaterThan(100)
    const epoch = Date.UTC(2030, 0, 1)
    for (const s of spans) {
      // a transition span opens its real CPU duration (µs) before its record's simulated time
      expect(s.start, s.name).toBeGreaterThanOrEqual(epoch - 1000)
      expect(s.end, s.name).toBeLessThanOrEqual(epoch + 60_000)
    }
  }, 300_000)

  it('60 simulated seconds of 10 peers take well under 60 s of wall time', async () => {
    const { summary } = await sim(14, '60s', 10, file('60s.jsonl'))
    const elapsed = summary.elapsedMs as number
    const wall = (summary.process as { wallMs: number }).wallMs
    expect(elapsed).toBeGreaterThanOrEqual(60_000)
    expect(wall).toBeLessThan(elapsed / 2)
  }, 120_000)

  it('paced: simulated time never gets ahead of the wall clock', async () => {
    const log = file('paced.jsonl')
    const t0 = Date.now()
    const { summary } = await sim(15, '3s', 10, log, 'paced')
    const lifetime = Date.now() - t0
    expect(summary.clock).toBe('paced')
    expect(summary.elapsedMs as number).toBeGreaterThanOrEqual(3_000)
    expect(summary.elapsedMs as number).toBeLessThanOrEqual(lifetime)
    const times = logWithoutCpu(log).map((l) => JSON.parse(l).time as number)
    expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(lifetime)
  })

  it('clock: virtual in sim.yml with host.transport tcp is refused with exit 2 and one line', async () => {
    const cfg = file('sim.yml')
    writeFileSync(cfg, 'clock: virtual\nhost:\n  transport: tcp\n')
    const r = await runPsm(['sim', '--config', cfg])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/clock virtual needs host.transport memory/)
  })
})
