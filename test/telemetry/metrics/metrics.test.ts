import { execFileSync } from 'node:child_process'
import { getMetrics } from '@libp2p/gossipsub/metrics'
import type { Registry } from 'prom-client'
import { describe, expect, test } from 'vitest'
import { createRunMetrics, type RunMetrics } from '../../../src/telemetry/metrics/metrics.js'
import {
  BEHAVIOUR_PENALTY_BUCKETS,
  GOSSIPSUB_RENAMES,
  HEARTBEAT_BUCKETS,
} from '../../../src/telemetry/metrics/metrics-gossipsub.js'
import { TRANSITION_BUCKETS } from '../../../src/telemetry/metrics/metrics-machines.js'
import type { PsmRecord, TxRecord } from '../../../src/telemetry/records.js'
import { runTree, TREE } from '../traces/otel-tree.js'
import { familyNames, fullRunMetrics, gossipsubMetricsFor, touchEveryGossipsubFamily } from './metrics-fixture.js'

/** The value of one series, by sample name (e.g. x_bucket) and exact label set; undefined if absent. */
async function value(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_(bucket|sum|count)$/, ''))
  if (!metric) return undefined
  const { name: base, values } = await metric.get()
  const want = Object.entries(labels)
  for (const v of values) {
    if (((v as { metricName?: string }).metricName ?? base) !== name) continue
    const l = v.labels as Record<string, string | number>
    if (Object.keys(l).length !== want.length) continue
    if (want.every(([k, x]) => String(l[k]) === x)) return v.value
  }
  return undefined
}

function promtool(text: string): { ok: boolean; out: string } {
  try {
    const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: 'pipe' })
    return { ok: true, out }
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string }
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

