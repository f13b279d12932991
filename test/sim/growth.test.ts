// How fast the sim says its network grows toward --max-peers, and where `--log DIR` writes.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultSimConfig } from '../../src/config/sim.js'
import { peerGrowth } from '../../src/sim/growth.js'
import { resolveLogPath } from '../../src/sim/run.js'
import { formatStatus } from '../../src/sim/stats.js'

const withLimits = (maxPeers: number, AddPeer: number, RemovePeer: number) => {
  const c = defaultSimConfig()
  return { limits: { ...c.limits, maxPeers }, periods: { ...c.periods, AddPeer, RemovePeer } }
}

describe('peer growth', () => {
  it('says the rates and when the limit is reached, net of RemovePeer', () => {
    // 290 peers at 1/3s - 1/50s: 925 s
    expect(peerGrowth(withLimits(300, 3000, 50_000), 10)).toBe('+1 peer per 3s, -1 per 50s: 300 in ~15m')
    expect(peerGrowth(withLimits(20, 3000, 0), 10)).toBe('+1 peer per 3s: 20 in ~30s')
    expect(peerGrowth(withLimits(20, 3000, 50_000), 20)).toBe('at the limit of 20')
    expect(peerGrowth(withLimits(20, 0, 50_000), 5)).toBe(
      'AddPeer is off (periods.AddPeer 0): stays below the limit of 20',
    )
    expect(peerGrowth(withLimits(20, 60_000, 30_000), 5)).toBe(
      '+1 peer per 1m, -1 per 30s: does not grow toward the limit of 20',
    )
  })

  it('shows in the status block under the peers', () => {
    const stats = {
      peers: 12,
      readyPeers: 12,
      topics: 0,
      connections: 0,
      streams: 0,
      friendships: 0,
      peersWithTopics: 0,
      peersPerTopic: 0,
      msgsSent: 0,
      msgsRecv: 0,
      msgsMiss: 0,
      perTopic: [],
    }
    const text = formatStatus(stats as never, 10_000, 'status', 'at the limit of 12')
    expect(text.split('\n').slice(2, 4)).toEqual([
      'peers:             12 (12 ready)',
      'peer growth:       at the limit of 12',
    ])
  })
})

describe('--log', () => {
  it('a folder, with or without the slash, means a new timestamped .jsonl.gz in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'psm-logdir-'))
    const at = new Date('2026-11-21T06:27:34.123Z')
    expect(resolveLogPath(`${dir}/`, at)).toBe(`${dir}/sim-2026-11-21T06-27-34.jsonl.gz`)
    expect(resolveLogPath(dir, at)).toBe(`${dir}/sim-2026-11-21T06-27-34.jsonl.gz`)
    expect(resolveLogPath('data/', at)).toBe('data/sim-2026-11-21T06-27-34.jsonl.gz')
    expect(resolveLogPath(join(dir, 'run.jsonl'), at)).toBe(join(dir, 'run.jsonl'))
    expect(resolveLogPath(null, at)).toBeNull()
  })
})
