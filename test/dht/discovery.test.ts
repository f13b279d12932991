// DHT-backed discovery end to end: `psm sim` and `psm scenario` with discovery over @libp2p/kad-dht
// (provider records of a CID derived from the topic) on real hosts and gossipsub, virtual clock.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runPsm } from '../helpers/cli.js'
import { readLog } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-dht-disc-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function sim(name: string, yml: string, args: string[] = []) {
  const config = join(dir, `${name}.yml`)
  writeFileSync(config, yml)
  const log = join(dir, `${name}.jsonl`)
  const r = await runPsm(
    ['sim', '--config', config, '--seed', '3', '--clock', 'virtual', '--quiet', '--json', '--log', log, ...args],
    { timeoutMs: 400_000 },
  )
  expect(r.code, r.stderr).toBe(0)
  return {
    stats: JSON.parse(r.stdout).stats as Record<string, number> & { counters: Record<string, number> },
    log: readLog(log),
  }
}

describe('discovery: dht', () => {
  it('a 20-peer sim forms meshes and delivers; the log shows the discovery machines’ DHT lookups', async () => {
    const { stats, log } = await sim(
      'sim20',
      'duration: 30s\ndiscovery: dht\ninitial: { peers: 20, topics: 4, peersPerTopic: 6 }\nlimits: { maxPeers: 20 }\n',
    )
    expect(stats.readyPeers).toBe(20)
    expect(stats.msgsSent).toBeGreaterThan(0)
    expect(stats.msgsRecv).toBeGreaterThan(0)
    expect(stats.msgsMiss).toBe(0)
    // the discovery machines looked topics up in the DHT, and found providers
    const lookups = log.filter((r) => r.event === 'TopicDiscovered' && r.args?.via === 'dht')
    expect(lookups.length).toBeGreaterThan(4)
    expect(lookups.every((r) => /^ps-\d+-disc$/.test(r.machine ?? ''))).toBe(true)
    expect(lookups.some((r) => Number(r.args?.providers) > 0 && Number(r.args?.peersContacted) > 0)).toBe(true)
    // IsDHT on the servers (even peers) only; BootstrapsConnected on every peer that had one to dial
    const isDht = new Set(log.filter((r) => r.event === 'add.IsDHT' && r.accepted).map((r) => r.machine))
    expect([...isDht].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `sim-p${2 * i}`).sort())
    const booted = new Set(
      log
        .filter((r) => r.event === 'add.BootstrapsConnected' && r.added?.includes('BootstrapsConnected'))
        .map((r) => r.machine),
    )
    expect(booted.size).toBeGreaterThanOrEqual(18)
  }, 600_000)

  it('lookups that time out are refused/retried transitions with the error in their args, not a crash', async () => {
    // every lookup crosses 40 ms links and must finish in 30 ms: it cannot
    const { stats, log } = await sim(
      'timeouts',
      'duration: 10s\ndiscovery: { backend: dht, dhtTimeout: 30ms }\ninitial: { peers: 8, topics: 1, peersPerTopic: 6 }\nlimits: { maxPeers: 8 }\nperiods: { RemovePeer: 0, AddPeer: 0 }\n',
      ['--latency', '40ms'],
    )
    expect(stats.readyPeers).toBe(8)
    const failed = log.filter((r) => r.event === 'TopicDiscovered' && typeof r.args?.error === 'string')
    expect(failed.length).toBeGreaterThan(0)
    expect(failed.some((r) => r.args?.error === 'timeout' || /abort/i.test(String(r.args?.error)))).toBe(true)
    // the bootstrap flow went round again after a failed lookup
    const byTopic = new Map<string, number>()
    for (const r of log.filter((x) => x.event === 'DiscoveringTopic')) {
      const k = `${r.machine}/${String(r.args?.topic)}`
      byTopic.set(k, (byTopic.get(k) ?? 0) + 1)
    }
    expect(Math.max(...byTopic.values())).toBeGreaterThan(1)
  }, 600_000)

  it('psm scenario simple-discovery --discovery dht delivers every message', async () => {
    const log = join(dir, 'scenario.jsonl')
    const r = await runPsm(
      [
        'scenario',
        'simple-discovery',
        '--hosts',
        '12',
        '--msgs',
        '5',
        '--clock',
        'virtual',
        '--discovery',
        'dht',
        '--json',
        '--log',
        log,
      ],
      { timeoutMs: 300_000 },
    )
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ delivered: 66, expected: 66, failures: 0 })
    expect(readLog(log).some((x) => x.event === 'TopicDiscovered' && x.args?.via === 'dht')).toBe(true)
  }, 400_000)
})