describe('gossipsub metricsRegister adapter', () => {
  test('one family per metric shared by all hosts; host label for the first N, the rest summed as "other"', async () => {
    const run = createRunMetrics({ hostLabelLimit: 2, processMetrics: false })
    const gms = [0, 1, 2, 3].map((i) => gossipsubMetricsFor(run, `ps-${i}`))
    gms.forEach((gm, i) => {
      gm.onRpcRecv({ messages: [{}, {}], control: { graft: [{}] } } as never, 100 * (i + 1))
      gm.onJoin('t1')
      gm.meshPeerCounts.set({ topicStr: 't1' }, i + 1)
      gm.peersPerProtocol.inc({ protocol: '/meshsub/1.2.0' }, 1)
    })
    const r = run.registry
    expect(await value(r, 'gossipsub_rpc_recv_message_total', { host: 'ps-0' })).toBe(2)
    expect(await value(r, 'gossipsub_rpc_recv_message_total', { host: 'ps-1' })).toBe(2)
    expect(await value(r, 'gossipsub_rpc_recv_message_total', { host: 'other' })).toBe(4)
    expect(await value(r, 'gossipsub_rpc_recv_bytes_total', { host: 'other' })).toBe(300 + 400)
    // gossipsub's camelCase topicStr label is exported as topic; gauges of "other" are sums over its hosts
    expect(await value(r, 'gossipsub_mesh_peers', { topic: 't1', host: 'ps-1' })).toBe(2)
    expect(await value(r, 'gossipsub_mesh_peers', { topic: 't1', host: 'other' })).toBe(3 + 4)
    expect(await value(r, 'gossipsub_topic_subscription_status', { topic: 't1', host: 'other' })).toBe(2)
    expect(await value(r, 'psm_gossipsub_hosts', { host: 'other' })).toBe(2)
    expect(await value(r, 'psm_gossipsub_hosts', { host: 'ps-0' })).toBe(1)
    // unlabelled counters exist at 0 before anything happens
    expect(await value(r, 'gossipsub_rpc_recv_iwant_total', { host: 'ps-0' })).toBe(0)
    // an IHAVE whose ids were all seen: the not-seen counter of its topic exists at 0 (a rate of 0, not no data)
    gms[0]!.onIhaveRcv('t1', 3, 0)
    expect(await value(r, 'gossipsub_ihave_rcv_msgids_total', { topic: 't1', host: 'ps-0' })).toBe(3)
    expect(await value(r, 'gossipsub_ihave_rcv_not_seen_msgids_total', { topic: 't1', host: 'ps-0' })).toBe(0)
    gms[0]!.onIhaveRcv('t1', 2, -1)
    expect(await value(r, 'gossipsub_ihave_rcv_not_seen_msgids_total', { topic: 't1', host: 'ps-0' })).toBe(0)
    // a repeated set replaces this host's share only
    gms[2]!.meshPeerCounts.set({ topicStr: 't1' }, 10)
    expect(await value(r, 'gossipsub_mesh_peers', { topic: 't1', host: 'other' })).toBe(10 + 4)
    // one series set per family: the exposition names each family once
    const text = await run.text()
    expect(text.match(/^# TYPE gossipsub_mesh_peers gauge$/gm)).toHaveLength(1)
    expect(text.match(/^gossipsub_mesh_peers\{/gm)).toHaveLength(3)
    run.close()
  })

  test('release: a stopped host leaves the gauges (labelled: series removed; shared: its share subtracted)', async () => {
    const run2 = createRunMetrics({ hostLabelLimit: 1, processMetrics: false })
    const a = run2.gossipsub.forHost('a')
    const b = run2.gossipsub.forHost('b')
    const c = run2.gossipsub.forHost('c')
    const opts = { gossipPromiseExpireSec: 3, behaviourPenaltyThreshold: 6, maxMeshMessageDeliveriesWindowSec: 1 }
    const { getMetrics } = await import('@libp2p/gossipsub/metrics')
    const [ga, gb, gc] = [a, b, c].map((h) => getMetrics(h.metricsRegister, h.metricsTopicStrToLabel, opts))
    expect([a, b, c].map((h) => h.label)).toEqual(['a', 'other', 'other'])
    expect(await value(run2.registry, 'gossipsub_mesh_peers', { topic: 't', host: 'other' })).toBeUndefined()
    ga!.meshPeerCounts.set({ topicStr: 't' }, 1)
    gb!.meshPeerCounts.set({ topicStr: 't' }, 2)
    gc!.meshPeerCounts.set({ topicStr: 't' }, 3)
    let scraped = 0
    gb!.mcacheSize.addCollect(() => scraped++)
    b.release()
    a.release()
    const r2 = run2.registry
    expect(await value(r2, 'gossipsub_mesh_peers', { topic: 't', host: 'other' })).toBe(3)
    expect(await value(r2, 'gossipsub_mesh_peers', { topic: 't', host: 'a' })).toBeUndefined()
    expect(await value(r2, 'psm_gossipsub_hosts', { host: 'other' })).toBe(1)
    await run2.text()
    expect(scraped).toBe(0)
    run2.close()
  })

  test('scrape callbacks run per host; snapshot histograms reset once per scrape; avg/min/max merge', async () => {
    const run = createRunMetrics({ hostLabelLimit: 1, processMetrics: false })
    const gms = [0, 1, 2].map((i) => gossipsubMetricsFor(run, `ps-${i}`))
    gms.forEach((gm, i) => {
      gm.mcacheSize.addCollect(() => {
        gm.mcacheSize.set(10 * (i + 1))
        gm.connectedPeersBackoffSec.reset()
        gm.connectedPeersBackoffSec.observe(i + 1)
        gm.registerScores([i, i + 10], {
          gossipThreshold: -10,
          publishThreshold: -50,
          graylistThreshold: -80,
          acceptPXThreshold: 10,
          opportunisticGraftThreshold: 20,
        })
      })
    })
    const r = run.registry
    for (let scrape = 0; scrape < 3; scrape++) await run.text()
    // three scrapes, but each host's backoff is a snapshot: one observation per host
    expect(await value(r, 'gossipsub_connected_peers_backoff_seconds_count', { host: 'ps-0' })).toBe(1)
    expect(await value(r, 'gossipsub_connected_peers_backoff_seconds_count', { host: 'other' })).toBe(2)
    expect(await value(r, 'gossipsub_mcache_size', { host: 'other' })).toBe(20 + 30)
    expect(await value(r, 'gossipsub_score_avg', { host: 'ps-0' })).toBe(5)
    expect(await value(r, 'gossipsub_score_min', { host: 'other' })).toBe(1)
    expect(await value(r, 'gossipsub_score_max', { host: 'other' })).toBe(12)
    expect(await value(r, 'gossipsub_score_avg', { host: 'other' })).toBe((1 + 11 + 2 + 12) / 4)
    expect(await value(r, 'gossipsub_peers_by_score_threshold', { threshold: 'mesh', host: 'other' })).toBe(4)
    run.close()
  })

  test('heartbeat timer observes seconds; counters never go down', async () => {
    const run = createRunMetrics({ processMetrics: false })
    const gm = gossipsubMetricsFor(run, 'ps-0')
    const end = gm.heartbeatDuration.startTimer()
    end()
    expect(await value(run.registry, 'gossipsub_heartbeat_duration_seconds_count', { host: 'ps-0' })).toBe(1)
    const sum = await value(run.registry, 'gossipsub_heartbeat_duration_seconds_sum', { host: 'ps-0' })
    expect(sum).toBeGreaterThanOrEqual(0)
    expect(sum).toBeLessThan(1)
    gm.iwantPromiseBroken.inc(3)
    expect(() => gm.iwantPromiseBroken.inc(-1)).not.toThrow()
    expect(await value(run.registry, 'gossipsub_iwant_promise_broken_total', { host: 'ps-0' })).toBe(3)
    run.close()
  })
})

describe('machine and sim metrics', () => {
  test('from real machines: transitions, refused, activations by state, active states, durations', async () => {
    const run = createRunMetrics({ processMetrics: false })
    const records: PsmRecord[] = []
    await runTree((rec) => {
      run.attach(rec)
      rec.subscribe((x) => records.push(x))
    })
    const r = run.registry
    const txs = records.filter((x): x is TxRecord => x.kind === 'tx')
    for (const m of TREE) {
      const mine = txs.filter((t) => t.machine === m.id)
      const labels = { machine: m.id, type: typeFor(m.id) }
      expect(await value(r, 'psm_machine_transitions_total', labels), m.id).toBe(mine.filter((t) => t.accepted).length)
      expect(await value(r, 'psm_machine_refused_total', labels), m.id).toBe(mine.filter((t) => !t.accepted).length)
      expect(await value(r, 'psm_machine_transition_duration_seconds_count', labels)).toBe(mine.length)
      // every machine stopped: nothing is active
      expect(await value(r, 'psm_machine_active_states', labels)).toBe(0)
    }
    // at least the AddPeer the unstarted simulator refused
    expect(await value(r, 'psm_machine_refused_total', { machine: 'sim', type: 'simulator' })).toBeGreaterThanOrEqual(1)
    const peer = { machine: 'sim-p0', type: 'sim-peer' }
    expect(await value(r, 'psm_machine_state_activations_total', { ...peer, state: 'Connected' })).toBe(1)
    expect(await value(r, 'psm_machine_state_activations_total', { ...peer, state: 'JoiningTopic' })).toBe(1)
    const host = { machine: 'ps-0', type: 'pubsub-host' }
    expect(await value(r, 'psm_machine_state_activations_total', { ...host, state: 'PublishMessage' })).toBe(1)
    expect(await value(r, 'psm_machines', { type: 'sim-peer' })).toBe(0)
    run.close()
  })

  test('active states while running, and machines beyond the label limit share machine="other"', async () => {
    const run = createRunMetrics({ machineLabelLimit: 2, processMetrics: false })
    const { createActor } = await import('xstate')
    const { topicMachine } = await import('../../../machines/topic.js')
    const { Recorder } = await import('../../../src/telemetry/recorder.js')
    const rec = new Recorder()
    run.attach(rec)
    const actors = [0, 1, 2, 3].map((i) => createActor(topicMachine, rec.actorOptions(`sim-t-${i}`, null)).start())
    for (const a of actors) a.send({ type: 'add.HasPeers' })
    const r = run.registry
    // Stale (auto) and HasPeers
    expect(await value(r, 'psm_machine_active_states', { machine: 'sim-t-0', type: 'topic' })).toBe(2)
    expect(await value(r, 'psm_machine_active_states', { machine: 'other', type: 'topic' })).toBe(4)
    expect(await value(r, 'psm_machine_transitions_total', { machine: 'other', type: 'topic' })).toBe(4)
    expect(await value(r, 'psm_machines', { type: 'topic' })).toBe(4)
    actors[3]!.stop()
    rec.detach('sim-t-3')
    expect(await value(r, 'psm_machine_active_states', { machine: 'other', type: 'topic' })).toBe(2)
    expect(await value(r, 'psm_machines', { type: 'topic' })).toBe(3)
    await rec.close()
    run.close()
  })

  test('sim metrics: gauges, per-topic peers, counters, latency histogram', async () => {
    const run = createRunMetrics({ processMetrics: false })
    run.sim.set({ peers: 10, topics: 3, connections: 40, streams: 80, friends: 7, peersWithTopics: 9 })
    run.sim.set({ peers: 11 })
    run.sim.peersPerTopic('a', 5)
    run.sim.peersPerTopic('b', 2)
    run.sim.topicRemoved('b')
    run.sim.msgsRecv(5)
    run.sim.msgsMiss()
    run.sim.msgsRecv(-1)
    run.sim.deliveryLatency(0.02)
    run.sim.deliveryLatency(Number.NaN)
    const r = run.registry
    expect(await value(r, 'sim_peers')).toBe(11)
    expect(await value(r, 'sim_topics')).toBe(3)
    expect(await value(r, 'sim_streams')).toBe(80)
    expect(await value(r, 'sim_peers_with_topics')).toBe(9)
    expect(await value(r, 'sim_peers_per_topic', { topic: 'a' })).toBe(5)
    expect(await value(r, 'sim_peers_per_topic', { topic: 'b' })).toBeUndefined()
    expect(await value(r, 'sim_msgs_recv_total')).toBe(5)
    expect(await value(r, 'sim_msgs_miss_total')).toBe(1)
    // a delivery whose topic the caller did not say is labelled topic="unknown"
    expect(await value(r, 'sim_delivery_latency_seconds_count', { topic: 'unknown' })).toBe(1)
    expect(await value(r, 'sim_delivery_latency_seconds_bucket', { le: '0.025', topic: 'unknown' })).toBe(1)
    run.close()
  })
})

describe('exposition', () => {
  test('promtool check metrics passes with a value in every family', async () => {
    const { run, gm } = fullRunMetrics({ hostLabelLimit: 1 })
    touchEveryGossipsubFamily(gm, { topic: 't1' })
    touchEveryGossipsubFamily(gossipsubMetricsFor(run, 'ps-1'))
    await runTree((rec) => run.attach(rec))
    run.sim.set({ peers: 1, topics: 1, connections: 1, streams: 1, friends: 1, peersWithTopics: 1 })
    run.sim.peersPerTopic('t1', 1)
    run.sim.msgsRecv()
    run.sim.msgsMiss()
    run.sim.deliveryLatency(0.01)
    run.sim.net('ps-0', {
      bytesSent: 10,
      bytesReceived: 9,
      uplinkWrites: 2,
      uplinkQueueMsTotal: 3,
      uplinkQueueMsMax: 2,
      retransmittedBytes: 1,
      dialsFailed: 1,
    })
    const text = await run.text()
    run.close()
    // every family has at least one sample
    for (const name of familyNames(run)) {
      expect(text, name).toMatch(new RegExp(`^${name}(_bucket|_sum|_count)?(\\{[^}]*\\})? `, 'm'))
    }
    const res = promtool(text)
    expect(res.out).toBe('')
    expect(res.ok).toBe(true)
  })

  test('promtool would catch what the adapter renames (the check is not vacuous)', () => {
    const bad = Object.keys(GOSSIPSUB_RENAMES)
      .filter((n) => n.endsWith('_count'))
      .map((n) => `# HELP ${n} x\n# TYPE ${n} gauge\n${n} 1\n`)
      .join('')
    const res = promtool(bad)
    expect(res.ok).toBe(false)
    expect(res.out).toMatch(/should not have "_count" suffix/)
  })

  test('every family follows the naming conventions: counters end _total, no camelCase, base units', () => {
    const { run } = fullRunMetrics()
    for (const m of run.registry.getMetricsAsArray()) {
      const { name, type } = m as unknown as { name: string; type: string }
      expect(name).toMatch(/^[a-z][a-z0-9_]*$/)
      if (type === 'counter') expect(name, name).toMatch(/_total$/)
      else expect(name, name).not.toMatch(/_total$|_count$|_sum$|_bucket$/)
      expect(name, name).not.toMatch(/_(milliseconds|ms|microseconds|kilobytes|megabytes)(_|$)/)
      expect(name, name).toMatch(/^(psm_|sim_|gossipsub_|process_|nodejs_)/)
    }
    run.close()
  })
})

function typeFor(id: string): string {
  if (id === 'sim') return 'simulator'
  if (id === 'sim-p0') return 'sim-peer'
  if (id.endsWith('-disc')) return 'discovery'
  if (id.includes('-bf-')) return 'bootstrap-flow'
  return 'pubsub-host'
}

describe('gossipsub families psm fixes on the way out', () => {
  const enc = (r: RunMetrics) => r.registry.metrics()

  test('behaviour penalty with gossipsub threshold 0: increasing buckets, each at most +Inf (not five le="0")', async () => {
    const run = createRunMetrics({ processMetrics: false })
    const h = run.gossipsub.forHost('ps-0')
    // gossipsub's own defaults: behaviourPenaltyThreshold 0
    const gm = getMetrics(h.metricsRegister, h.metricsTopicStrToLabel, {
      gossipPromiseExpireSec: 3,
      behaviourPenaltyThreshold: 0,
      maxMeshMessageDeliveriesWindowSec: 0.01,
    })
    for (const v of [0, 0.7, 3, 40]) gm.behaviourPenalty.observe(v)
    const text = await enc(run)
    const buckets = [
      ...text.matchAll(/^gossipsub_peer_stat_behaviour_penalty_bucket\{le="([^"]+)",host="ps-0"\} (\d+)/gm),
    ]
    const les = buckets.map((m) => m[1]!)
    expect(les).toEqual([...BEHAVIOUR_PENALTY_BUCKETS.map(String), '+Inf'])
    const counts = buckets.map((m) => Number(m[2]))
    expect(counts.at(-1)).toBe(4)
    for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeGreaterThanOrEqual(counts[i - 1]!)
    expect(counts[0]).toBe(1) // only the 0
    expect(promtool(text).ok).toBe(true)
    run.close()
  })

  test('heartbeat buckets fine enough for a p50 and p99 (not 0.01 / 0.1 / 1)', async () => {
    const { run, gm } = fullRunMetrics({ processMetrics: false })
    gm.heartbeatDuration.observe(0.003)
    const les = [...(await enc(run)).matchAll(/^gossipsub_heartbeat_duration_seconds_bucket\{le="([^"]+)"/gm)].map(
      (m) => m[1],
    )
    expect(les).toEqual([...HEARTBEAT_BUCKETS.map(String), '+Inf'])
    run.close()
  })

  test('the topic label map fills itself: per-mesh scores carry their topic, not "unknown"; past the limit "other"', async () => {
    const run = createRunMetrics({ processMetrics: false, topicLabelLimit: 2 })
    const gm = gossipsubMetricsFor(run, 'ps-0')
    for (const t of ['a', 'b', 'c']) gm.meshPeerCounts.set({ topicStr: t }, 1)
    expect([...run.gossipsub.topicStrToLabel]).toEqual([
      ['a', 'a'],
      ['b', 'b'],
      ['c', 'other'],
    ])
    // gossipsub's own scrape-time call: topics missing from the map would be "unknown"
    gm.registerScorePerMesh(
      new Map([
        ['a', new Set(['p1'])],
        ['c', new Set(['p2'])],
      ]),
      new Map([
        ['p1', 5],
        ['p2', -1],
      ]),
    )
    expect(await value(run.registry, 'gossipsub_score_per_mesh_avg', { topic: 'a', host: 'ps-0' })).toBe(5)
    expect(await value(run.registry, 'gossipsub_score_per_mesh_avg', { topic: 'other', host: 'ps-0' })).toBe(-1)
    expect(
      await value(run.registry, 'gossipsub_score_per_mesh_avg', { topic: 'unknown', host: 'ps-0' }),
    ).toBeUndefined()
    // a later per-topic counter of "c" lands in "other" too: cardinality stays bounded
    gm.meshPeerInclusionEventsRandom.inc({ topic: gm.toTopic('c') }, 1)
    expect(
      await value(run.registry, 'gossipsub_mesh_peer_inclusion_events_random_total', { topic: 'other', host: 'ps-0' }),
    ).toBe(1)
    run.close()
  })

  test('starved meshes: subscribed hosts below D_lo, counted host by host, "other" hosts included', async () => {
    const run = createRunMetrics({ processMetrics: false, hostLabelLimit: 1 })
    const hosts = [0, 1, 2, 3].map((i) => run.gossipsub.forHost(`ps-${i}`))
    const gms = hosts.map((h) =>
      getMetrics(h.metricsRegister, h.metricsTopicStrToLabel, {
        gossipPromiseExpireSec: 3,
        behaviourPenaltyThreshold: 0,
        maxMeshMessageDeliveriesWindowSec: 0.01,
      }),
    )
    for (const gm of gms) gm.onJoin('t')
    // mesh sizes 2, 5, 3, 6: two hosts below D_lo = 4, both beyond the host label limit would be summed
    for (const [i, n] of [2, 5, 3, 6].entries()) gms[i]!.meshPeerCounts.set({ topicStr: 't' }, n)
    const starved = async () => {
      await run.registry.metrics()
      return value(run.registry, 'psm_gossipsub_starved_meshes', { topic: 't' })
    }
    expect(await starved()).toBe(2)
    // a host that left the topic is not starved; a stopped host is gone
    gms[0]!.onLeave('t')
    expect(await starved()).toBe(1)
    hosts[2]!.release()
    expect(await starved()).toBe(0)
    run.close()
  })

  test('transition time buckets reach past 25 ms; delivery latency has a topic label', async () => {
    expect(TRANSITION_BUCKETS.at(-1)!).toBeGreaterThanOrEqual(0.5)
    const run = createRunMetrics({ processMetrics: false })
    run.sim.deliveryLatency(0.2, 't1')
    run.sim.deliveryLatency(0.7, 't1')
    expect(await value(run.registry, 'sim_delivery_latency_seconds_count', { topic: 't1' })).toBe(2)
    expect(await value(run.registry, 'sim_delivery_latency_seconds_bucket', { topic: 't1', le: '0.5' })).toBe(1)
    run.sim.topicRemoved('t1')
    expect(await value(run.registry, 'sim_delivery_latency_seconds_count', { topic: 't1' })).toBeUndefined()
    run.close()
  })
})
