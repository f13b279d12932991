// In-process simulator runs (real hosts): seed determinism, the metrics endpoint and sim.yml's bound on
// connections.
import { describe, expect, test } from 'vitest'
import { loadSimConfig } from '../../src/config/sim.js'
import type { Host } from '../../src/net/host.js'
import { runSim } from '../../src/sim/run.js'
import { Simulator } from '../../src/sim/runtime.js'

const FAST = new URL('../fixtures/sim-fast.yml', import.meta.url).pathname

describe('simulator runs', () => {
  test('two runs with the same seed make the same first 50 decisions', async () => {
    const config = loadSimConfig({ path: FAST, env: {}, flags: { duration: '0' } })
    const firstN = async (seed: number, n = 50) => {
      let resolve!: () => void
      const promise = new Promise<void>((r) => (resolve = r))
      const sim = new Simulator(config, seed, {
        onDecision: () => {
          if (sim.decisions.length >= n) resolve()
        },
      })
      await sim.start()
      await promise
      await sim.stop()
      return sim.decisions.slice(0, n)
    }
    const a = await firstN(42)
    const b = await firstN(42)
    expect(a).toHaveLength(50)
    expect(a.filter((d) => d.args !== null).length).toBeGreaterThan(25)
    expect(b).toEqual(a)
    expect(await firstN(43, 20)).not.toEqual(a.slice(0, 20))
    // three simulator runs on real hosts: slow when the machine is shared
  }, 240_000)

  test('the metrics endpoint serves every sim_* family, agreeing with the final status block', async () => {
    const config = loadSimConfig({ path: FAST, env: {}, flags: { duration: '8s', seed: '9', metrics: '127.0.0.1:0' } })
    let text = ''
    let final: { peers: number; topics: number; msgsRecv: number; msgsMiss: number } | undefined
    let block = ''
    const summary = await runSim({
      config,
      out: (t) => {
        if (t.startsWith('--- sim final')) block = t
      },
      beforeClose: async (stats, url) => {
        final = stats
        text = await (await fetch(url!)).text()
      },
    })
    expect(summary.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    const value = (name: string) => {
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)
      expect(m, `${name} in the exposition`).not.toBeNull()
      return Number(m![1])
    }
    for (const name of [
      'sim_peers',
      'sim_topics',
      'sim_connections',
      'sim_streams',
      'sim_friends',
      'sim_peers_with_topics',
      'sim_msgs_recv_total',
      'sim_msgs_miss_total',
    ]) {
      value(name)
    }
    expect(text).toMatch(/^sim_peers_per_topic\{topic="[^"]+"\} \d+/m)
    expect(text).toMatch(/^sim_delivery_latency_seconds_bucket\{le="0\.1",topic="[^"]+"\} \d+/m)
    expect(value('sim_peers')).toBe(final!.peers)
    expect(value('sim_topics')).toBe(final!.topics)
    expect(value('sim_msgs_recv_total')).toBe(final!.msgsRecv)
    expect(value('sim_msgs_miss_total')).toBe(final!.msgsMiss)
    expect(block).toMatch(new RegExp(`peers:\\s+${final!.peers} `))
    expect(block).toMatch(new RegExp(`msgs received:\\s+${final!.msgsRecv}\\n`))
    // machine metrics come from the same records
    expect(text).toMatch(/_transitions_total\{[^}]*type="simulator"/)
  })
  test("sim.yml's discovery.findLimit and discovery.maxConnections bound every peer's connections", async () => {
    const config = loadSimConfig({ path: FAST, env: {}, flags: { duration: '0' } })
    // ten peers in one topic: unbounded, discovery would have each dial every other (nine connections)
    config.initial = { peers: 10, topics: 1, peersPerTopic: 10 }
    config.discovery = { ...config.discovery, findLimit: 1, maxConnections: 3 }
    const hosts = new Map<number, Host>()
    const sim = new Simulator(config, 5, { onHost: (n, h) => hosts.set(n, h) })
    await sim.start()
    await new Promise((r) => setTimeout(r, 1500))
    const all = [...hosts].sort(([a], [b]) => a - b).map(([, h]) => h.getConnections().length)
    await sim.stop()
    // the heartbeat may have added a peer meanwhile: every peer is bounded, the initial ten are connected
    expect(all.length).toBeGreaterThanOrEqual(10)
    expect(Math.max(...all)).toBeLessThanOrEqual(3)
    expect(Math.min(...all.slice(0, 10))).toBeGreaterThan(0)
  }, 120_000)

  test('GC closes the connections of peers that share no topic, friendship or bootstrap link', async () => {
    const config = loadSimConfig({ path: FAST, env: {}, flags: { duration: '0' } })
    // topics come and go fast, so peers keep connections to topics they no longer share
    config.periods.RemoveTopic = 1500
    config.periods.AddTopic = 1000
    config.periods.RemovePeer = 0
    config.periods.GC = 2000
    const hosts = new Map<number, Host>()
    const sim = new Simulator(config, 11, { onHost: (n, h) => hosts.set(n, h) })
    await sim.start()
    await new Promise((r) => setTimeout(r, 9000))
    // hold the network still, let joins in flight end, then collect once more and look
    sim.schedule.paused = true
    await new Promise((r) => setTimeout(r, 1500))
    await sim.collect()
    const peers = [...sim.world.peers.values()].filter((p) => p.ready && p.peerId)
    const byId = new Map(peers.map((p) => [p.peerId!, p]))
    const unexplained: string[] = []
    let pairs = 0
    for (const p of peers) {
      for (const c of hosts.get(p.n)?.getConnections() ?? []) {
        const q = byId.get(c.remotePeer.toString())
        if (!q) continue
        pairs++
        const topics = new Set([...p.topics, ...p.busy])
        const shared = [...q.topics, ...q.busy].some((t) => topics.has(t))
        const boot = sim.peer(p.n)?.bootIds.has(q.peerId!) || sim.peer(q.n)?.bootIds.has(p.peerId!)
        if (!shared && !p.friends.has(q.n) && !boot) unexplained.push(`${p.id}-${q.id}`)
      }
    }
    const pruned = sim.world.counters.connectionsPruned
    await sim.stop()
    expect(pairs).toBeGreaterThan(0)
    expect(pruned).toBeGreaterThan(0)
    expect(unexplained).toEqual([])
  }, 120_000)
})
