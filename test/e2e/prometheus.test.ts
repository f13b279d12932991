// Every dashboard query against a real Prometheus scraping a real `psm sim --metrics`: no dead panels.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { dashboardQueries } from '../grafana/dashboards.js'
import { PSM_BIN } from '../helpers/cli.js'
import { freePort, hasData, type Prometheus, startPrometheus } from './prometheus-harness.js'

// a busy small network: messages twice a second, metrics refreshed every second, nobody leaves, a modelled wire
const SIM_YML = `
duration: 0
heartbeat: 250ms
initial:
  peers: 8
  topics: 3
  peersPerTopic: 5
periods:
  AddRandomFriend: 1s
  JoinRandomTopic: 1s
  JoinFriendsTopic: 2s
  MsgRandomTopic: 500ms
  AddPeer: 2s
  AddTopic: 3s
  PeakRandTopic: 5s
  RemovePeer: 0s
  RemoveTopic: 0s
  GC: 0s
metricsInterval: 1s
printInterval: 0s
# a network model, so the sim_net_* panels have series
network: { latency: 5ms, bandwidth: 50Mbit }
`

const dir = mkdtempSync(join(tmpdir(), 'psm-e2e-prom-'))
let sim: ChildProcess | undefined
let simOut = ''
let prom: Prometheus | undefined

afterAll(async () => {
  await prom?.stop()
  if (sim && sim.exitCode === null && sim.signalCode === null) {
    const exited = new Promise((resolve) => sim!.once('exit', resolve))
    process.kill(sim.pid!, 'SIGINT')
    await exited
  }
  rmSync(dir, { recursive: true, force: true })
})

async function startSim(port: number): Promise<void> {
  const config = join(dir, 'sim.yml')
  writeFileSync(config, SIM_YML)
  sim = spawn(process.execPath, [PSM_BIN, 'sim', '--config', config, '--metrics', `127.0.0.1:${port}`, '--quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  sim.stdout?.on('data', (d) => (simOut += d))
  sim.stderr?.on('data', (d) => (simOut += d))
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (sim.exitCode !== null) throw new Error(`psm sim exited ${sim.exitCode}: ${simOut}`)
    try {
      if ((await fetch(`http://127.0.0.1:${port}/metrics`)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`psm sim never served metrics: ${simOut}`)
}

describe('dashboards against Prometheus scraping psm sim', () => {
  test('Prometheus scrapes the sim (up == 1) and every panel and variable query returns data', async () => {
    const port = await freePort()
    await startSim(port)
    prom = await startPrometheus(`127.0.0.1:${port}`)
    await prom.waitUp()

    const queries = dashboardQueries()
    expect(queries.length).toBeGreaterThan(40)
    // rates need two scrapes and topics need their first messages: retry the dead ones for a while
    let dead = queries
    const deadline = Date.now() + 60_000
    while (dead.length > 0 && Date.now() < deadline) {
      const results = await Promise.all(dead.map(async (q) => ({ q, r: await prom!.query(q.promql) })))
      for (const { q, r } of results) {
        expect(r.status, `${q.dashboard} ${q.where}: ${r.error ?? ''}`).toBe('success')
      }
      dead = results.filter(({ r }) => !hasData(r)).map(({ q }) => q)
      if (dead.length > 0) await new Promise((r) => setTimeout(r, 2_000))
    }
    expect(
      dead.map((q) => `${q.dashboard} ${q.where}: ${q.promql}`),
      'queries without data',
    ).toEqual([])
    expect(sim?.exitCode, simOut).toBeNull()
  }, 150_000)
})
