// The network model where users set and see it: sim.yml / bench.yml `network:` (paths relative to the
// file), --network / --latency / --bandwidth, an inline model written back for bench children, the log
// header's network entry, and the sim_net_* metric families.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { networkArgs } from '../../src/bench/bench.js'
import { loadBenchConfig } from '../../src/config/bench.js'
import { loadNetworkSpec, type NetworkSection } from '../../src/config/network.js'
import { networkFromFlags } from '../../src/config/network-flags.js'
import { sectionToYaml } from '../../src/config/network-yaml.js'
import { defaultSimConfig, loadSimConfig } from '../../src/config/sim.js'
import { networkLogEntry } from '../../src/net/model/provenance.js'
import { emptyStats } from '../../src/net/model/stats.js'
import { parseRecordLine } from '../../src/telemetry/log/jsonl.js'
import { createRunMetrics } from '../../src/telemetry/metrics/metrics.js'
import { errorOf } from '../helpers/files.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-net-wiring-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('network: in sim.yml and bench.yml', () => {
  it('is null by default (no model) and in the root files', () => {
    expect(defaultSimConfig().network).toBeNull()
    expect(loadSimConfig({ path: 'sim.yml' }).network).toBeNull()
    expect(loadBenchConfig({ path: 'bench.yml' }).network).toBeNull()
  })

  it('a path or a section inline; paths are relative to the file that holds them', () => {
    const sub = join(dir, 'conf')
    mkdirSync(sub, { recursive: true })
    writeFileSync(join(sub, 'm.txt'), '0 10\n20 0\n')
    writeFileSync(join(sub, 'a.yml'), 'network: m.txt\n')
    writeFileSync(join(sub, 'b.yml'), 'network:\n  matrix: m.txt\n  jitter: 1ms\n')
    const a = loadSimConfig({ path: join(sub, 'a.yml') }).network as string
    // outside the working directory a rebased path is absolute
    expect(a).toBe(join(sub, 'm.txt'))
    expect(loadNetworkSpec(a).latency).toMatchObject({
      kind: 'matrix',
      ms: [
        [0, 10],
        [20, 0],
      ],
    })
    const b = loadBenchConfig({ path: join(sub, 'b.yml') }).network as NetworkSection
    expect(loadNetworkSpec(b)).toMatchObject({ latency: { kind: 'matrix' }, jitterMs: 1 })
  })

  it('bad values name the file, line and key', () => {
    const file = join(dir, 'bad.yml')
    writeFileSync(file, 'duration: 5s\nnetwork:\n  latency: 5parsecs\n')
    const err = errorOf(() => loadSimConfig({ path: file }))
    expect(err.name).toBe('InputError')
    expect(err.message).toMatch(/bad\.yml:3: network\.latency: '5parsecs' is not a latency/)
  })

  it("--network, --latency and --bandwidth replace the file's model; --network excludes the shorthands", () => {
    const file = join(dir, 'withnet.yml')
    writeFileSync(file, 'network: { latency: 10ms }\n')
    expect(loadSimConfig({ path: file, flags: { network: 'networks/lan.yml' } }).network).toBe('networks/lan.yml')
    const short = loadSimConfig({ path: file, flags: { latency: '50ms' } }).network as NetworkSection
    expect(short.latency).toEqual({ kind: 'constant', ms: 50 })
    expect(networkFromFlags({})).toBeUndefined()
    const both = errorOf(() => networkFromFlags({ network: 'networks/lan.yml', bandwidth: '1Gbit' }))
    expect(both.name).toBe('UsageError')
    expect(both.message).toBe('--network and --bandwidth exclude each other: put the bandwidth in the model file')
    expect(errorOf(() => networkFromFlags({ bandwidth: 'fast' })).message).toMatch(/^--bandwidth: 'fast' is not/)
  })
})

