// Every dashboard query against a real Prometheus scraping a real `psm sim --metrics`: no dead panels.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { dashboardQueries } from '../grafana/dashboards.js'
import { PSM_BIN } from '../helpers/cli.js'
import { freePort, hasData, type Prometheus, type QueryResult, startPrometheus } from './prometheus-harness.js'

/**
 * Panels that may rightly be empty in this sim, and why; every other query must return data. Each entry must
 * name a query of the dashboards (checked), so the list cannot go stale.
 */
const MAY_BE_EMPTY: ReadonlyMap<string, string> = new Map([
  [
    'gossipsub.json panel "IWANT promise delivery time" A',
    'an IWANT is answered only when gossip outruns the mesh, which a 5 ms wire rarely lets happen',
  ],
  ['gossipsub.json panel "IWANT promise delivery time" B', 'as above'],
])

/** One value of an instant query (the first sample), or undefined when it returned nothing. */
function first(r: QueryResult): number | undefined {
  const v = r.data?.result[0]?.value[1]
  return v === undefined ? undefined : Number(v)
}

// a busy small network: messages twice a second, metrics refreshed every second, a modelled wire, and churn —
// peers leave (meshes lose peers: churn "disconnected") and topics go (hosts unsubscribe: PRUNE, backoff) — so
// the Why late panels have something to show; topics of eight peers leave some outside the mesh (D = 6): IHAVE
const SIM_YML = `
duration: 0
heartbeat: 250ms
initial:
  peers: 12
  topics: 3
  peersPerTopic: 8
periods:
  AddRandomFriend: 1s
  JoinRandomTopic: 1s
  JoinFriendsTopic: 2s
  MsgRandomTopic: 500ms
  AddPeer: 2s
  AddTopic: 3s
  PeakRandTopic: 5s
  RemovePeer: 5s
  RemoveTopic: 8s
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
  // a fixed seed: the same decisions every run, so a failure can be replayed with `psm sim --seed 1`
  const args = ['sim', '--config', config, '--seed', '1', '--metrics', `127.0.0.1:${port}`, '--quiet']
  sim = spawn(process.execPath, [PSM_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
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
    // the sim scraped as two targets: a panel that does not aggregate shows each series twice
    prom = await startPrometheus(`127.0.0.1:${port}`, 2)
    await prom.waitUp()

    const queries = dashboardQueries()
    expect(queries.length).toBeGreaterThan(60)
    const where = new Set(queries.map((q) => `${q.dashboard} ${q.where}`))
    for (const k of MAY_BE_EMPTY.keys()) expect(where.has(k), `MAY_BE_EMPTY names no query: ${k}`).toBe(true)
    // rates need two scrapes and topics need their first messages: retry the dead ones for a while (on a
    // loaded box the sim's peers join late and publish late: a fresh-clone CI run beside other work took
    // over 60 s to show its first publishes)
    let dead = queries
    const deadline = Date.now() + 150_000
    while (dead.length > 0 && Date.now() < deadline) {
      const results = await Promise.all(dead.map(async (q) => ({ q, r: await prom!.query(q.promql) })))
      for (const { q, r } of results) {
        expect(r.status, `${q.dashboard} ${q.where}: ${r.error ?? ''}`).toBe('success')
      }
      dead = results.filter(({ r }) => !hasData(r)).map(({ q }) => q)
      if (dead.every((q) => MAY_BE_EMPTY.has(`${q.dashboard} ${q.where}`))) break
      await new Promise((r) => setTimeout(r, 2_000))
    }
    expect(
      dead
        .filter((q) => !MAY_BE_EMPTY.has(`${q.dashboard} ${q.where}`))
        .map((q) => `${q.dashboard} ${q.where}: ${q.promql}`),
      'queries without data',
    ).toEqual([])

    // every panel aggregates over scrape targets: no two series of a query differ only by job or instance
    const duplicated: string[] = []
    for (const q of queries.filter((x) => !x.variable)) {
      const r = await prom.query(q.promql)
      const seen = new Set<string>()
      for (const series of r.data?.result ?? []) {
        const { job: _job, instance: _instance, ...rest } = series.metric
        const key = JSON.stringify(Object.entries(rest).sort())
        if (seen.has(key)) duplicated.push(`${q.dashboard} ${q.where}: ${q.expr}`)
        seen.add(key)
      }
    }
    expect([...new Set(duplicated)], 'panels showing one series per scrape target').toEqual([])
    // the check is not vacuous: an unaggregated gauge comes back once per scrape target
    expect((await prom.query('sim_peers')).data?.result.map((x) => x.metric.job).sort()).toEqual(['psm', 'psm-2'])
    expect(sim?.exitCode, simOut).toBeNull()
  }, 240_000)

  test('the Why late panels show what happened: a churned mesh, a pruned peer in backoff, starved meshes', async () => {
    expect(prom, 'the first test started Prometheus').toBeDefined()
    const p = prom!
    /** waits until the instant query's first value passes `ok` (the sim runs on: the thing may come later) */
    async function eventually(promql: string, ok: (v: number) => boolean): Promise<void> {
      let last: number | undefined
      const deadline = Date.now() + 90_000
      while (Date.now() < deadline) {
        const r = await p.query(promql)
        expect(r.status, `${promql}: ${r.error ?? ''}`).toBe('success')
        last = first(r)
        if (last !== undefined && ok(last)) return
        await new Promise((res) => setTimeout(res, 1_000))
      }
      expect.fail(`${promql}: last value ${last} (sim: ${simOut.slice(-300)})`)
    }
    const job = '{job="psm"}'
    // peers left: meshes lost them (churn "disconnected"), and hosts re-filled them
    await eventually(`sum(increase(gossipsub_peer_churn_events_disconnected_total${job}[5m]))`, (v) => v > 0)
    await eventually(
      `sum(increase(gossipsub_mesh_peer_inclusion_events_random_total${job}[5m])) + sum(increase(gossipsub_mesh_peer_inclusion_events_subscribed_total${job}[5m]))`,
      (v) => v > 0,
    )
    // topics went: hosts left their meshes with a PRUNE, and the pruned peers sat in backoff
    await eventually(`sum(increase(gossipsub_rpc_recv_prune_total${job}[5m]))`, (v) => v > 0)
    await eventually(`max_over_time(sum(gossipsub_connected_peers_backoff_seconds_count${job})[5m:1s])`, (v) => v > 0)
    // a mesh below D_lo, counted as hosts (a new host starts with an empty mesh)
    await eventually(`max_over_time(sum(psm_gossipsub_starved_meshes${job})[5m:1s])`, (v) => v >= 1)
    // publishes by peer group: with gossipsub's default flood publishing every publish goes to the floodsub
    // group (all topic peers above the publish threshold), never "mesh"; gossip advertised ids
    await eventually(`sum(increase(gossipsub_floodsub_peers_published_total${job}[5m]))`, (v) => v > 0)
    await eventually(`sum(increase(gossipsub_ihave_rcv_msgids_total${job}[5m]))`, (v) => v > 0)
    // per-topic scores carry their topic
    await eventually(`count(gossipsub_score_per_mesh_avg${job})`, (v) => v > 0)
    expect(first(await p.query('count(gossipsub_score_per_mesh_avg{topic="unknown"})'))).toBeUndefined()
    // the heatmap has deliveries in more than one band, labelled by topic
    await eventually(`count(sum by (le) (increase(sim_delivery_latency_seconds_bucket${job}[5m])) > 0)`, (v) => v >= 2)
    expect(first(await p.query('count(count by (topic) (sim_delivery_latency_seconds_count))'))).toBeGreaterThan(0)
    // histograms psm re-bucketed: no repeated le="0" penalty buckets, heartbeat buckets below 10 ms
    expect(
      first(await p.query('count(gossipsub_peer_stat_behaviour_penalty_bucket{job="psm", le="0"})')),
    ).toBeUndefined()
    expect(
      first(await p.query('count(gossipsub_heartbeat_duration_seconds_bucket{job="psm", host="ps-0", le=~"0.00.*"})')),
    ).toBeGreaterThanOrEqual(4)
  }, 300_000)
})
