import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createActor } from 'xstate'
import { machineCatalog } from '../../machines/index.js'
import { createJsonlFileSink } from '../../src/telemetry/log/file-sink.js'
import { Recorder } from '../../src/telemetry/recorder.js'
import { runPsm } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-cli-'))

const DESIGN_STATES: Record<string, string[]> = {
  'pubsub-host': ['PeersPending', 'PeersDead', 'GetPeers', 'PublishMessage', 'IncomingRPC', 'RemoveValidator'],
  discovery: ['Start', 'PoolTimer', 'RefreshingDiscoveries', 'DiscoveriesRefreshed', 'StopAdvertisingTopic'],
  'bootstrap-flow': ['Start', 'BootstrapChecking', 'DiscoveringTopic', 'BootstrapDelay', 'TopicBootstrapped'],
  simulator: ['Start', 'Heartbeat', 'AddPeer', 'PeakRandTopic', 'VerifyMsgsRecv', 'RefreshMetrics'],
  'sim-peer': ['Start', 'IsDHT', 'Ready', 'GenIdentity', 'Disconnecting', 'SendingMsgs', 'MsgsSent', 'FwdToSim'],
  topic: ['Stale', 'HasPeers', 'Active', 'Peaking'],
}

describe('psm binary', () => {
  test('--help lists the commands; no command or an unknown one is a usage error', async () => {
    const help = await runPsm(['--help'])
    expect(help.code).toBe(0)
    for (const c of ['sim', 'scenario', 'bench', 'dbg', 'machines', 'log']) expect(help.stdout).toContain(c)
    expect((await runPsm([])).code).toBe(2)
    const bad = await runPsm(['frobnicate'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("unknown command 'frobnicate'")
  })

  test('psm machines --json prints the six derived schemas with the design state names', async () => {
    const res = await runPsm(['machines', '--json'])
    expect(res.code).toBe(0)
    const machines = JSON.parse(res.stdout) as Array<{ type: string; schema: { states: Array<{ name: string }> } }>
    expect(machines.map((m) => m.type).sort()).toEqual(Object.keys(DESIGN_STATES).sort())
    for (const m of machines) {
      const names = m.schema.states.map((s) => s.name)
      expect(names).toEqual(expect.arrayContaining(DESIGN_STATES[m.type]!))
    }
    const sizes = Object.fromEntries(machines.map((m) => [m.type, m.schema.states.length]))
    // the design's counts, each plus Exception
    expect(sizes).toEqual({
      'pubsub-host': 21,
      discovery: 11,
      'bootstrap-flow': 6,
      simulator: 15,
      'sim-peer': 18,
      topic: 5,
    })
    const text = await runPsm(['machines'])
    expect(text.stdout).toContain('Connecting           auto; group Connection; require Start,IdentityReady')
  })

  test('unknown flags are usage errors with exit 2', async () => {
    const res = await runPsm(['machines', '--frob'])
    expect(res.code).toBe(2)
    expect(res.stderr.trim().split('\n')).toHaveLength(1)
    expect(res.stderr).toContain("Unknown option '--frob'")
  })

  test('an unknown command is one line; psm help CMD prints the command help', async () => {
    const bad = await runPsm(['frobnicate'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe("psm: unknown command 'frobnicate' (see 'psm --help' for the commands)\n")
    expect(bad.stdout).toBe('')
    const hostile = await runPsm(['\u001b[31mred'])
    expect(hostile.stderr).toContain("unknown command '\\x1b[31mred'")
    const help = await runPsm(['help', 'sim'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^usage: psm sim/)
    expect(help.stdout).toContain('--initial-peers N')
    expect(help.stdout).toContain('--log FILE|DIR/')
    expect(help.stdout).toMatch(/--max-peers 300 alone takes ~15 minutes/)
    expect(help.stdout).toMatch(/128 \+ the signal \(130, 143, 129\)/)
    const scenario = await runPsm(['help', 'scenario'])
    expect(scenario.stdout).toMatch(/^usage: psm scenario/)
  })

  test('flag errors name the flag once: no repeated prefix, a negative count is out of range, not ambiguous', async () => {
    const unknown = await runPsm(['sim', '--frob'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe("psm sim: Unknown option '--frob' (see 'psm sim --help')\n")
    const compare = await runPsm(['bench', 'compare', '--frob'])
    expect(compare.stderr).toMatch(/^psm bench compare: Unknown option '--frob'/)
    const negative = await runPsm(['sim', '--max-peers', '-3'])
    expect(negative.code).toBe(2)
    expect(negative.stderr).toBe(
      'psm sim: --max-peers: limits.maxPeers: -3 is below the minimum 1 (a positive whole number)\n',
    )
    const tooMany = await runPsm(['sim', '--initial-peers', '30'])
    expect(tooMany.code).toBe(2)
    expect(tooMany.stderr).toBe(
      'psm sim: --initial-peers: initial.peers 30 exceeds limits.maxPeers 20 (RemovePeer could never fire)\n',
    )
  })

  test('an empty config is one line and exit 2, never a silent run on the defaults', async () => {
    const empty = join(dir, 'empty.yml')
    writeFileSync(empty, '')
    for (const cmd of ['sim', 'bench']) {
      const res = await runPsm([cmd, '--config', empty])
      expect(res.code, res.stderr).toBe(2)
      expect(res.stderr).toBe(
        `psm ${cmd}: ${empty}: the config is empty (leave out the file to run on the built-in defaults)\n`,
      )
      expect(res.stdout).toBe('')
    }
    const junk = join(dir, 'junk.yml')
    writeFileSync(junk, `"\\e]0;pwned\\a${'x'.repeat(3000)}"\n`)
    const res = await runPsm(['sim', '--config', junk])
    expect(res.code).toBe(2)
    expect(res.stderr).toBe(`psm sim: ${junk}: '\\x1b]0;pwned\\x07${'x'.repeat(30)}…' is not a mapping of keys\n`)
  })

  test('psm sim --initial-peers starts that many peers and says how fast the network grows', async () => {
    const res = await runPsm(['sim', '--max-peers', '300', '--initial-peers', '12', '--duration', '1s', '--json'], {
      timeoutMs: 90_000,
    })
    expect(res.code, res.stderr).toBe(0)
    expect(res.stderr).toMatch(/12 initial peers \(max 300; \+1 peer per 3s, -1 per 50s: 300 in ~15m\)/)
    const summary = JSON.parse(res.stdout) as { stats: { peers: number } }
    expect(summary.stats.peers).toBeGreaterThanOrEqual(12)
  })

  test('a recorder log round-trips through psm log validate and psm log stats', async () => {
    const file = join(dir, 'all.jsonl.gz')
    const rec = new Recorder({ source: 'cli test', snapshotEvery: 2 })
    rec.addSink(createJsonlFileSink(file))
    for (const m of machineCatalog()) {
      const a = createActor(m.machine, { input: { topic: 't', peer: 'p' }, ...rec.actorOptions(`${m.type}-0`) })
      a.start()
      a.send({ type: 'add.Start' })
      a.send({ type: 'GetPeers', args: {} })
    }
    await rec.close()
    const ok = await runPsm(['log', 'validate', file])
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/ok \(format version 2, \d+ lines, 6 machines, \d+ transitions\)/)
    const stats = await runPsm(['log', 'stats', file, '--json'])
    expect(stats.code).toBe(0)
    const s = JSON.parse(stats.stdout)
    expect(Object.keys(s.machinesByType).sort()).toEqual(
      machineCatalog()
        .map((m) => m.type)
        .sort(),
    )
    expect(s.activations['pubsub-host'].GetPeers).toBe(1)
    expect(s.refused).toBeGreaterThan(0) // GetPeers is no event of the other five
    const text = await runPsm(['log', 'stats', file])
    expect(text.stdout).toContain('transitions:')
  })

  test('bad logs: one line naming the file, the line and the problem; exit 2', async () => {
    const notLog = join(dir, 'not-a-log.jsonl')
    writeFileSync(notLog, '{"hello":1}\n')
    const a = await runPsm(['log', 'validate', notLog])
    expect(a.code).toBe(2)
    expect(a.stderr.trim()).toBe(`psm log: ${notLog}: line 1: not a psm log (unknown record kind 'undefined')`)
    const trunc = join(dir, 'trunc.jsonl')
    writeFileSync(trunc, '{"kind":"header","format":"psm-log","version":1,"time":1}\n{"kind":"machine","id":')
    const b = await runPsm(['log', 'validate', trunc])
    expect(b.code).toBe(2)
    expect(b.stderr.trim()).toBe(`psm log validate: ${trunc}: line 2: truncated: the last line is incomplete`)
    const c = await runPsm(['log', 'stats', join(dir, 'nope.jsonl')])
    expect(c.code).toBe(2)
    expect(c.stderr).toContain('cannot read (ENOENT)')
    expect((await runPsm(['log', 'frob', trunc])).code).toBe(2)
  })
})
