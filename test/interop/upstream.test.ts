// Scripts written by gossipsub-interop's own scenario code (test/fixtures/interop/README.md says how):
// psm runs them as they are, on a 10-node graph and Shadow config from fixture.ts, and the node logs read
// as upstream's analysis reads them show every message at every subscriber of its topic.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Deliveries } from '../../src/experiment/deliveries.js'
import { runPsm } from '../helpers/cli.js'
import { analyzeFolder } from './analysis.js'
import { writeInteropFolder } from './fixture.js'

const FIXTURES = new URL('../fixtures/interop/', import.meta.url).pathname
const root = mkdtempSync(join(tmpdir(), 'psm-interop-upstream-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function folder(name: string): string {
  const dir = join(root, name)
  writeInteropFolder(dir, { nodes: 10 })
  copyFileSync(join(FIXTURES, `${name}.params.json`), join(dir, 'params.json'))
  return dir
}

describe("gossipsub-interop's own scenarios", () => {
  it.each(['subnet-blob-msg-10', 'simple-fanout-10'])(
    '%s: every message reaches every subscriber of its topic',
    async (name) => {
      const dir = folder(name)
      const out = join(root, `${name}.out`)
      const r = await runPsm(['interop', 'run', dir, '--out', out], { timeoutMs: 120_000 })
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/^16\/16 messages reached every subscriber/)
      const d = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { deliveries: Deliveries }).deliveries
      const a = analyzeFolder(out)
      expect(a.rows).toHaveLength(16)
      for (const p of d.publishes) {
        const row = a.rows.find((x) => x.id === p.msgId)
        expect(row, `message ${p.msgId}`).toBeDefined()
        const got = new Set(row!.deliveries.map((x) => x.nodeId))
        for (const n of d.subscribers[p.topic] ?? []) {
          if (n !== p.node) expect(got.has(n), `message ${p.msgId} at node ${n}`).toBe(true)
        }
      }
    },
    130_000,
  )

  it('partial-messages: refused in one line, exit 2', async () => {
    const r = await runPsm(['interop', 'run', folder('partial-messages-10')])
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toMatch(
      /^psm interop: .*params\.json: script\[\d+\]\.partial: partial messages are not supported by psm yet$/,
    )
  })
})
