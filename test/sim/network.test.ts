// The simulator with a network model (real hosts): sim.yml's `network:` section shapes every peer's
// host, deliveries pay the model's latency, sim_net_* metrics show the traffic, and the log header
// records the model.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { parse, stringify } from 'yaml'
import { loadSimConfig } from '../../src/config/sim.js'
import { runSim } from '../../src/sim/run.js'
import { scanLog } from '../../src/telemetry/log/reader.js'

const FAST = new URL('../fixtures/sim-fast.yml', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'psm-sim-net-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('simulator with a network model', () => {
  test('a network: section in sim.yml: deliveries take its latency, sim_net_* are exported, the header holds it', async () => {
    const fast = parse(readFileSync(FAST, 'utf8')) as Record<string, unknown>
    const file = join(dir, 'sim.yml')
    const log = join(dir, 'sim.jsonl')
    writeFileSync(
      file,
      stringify({
        ...fast,
        initial: { peers: 4, topics: 2, peersPerTopic: 3 },
        limits: { maxPeers: 6, maxTopics: 3, maxPeersPerTopic: 6 },
        peaking: { threshold: 5, peersAdded: 2 },
        network: { latency: '30ms', bandwidth: '20Mbit' },
      }),
    )
    const config = loadSimConfig({
      path: file,
      env: {},
      flags: { duration: '5s', seed: '5', metrics: '127.0.0.1:0', log },
    })
    let text = ''
    let recv = 0
    const summary = await runSim({
      config,
      out: () => {},
      quiet: true,
      beforeClose: async (stats, url) => {
        recv = stats.msgsRecv
        text = await (await fetch(url!)).text()
      },
    })
    expect(recv).toBeGreaterThan(0)
    const sample = (name: string, host: string) => {
      const m = new RegExp(`^${name}\\{host="${host}"\\} (\\S+)$`, 'm').exec(text)
      expect(m, `${name}{host="${host}"} in the exposition`).not.toBeNull()
      return Number(m![1])
    }
    expect(sample('sim_net_bytes_sent_total', 'ps-0')).toBeGreaterThan(1000)
    expect(sample('sim_net_bytes_received_total', 'ps-0')).toBeGreaterThan(1000)
    expect(sample('sim_net_uplink_writes_total', 'ps-0')).toBeGreaterThan(0)
    expect(sample('sim_net_uplink_queue_seconds_total', 'ps-0')).toBeGreaterThanOrEqual(0)
    expect(sample('sim_net_uplink_queue_max_seconds', 'ps-0')).toBeGreaterThanOrEqual(0)
    expect(sample('sim_net_retransmitted_bytes_total', 'ps-0')).toBe(0)
    expect(sample('sim_net_dials_failed_total', 'ps-0')).toBe(0)
    // one-way 30 ms: no delivery in the 25 ms bucket, and every delivery counted (summed over the topic label)
    const sum = (re: RegExp) => [...text.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0)
    const bucket = (le: string) =>
      sum(new RegExp(`^sim_delivery_latency_seconds_bucket\\{le="${le}",topic="[^"]*"\\} (\\S+)$`, 'gm'))
    expect(text).toMatch(/^sim_delivery_latency_seconds_bucket\{le="0\.025",topic="/m)
    expect(bucket('0.025')).toBe(0)
    expect(sum(/^sim_delivery_latency_seconds_count\{topic="[^"]*"\} (\S+)$/gm)).toBeGreaterThan(0)

    expect(summary.network).toMatchObject({ seed: 5, inline: { latency: { kind: 'constant', ms: 30 } } })
    const { stats, problem } = await scanLog(log)
    expect(problem).toBeUndefined()
    expect(stats.network).toEqual(summary.network)
  }, 120_000)
})
