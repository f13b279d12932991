// `psm experiment run --interop DIR`: a gossipsub-interop folder (written by the interop fixture) runs as
// `psm interop run` does, and its deliveries feed the experiment report: node logs in interop's layout,
// results.json and report.md agreeing with the logs.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Results } from '../../src/experiment/analyze.js'
import { runPsm } from '../helpers/cli.js'
import { analyzeFolder } from '../interop/analysis.js'
import { writeInteropFolder } from '../interop/fixture.js'

const root = mkdtempSync(join(tmpdir(), 'psm-exp-interop-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('psm experiment run --interop DIR', () => {
  it('writes the interop node logs and a report whose numbers are the logs', async () => {
    const input = join(root, 'in')
    const out = join(root, 'out')
    const fixture = writeInteropFolder(input, { nodes: 10, connections: 4, messages: 5 })
    const r = await runPsm(['experiment', 'run', '--interop', input, '--out', out], { timeoutMs: 180_000 })
    expect(r.stderr).not.toMatch(/FAILED/)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/messages 5 · delivery ratio 1 /)
    // upstream's analysis, re-implemented in the interop tests, reads the same folder
    const a = analyzeFolder(out)
    expect(a.rows).toHaveLength(5)
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results
    expect(results.summary.nodes).toBe(fixture.nodes)
    expect(results.summary.messages).toBe(5)
    expect(results.summary.deliveryRatio).toBe(1)
    for (const m of results.messages) {
      expect(m.reached).toBe(fixture.nodes - 1)
      // the same message, read from the node logs as upstream's analysis reads them, reached every node
      const row = a.rows.find((x) => x.id === m.msgId)
      expect(row, `message ${m.msgId} in the node logs`).toBeDefined()
      expect(row!.reached).toBe(1)
    }
    expect(existsSync(join(out, 'report.md'))).toBe(true)
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('interop')
  }, 200_000)

  it('refuses FILE and --interop together, one line, exit 2', async () => {
    const r = await runPsm(['experiment', 'run', 'x.yml', '--interop', root])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/FILE or --interop DIR, not both/)
  })
})