describe('an inline model handed to bench children', () => {
  it('written back as model YAML, it loads to the same model', () => {
    const text = [
      'network:',
      '  regions: { weights: { a: 1, b: 3 }, latency: { a: { a: 1ms, b: 40.5ms }, b: { a: 41ms, b: 2ms } } }',
      '  jitter: 0.5ms',
      '  loss: 0.02',
      '  dialFailure: 0.1',
      '  bandwidth: { classes: { big: { up: 1Gbit, down: 1Gbit, weight: 1 }, small: { up: 8Mbit, down: 20Mbit, weight: 4 } } }',
      '',
    ].join('\n')
    const file = join(dir, 'bench-inline.yml')
    writeFileSync(file, text)
    const section = loadBenchConfig({ path: file }).network as NetworkSection
    const out = join(dir, 'out')
    mkdirSync(out, { recursive: true })
    const args = networkArgs(section, out)
    expect(args).toEqual(['--network', join(out, 'network.yml')])
    const back = loadNetworkSpec(args[1]!)
    expect({ ...back, source: 'x' }).toEqual({ ...loadNetworkSpec(section), source: 'x' })
    for (const latency of ['7ms', '{ uniform: [1ms, 9ms] }', '{ lognormal: { median: 20ms, sigma: 0.4 } }']) {
      writeFileSync(file, `network: { latency: ${latency} }\n`)
      const s = loadBenchConfig({ path: file }).network as NetworkSection
      writeFileSync(join(out, 'again.yml'), sectionToYaml(s))
      expect(loadNetworkSpec(join(out, 'again.yml')).latency).toEqual(loadNetworkSpec(s).latency)
    }
    expect(networkArgs('networks/world.yml', out)).toEqual(['--network', 'networks/world.yml'])
    expect(networkArgs(null, out)).toEqual([])
  })

  it('a built-in region table stays its name', () => {
    const file = join(dir, 'world-inline.yml')
    writeFileSync(file, 'network: { regions: world }\n')
    const s = loadBenchConfig({ path: file }).network as NetworkSection
    expect(sectionToYaml(s)).toMatch(/^regions: world$/m)
  })
})

describe('the log header network entry', () => {
  const header = (extra: Record<string, unknown>) =>
    JSON.stringify({ kind: 'header', format: 'psm-log', version: 1, time: 1, ...extra })

  it('records a file with its sha256, or the section inline with the hashes of the files it names', () => {
    const file = networkLogEntry('networks/oar-example.txt', 3)
    expect(file).toMatchObject({ file: 'networks/oar-example.txt', seed: 3 })
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/)
    const inline = networkLogEntry(
      { ...(networkFromFlags({ latency: '5ms' }) as NetworkSection), matrix: 'networks/oar-example.txt' },
      4,
    )
    expect(inline.inline).toMatchObject({ latency: { kind: 'constant', ms: 5 } })
    expect(inline.files).toEqual({ 'networks/oar-example.txt': file.sha256 })
    expect(JSON.parse(JSON.stringify(inline))).toEqual(inline)
  })

  it('validates headers with and without it, and rejects a malformed one', () => {
    expect('record' in parseRecordLine(header({}), 1)).toBe(true)
    expect('record' in parseRecordLine(header({ network: networkLogEntry('networks/lan.yml', 1) }), 1)).toBe(true)
    expect('record' in parseRecordLine(header({ network: { inline: { latency: 1 }, seed: 2 } }), 1)).toBe(true)
    const bad = (network: unknown) => {
      const r = parseRecordLine(header({ network }), 1)
      return 'error' in r ? r.error : undefined
    }
    expect(bad('lan.yml')).toBe('header network must be an object')
    expect(bad({ file: 'lan.yml', seed: 1 })).toBe('header network file lacks its sha256')
    expect(bad({ file: 'lan.yml', sha256: 'ab'.repeat(32) })).toBe('header network lacks a numeric seed')
    expect(bad({ seed: 1 })).toBe('header network needs either a file or an inline model')
  })
})

describe('sim_net_* metrics', () => {
  it('advance by what changed per host, label the first hosts and pool the rest as other', async () => {
    const run = createRunMetrics({ hostLabelLimit: 1, processMetrics: false })
    const s = {
      ...emptyStats(),
      bytesSent: 100,
      bytesReceived: 50,
      uplinkWrites: 2,
      uplinkQueueMsTotal: 30,
      uplinkQueueMsMax: 20,
    }
    run.sim.net('ps-0', s)
    run.sim.net('ps-0', { ...s, bytesSent: 160, uplinkQueueMsMax: 25 })
    run.sim.net('ps-1', { ...s, uplinkQueueMsMax: 40 })
    run.sim.net('ps-2', { ...s, bytesSent: 7, uplinkQueueMsMax: 10 })
    const text = await run.text()
    run.close()
    expect(text).toMatch(/^sim_net_bytes_sent_total\{host="ps-0"\} 160$/m)
    expect(text).toMatch(/^sim_net_bytes_sent_total\{host="other"\} 107$/m)
    expect(text).toMatch(/^sim_net_bytes_received_total\{host="ps-0"\} 50$/m)
    expect(text).toMatch(/^sim_net_uplink_queue_seconds_total\{host="ps-0"\} 0\.03$/m)
    expect(text).toMatch(/^sim_net_uplink_writes_total\{host="other"\} 4$/m)
    expect(text).toMatch(/^sim_net_uplink_queue_max_seconds\{host="ps-0"\} 0\.025$/m)
    expect(text).toMatch(/^sim_net_uplink_queue_max_seconds\{host="other"\} 0\.04$/m)
    expect(text).toMatch(/^sim_net_dials_failed_total\{host="ps-0"\} 0$/m)
    expect(text).not.toMatch(/host="ps-1"/)
  })
})
