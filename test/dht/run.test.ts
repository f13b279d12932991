// `psm dht run` end to end: real libp2p hosts with @libp2p/kad-dht on the memory transport, the network
// model between them, the virtual clock; the outputs as a user reads them.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openResultsDb } from '../../src/dht/db.js'
import type { DhtResults } from '../../src/dht/report.js'
import { PSM_BIN, runPsm } from '../helpers/cli.js'
import { dhtRun } from './helpers.js'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

const dir = mkdtempSync(join(tmpdir(), 'psm-dht-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('psm dht run', () => {
  it('30 nodes, zero delay: every retrieval of a provided CID succeeds; report, CDFs and results.json', async () => {
    const out = join(dir, 'zero')
    const r = await dhtRun(out, ['--nodes', '30', '--rounds', '4', '--retrievers', '6', '--seed', '5', '--db', 'none'])
    const retrievals = r.ops.filter((o) => o.kind === 'retrieve')
    expect(retrievals).toHaveLength(24)
    expect(r.ops.filter((o) => o.kind === 'provide')).toHaveLength(4)
    for (const o of r.ops) expect(o, JSON.stringify(o)).toMatchObject({ success: true, error: null })
    // the record was found at the publisher, the only provider there is
    for (const o of retrievals) expect(o.firstProviderIsPublisher).toBe(true)
    // retrievers asked peers (most hold no record themselves): the query events were counted
    expect(retrievals.some((o) => o.peersContacted > 0 && o.hops >= 1)).toBe(true)
    for (const o of r.ops) {
      expect(Object.keys(o)).toEqual(expect.arrayContaining(['kind', 'node', 'durationMs', 'success', 'error']))
    }
    expect(r.results.init?.failedJoins).toBe(0)
    const report = readFileSync(join(out, 'report.md'), 'utf8')
    expect(report).toMatch(/30 nodes initialised .* in \d+ simulated ms/)
    expect(report).toMatch(/\| retrieve \| 24 \| 24 \| 100\.0% \|/)
    for (const kind of ['provide', 'retrieve']) {
      expect(readFileSync(join(out, 'charts', `${kind}-cdf.svg`), 'utf8')).toMatch(/^<svg/)
    }
  }, 600_000)

  it('50 ms delay range: each retrieval takes at least its sequential hops × the minimum delay', async () => {
    const r = await dhtRun(join(dir, 'delay'), [
      '--nodes',
      '30',
      '--rounds',
      '4',
      '--retrievers',
      '6',
      '--seed',
      '6',
      '--delay-range',
      '50ms-100ms',
      '--db',
      'none',
    ])
    const retrievals = r.ops.filter((o) => o.kind === 'retrieve' && o.success)
    expect(retrievals.length).toBeGreaterThan(20)
    // lookups that went over the network, through one peer or more
    const remote = retrievals.filter((o) => o.hops >= 1)
    expect(remote.length).toBeGreaterThan(5)
    for (const o of remote) expect(o.durationMs, JSON.stringify(o)).toBeGreaterThanOrEqual(o.hops * 50)
    // provides walk the network too
    for (const o of r.ops.filter((x) => x.kind === 'provide' && x.success)) {
      expect(o.durationMs).toBeGreaterThanOrEqual(o.hops * 50)
    }
  }, 600_000)

  it('error rate 0.3: some operations fail, each counted with its error, and the run completes', async () => {
    const r = await dhtRun(join(dir, 'errors'), [
      '--nodes',
      '30',
      '--rounds',
      '6',
      '--retrievers',
      '6',
      '--seed',
      '7',
      '--error-rate',
      '0.3',
      '--op-timeout',
      '20s',
      // few connections per node: lookups keep dialling, and dials are where the error rate bites
      '--max-connections',
      '8',
      '--db',
      'none',
    ])
    expect(r.ops).toHaveLength(6 * 7)
    const failed = r.ops.filter((o) => !o.success)
    const queryErrors = r.ops.reduce((n, o) => n + o.queryErrors, 0)
    // dial failures show as failed operations or as query errors inside operations that got through
    expect(failed.length + queryErrors).toBeGreaterThan(0)
    for (const o of failed) expect(typeof o.error === 'string' && o.error.length > 0, JSON.stringify(o)).toBe(true)
    for (const o of r.ops.filter((x) => x.success)) expect(o.error).toBeNull()
    const s = r.summary
    expect(s.provide.count + s.retrieve.count).toBe(r.ops.length)
    expect(s.provide.successes + s.retrieve.successes).toBe(r.ops.length - failed.length)
    expect(r.results.init?.failedDials).toBeGreaterThan(0)
  }, 600_000)

  it('serves Prometheus summaries while running; SIGTERM stops after the round in flight, outputs valid', async () => {
    const out = join(dir, 'term')
    const db = join(dir, 'term.sqlite')
    const port = await freePort()
    const child = spawn(
      process.execPath,
      [
        PSM_BIN,
        'dht',
        'run',
        '--nodes',
        '12',
        '--rounds',
        '1000',
        '--seed',
        '8',
        '--out',
        out,
        '--db',
        db,
        '--metrics',
        `127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let err = ''
    const sawRound = new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        err += d
        if (/round 2\/1000/.test(err)) resolve()
      }),
    )
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    await sawRound
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    expect(metrics).toMatch(
      /psm_dht_operation_duration_seconds\{quantile="0\.99",kind="retrieve",success="true"\} [\d.e-]+/,
    )
    const count = /psm_dht_operations_total\{kind="retrieve",success="true"\} (\d+)/.exec(metrics)
    expect(Number(count?.[1])).toBeGreaterThanOrEqual(10)
    child.kill('SIGTERM')
    expect(await exited).toBe(143)
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as DhtResults
    expect(results.interrupted).toBe(true)
    expect(results.roundsDone).toBeGreaterThanOrEqual(2)
    expect(results.roundsDone).toBeLessThan(1000)
    expect(results.operations).toHaveLength(results.roundsDone * 6)
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\*\*interrupted\*\*/)
    const rows = await openResultsDb(db)
    try {
      const runId = results.runId
      expect(await rows.operations(runId)).toHaveLength(results.operations.length)
    } finally {
      await rows.close()
    }
  }, 600_000)

  it('a bad dht.yml is one line with file:line:key and exit 2', async () => {
    const file = join(dir, 'bad.yml')
    writeFileSync(file, 'nodes: 20\nk: 0\n')
    const r = await runPsm(['dht', 'run', '--config', file, '--out', join(dir, 'bad')])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain(`${file}:2: k: 0 is below the minimum 1`)
    expect(existsSync(join(dir, 'bad'))).toBe(false)
    const flag = await runPsm(['dht', 'run', '--nodes', '3', '--retrievers', '5'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toMatch(/retrievers 5 needs at least 6 nodes/)
  }, 600_000)
})
