// `psm bench` end to end with the real binary and the real scenario: a tiny matrix (2 × 2 cells,
// 2 iterations, both implementations), a forced failure counted in the report, `compare` on results.
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ResultsFile } from '../../src/bench/results.js'
import { tables } from '../bench/synthetic.js'
import { xmlProblem } from '../bench/xml.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-bench-e2e-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function psm(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/psm.js', ...args],
      { env: { ...process.env, ...env }, timeout: 240_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

const readJson = (path: string): ResultsFile => JSON.parse(readFileSync(path, 'utf8')) as ResultsFile

describe('psm bench', () => {
  const tiny = join(dir, 'tiny')

  it('runs a 2 × 2 matrix: a number in every table cell, valid charts, every run in results.json', async () => {
    const r = await psm(
      [
        'bench',
        '--hosts',
        '3,4',
        '--msgs',
        '2,4',
        '--iterations',
        '2',
        '--warmup',
        '0',
        '--timeout',
        '30s',
        '--out',
        tiny,
        '--quiet',
      ],
      { NUM_HOSTS: '9', RAND_MSGS: '9' }, // flags win over env
    )
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toBe('') // --quiet: no progress line
    expect(r.stdout).toBe(`report: ${tiny}/bench.md (16 runs, 0 failed)\n`)
    const results = readJson(join(tiny, 'results.json'))
    expect(results.runs).toHaveLength(16)
    expect(results.meta.complete).toBe(true)
    for (const pkg of ['psm', 'node', 'libp2p', 'gossipsub', 'xstate']) {
      expect(results.meta.versions[pkg], pkg).toMatch(/^\d+\.\d+\.\d+/)
    }
    for (const run of results.runs) {
      expect(run.failure).toBeNull()
      expect(run.delivered).toBe(run.expected)
      expect(run.wallMs).toBeGreaterThan(0)
      expect(run.processMs).toBeGreaterThan(run.wallMs!)
      expect(run.loadBefore).toHaveLength(3)
      expect(run.loadAfter).toHaveLength(3)
    }
    const cells = new Set(results.runs.map((x) => `${x.impl} ${x.hosts}×${x.msgs}`))
    expect(cells.size).toBe(8)
    const md = readFileSync(join(tiny, 'bench.md'), 'utf8')
    const t = tables(md)
    expect(t.get('Wall time (ms)')).toHaveLength(2)
    for (const [heading, rows] of t) {
      if (heading === 'Failures') continue
      for (const row of rows) {
        expect(row).toHaveLength(2)
        // two iterations make two pairs; a pair whose value is 0 on one side (e.g. no GC ran, so 0 bytes
        // collected) has no ratio and leaves one
        for (const cell of row)
          expect(cell, `${heading}: ${cell}`).toMatch(
            /^vanilla [\d,.]+ \(.+\)<br>machine [\d,.]+ \(.+\)<br>paired ratio \*\*(\d\.\d\d \[n=[12], no interval\]|—)\*\*, of medians/,
          )
      }
    }
    expect(md).toContain('None: every run delivered every message and exited 0.')
    expect(md).toMatch(/\| before each run \| \d+\.\d\d \| \d+\.\d\d \|/)
    const charts = readdirSync(join(tiny, 'charts'))
    expect(charts).toContain('wallMs.svg')
    expect(charts).toContain('ratios.svg')
    for (const f of charts) {
      expect(md).toContain(`](charts/${f})`)
      expect(xmlProblem(readFileSync(join(tiny, 'charts', f), 'utf8')), f).toBeUndefined()
    }
  }, 240_000) // 16 real runs: a minute on a quiet machine, more when others share its 2 cores

  it('counts a forced failure (an impossible readiness requirement) in the report and exits 1', async () => {
    const out = join(dir, 'forced')
    const config = join(dir, 'forced.yml')
    writeFileSync(
      config,
      "hosts: [3]\nmsgs: [2]\niterations: 1\nwarmup: 0\ntimeout: 2s\nscenarioArgs: ['--min-peers', '5']\ncpus: '0'\n",
    )
    const r = await psm(['bench', '--config', config, '--out', out])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(`report: ${out}/bench.md (2 runs, 2 failed)\n`)
    expect(r.stderr).toMatch(/failures 2/) // the progress line says so too
    const results = readJson(join(out, 'results.json'))
    expect(results.runs.map((x) => x.failure)).toEqual([
      expect.stringContaining('not ready'),
      expect.stringContaining('not ready'),
    ])
    const md = readFileSync(join(out, 'bench.md'), 'utf8')
    expect(md).toContain('**2 failed**')
    expect(md).toContain('| CPU pin | every run pinned with `taskset -c 0` |')
    expect(tables(md).get('Failures')![0]![0]).toBe('vanilla 1/1<br>machine 1/1')
    // the run's own limit cut the wait short, and the reason says so before what was waited for
    expect(md).toMatch(
      /- 2× time limit of 2000 ms ran out \(--timeout\): topic 'foobar' not ready .*\(vanilla 3×2, machine 3×2\)$/m,
    )
  })

  it('writes a partial report of the finished runs on Ctrl-C and exits 130', async () => {
    const out = join(dir, 'interrupted')
    const child = spawn(
      process.execPath,
      ['bin/psm.js', 'bench', '--hosts', '3', '--msgs', '2,4', '--iterations', '2', '--warmup', '0', '--out', out],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      // the first finished cell (4 runs) is the moment to interrupt
      if (stderr.includes('cells 1/2') && !child.killed) child.kill('SIGINT')
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    expect(code, stderr).toBe(130)
    expect(stdout).toMatch(/^partial report: .*bench\.md \([4-7] runs, 0 failed\)\n$/)
    const results = readJson(join(out, 'results.json'))
    expect(results.meta.complete).toBe(false)
    expect(results.runs.length).toBeGreaterThanOrEqual(4)
    expect(results.runs.every((r) => r.failure === null)).toBe(true) // the run cut short is not a result
    expect(readFileSync(join(out, 'bench.md'), 'utf8')).toContain('**Partial (interrupted)**')
  })

  it('compares two results files cell by cell', async () => {
    const r = await psm(['bench', 'compare', join(tiny, 'results.json'), tiny, '--metric', 'wallMs,peakRssBytes'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('Wall time (ms)')
    expect(r.stdout).toContain('Peak RSS (MB)')
    // 2 runs a side: a ratio, but no interval and so no verdict
    expect(r.stdout).toMatch(/machine\s+4\s+4\s+2\s+2\s+[\d,.]+\s+[\d,.]+\s+1\.00\s+—\s+too few runs/)
    expect(r.stdout).toContain('vanilla: geometric mean B/A 1.00 over 4 cells')
    const json = await psm(['bench', 'compare', tiny, tiny, '--json'])
    expect(JSON.parse(json.stdout)).toHaveLength(3 * 8)
  })

  it('rebuilds the same report from results.json', async () => {
    const rebuilt = join(dir, 'rebuilt')
    const r = await psm(['bench', 'report', join(tiny, 'results.json'), '--out', rebuilt])
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(rebuilt, 'bench.md'), 'utf8')).toBe(readFileSync(join(tiny, 'bench.md'), 'utf8'))
    expect(readdirSync(join(rebuilt, 'charts'))).toEqual(readdirSync(join(tiny, 'charts')))
  })
})

describe('psm bench input errors: exit 2 with one line naming the key', () => {
  it.each([
    [['bench', '--config', 'BAD'], {}, /^psm bench: .*bad\.yml:2: hosts\[1\]: 1 is below the minimum 2\n$/],
    [
      ['bench', '--iterations', '0'],
      {},
      /^psm bench: --iterations: iterations: 0 is below the minimum 1 \(a positive whole number\)\n$/,
    ],
    [
      ['bench', '--impl', 'turbo'],
      {},
      /^psm bench: --impl: impls\[0\]: 'turbo' is not one of vanilla, machine, machine-full\n$/,
    ],
    [['bench', '--bogus'], {}, /^psm bench: .*--bogus.*\n$/],
    [['bench', 'extra'], {}, /^psm bench: unexpected argument 'extra'/],
    [['bench'], { NUM_HOSTS: '4,x' }, /^psm bench: NUM_HOSTS: hosts\[1\]: 'x' is not a whole number\n$/],
    [['bench', 'compare', 'only-one.json'], {}, /^psm bench: compare: needs two results files, got 1/],
    [['bench', 'compare', 'nope-a.json', 'nope-b.json'], {}, /^psm bench: nope-a\.json: no such file or directory\n$/],
    [['bench', 'compare', 'bench.yml', 'bench.yml'], {}, /^psm bench: bench\.yml: not valid JSON\n$/],
    [['bench', '--cpus', 'all'], {}, /^psm bench: --cpus: cpus: 'all' is not a CPU list such as 1, 0-1 or 0,2\n$/],
    [['bench', '--cpus', '4000'], {}, /^psm bench: cpus 4000: taskset refused it: .+\n$/],
  ] as [string[], Record<string, string>, RegExp][])('%j %j', async (args, env, stderr) => {
    const bad = join(dir, 'bad.yml')
    writeFileSync(bad, 'iterations: 2\nhosts: [3, 1]\n')
    const r = await psm(
      args.map((a) => (a === 'BAD' ? bad : a)),
      env,
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(stderr)
  })
})
