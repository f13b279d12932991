// Ctrl-C in the middle of `psm experiment run`: the run stops, results.json and report.md are written from
// what was observed (meta.interrupted true), the transition log is complete, and the exit code is 130.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Results } from '../../src/experiment/analyze.js'
import { scanLog } from '../../src/telemetry/log/reader.js'
import { PSM_BIN } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-experiment-int-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('psm experiment run, interrupted', () => {
  it('SIGINT: exit 130 with results.json, report.md and a complete transition log', async () => {
    const file = join(dir, 'long.yml')
    // an hour of simulated time at a steady rate: the signal comes long before the end
    writeFileSync(
      file,
      `name: long
network: { latency: 20ms }
topology: { kind: random, connect: 3 }
phases: { warmup: { duration: 1s, rate: 0 }, run: { duration: 1h }, cooldown: { duration: 0s } }
nodes:
  - { group: pubs, count: 2, role: publisher, rate: 5, size: 100 }
  - { group: rest, count: 4 }
`,
    )
    const out = join(dir, 'out')
    const child = spawn(process.execPath, [PSM_BIN, 'experiment', 'run', file, '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let err = ''
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress line: ${err}`)), 60_000)
      child.stderr.on('data', (d) => {
        err += d
        // a progress line with deliveries: the run is under way
        if (/delivered [1-9]/.test(err)) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(err).toMatch(/psm experiment: interrupted at /)
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results
    expect(results.meta.interrupted).toBe(true)
    expect(results.summary.messages).toBeGreaterThan(0)
    expect(existsSync(join(out, 'report.md'))).toBe(true)
    const { problem, stats } = await scanLog(join(out, 'transitions.jsonl.gz'))
    expect(problem).toBeUndefined()
    expect(stats.txs).toBeGreaterThan(0)
  })
})
