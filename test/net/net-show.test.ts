// `psm net show`: the real binary on the shipped example models, and a bad model file → exit 2, one line.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runPsm } from '../helpers/cli.js'

describe('psm net show', () => {
  it('shows hosts per region and class and the latency distribution of networks/world.yml', async () => {
    const r = await runPsm(['net', 'show', 'networks/world.yml', '--hosts', '100'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^network model: networks\/world\.yml$/m)
    expect(r.stdout).toMatch(/^ {4}europe +\d+$/m)
    expect(r.stdout).toMatch(/^ {4}supernode +\d+ +1024Mbit \/ 1024Mbit$/m)
    expect(r.stdout).toMatch(
      /^one-way latency over 9900 ordered pairs: min 2ms, p50 \d+(\.\d+)?ms, p99 \d+(\.\d+)?ms, max \d+ms$/m,
    )
  })

  it('reads a matrix and a graph, and prints JSON', async () => {
    const r = await runPsm(['net', 'show', 'networks/oar-example.txt', '--hosts', '5', '--json'])
    expect(r.code).toBe(0)
    const d = JSON.parse(r.stdout) as { latencyMs: { min: number; max: number }; places: unknown[] }
    expect(d.latencyMs.min).toBeCloseTo(2.4708898)
    expect(d.latencyMs.max).toBeCloseTo(110.71518)
    expect(d.places).toHaveLength(5)
    const g = await runPsm(['net', 'show', 'networks/small.gml', '--hosts', '8'])
    expect(g.code).toBe(0)
    expect(g.stdout).toMatch(/Shadow graph networks\/small\.gml \(4 nodes, 16 edges; hosts round robin\)/)
  })

  it('a bad model file: exit 2 and one line naming the file, line and problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psm-net-show-'))
    const bad = join(dir, 'bad.txt')
    writeFileSync(bad, '0 1 2\n1 0\n')
    const r = await runPsm(['net', 'show', bad])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(`psm net: ${bad}:1: the matrix is not square: 2 rows, but this row has 3 values\n`)
    const gml = join(dir, 'bad.gml')
    writeFileSync(gml, 'graph [\n  node [ id 0 ]\n  edge [ source 0 target 0 latency "fast" ]\n]\n')
    const g = await runPsm(['net', 'show', gml])
    expect(g.code).toBe(2)
    expect(g.stderr).toBe(`psm net: ${gml}:3: latency "fast" is not a latency with a unit (e.g. 50ms, 0.2s, 800us)\n`)
    const usage = await runPsm(['net', 'show'])
    expect(usage.code).toBe(2)
    expect(usage.stderr.trim().split('\n')).toHaveLength(1)
  })
})
