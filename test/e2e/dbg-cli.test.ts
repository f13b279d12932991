// `psm dbg` as a command: its help lists every key and flag; bad input is one line and exit 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { KEY_HELP } from '../../src/dbg/ui/keys.js'
import { runPsm } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-dbg-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('psm dbg (command)', () => {
  it('--help lists the keys and the flags', async () => {
    const r = await runPsm(['dbg', '--help'])
    expect(r.code).toBe(0)
    for (const [k] of KEY_HELP) expect(r.stdout).toContain(k)
    for (const f of ['--listen', '--machine', '--tx', '--msg', '--max-mem', '--export-dir'])
      expect(r.stdout).toContain(f)
    expect(r.stdout).toContain('127.0.0.1:6831')
  })

  it('exits 2 with one line for an unknown format version, bad flags, or no terminal', async () => {
    const v3 = join(dir, 'v3.jsonl')
    writeFileSync(v3, '{"kind":"header","format":"psm-log","version":3,"time":1}\n')
    const cases: Array<[string[], RegExp]> = [
      [[v3], /^psm dbg: .*v3\.jsonl: unknown psm-log format version 3 \(this psm reads 1, 2\)\n$/],
      [['--msg'], /^psm dbg: /],
      [['a.jsonl', 'b.jsonl'], /^psm dbg: unexpected argument 'b\.jsonl'/],
      [['x.jsonl', '--listen', '127.0.0.1:1'], /^psm dbg: give a FILE or --listen, not both\n$/],
      [['--max-mem', 'lots'], /^psm dbg: --max-mem: 'lots' is not a whole number\n$/],
      [['test/fixtures/simple-discovery.jsonl'], /^psm dbg: needs a terminal: stdin is not a TTY\n$/],
    ]
    for (const [args, re] of cases) {
      const r = await runPsm(['dbg', ...args])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(re)
    }
  })

  it('psm log validate and stats take version 1 logs and version 2 logs with message marks', async () => {
    const v1 = await runPsm(['log', 'validate', 'test/fixtures/simple-discovery.jsonl'])
    expect(v1.code, v1.stderr).toBe(0)
    expect(v1.stdout).toMatch(/ok \(format version 1, 283 lines, 12 machines, 258 transitions\)\n$/)
    const { writeSyntheticLog } = await import('../../src/dbg/synthetic-log.js')
    const v2 = join(dir, 'v2.jsonl.gz')
    await writeSyntheticLog(v2, { txs: 2000, peers: 6, messages: 3 })
    const ok = await runPsm(['log', 'validate', v2, '--json'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, version: 2, msgs: { publish: 3, deliver: 15 } })
    const stats = await runPsm(['log', 'stats', v2])
    expect(stats.stdout).toMatch(/format version 2/)
    expect(stats.stdout).toMatch(/^messages: +publish 3, deliver 15/m)
  })
})
