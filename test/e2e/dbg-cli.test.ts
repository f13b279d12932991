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
    for (const f of ['--listen', '--machine', '--tx', '--max-mem', '--export-dir']) expect(r.stdout).toContain(f)
    expect(r.stdout).toContain('127.0.0.1:6831')
  })

  it('exits 2 with one line for an unknown format version, bad flags, or no terminal', async () => {
    const v2 = join(dir, 'v2.jsonl')
    writeFileSync(v2, '{"kind":"header","format":"psm-log","version":2,"time":1}\n')
    const cases: Array<[string[], RegExp]> = [
      [[v2], /^psm dbg: .*v2\.jsonl: unknown psm-log format version 2 \(this psm reads 1\)\n$/],
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
})
