import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { openLog } from '../../src/dbg/load/file-loader.js'
import { InputError } from '../../src/errors.js'
import { LineSplitter } from '../../src/telemetry/log/line-splitter.js'
import { FIXTURE, loadModel, tempDir } from './helpers.js'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

function write(name: string, text: string | Buffer): string {
  const p = join(tmp.dir, name)
  writeFileSync(p, text)
  return p
}

describe('openLog', () => {
  it('refuses a file that is not a psm log, with one line naming the file and the problem', async () => {
    const cases: Array<[string, string | Buffer, RegExp]> = [
      ['plain.txt', 'hello world\n', /plain\.txt: not a psm log \(line 1 is not JSON\)$/],
      [
        'other.jsonl',
        '{"kind":"header","format":"other","version":1}\n',
        /other\.jsonl: not a psm log \(line 1 is not a psm-log header\)$/,
      ],
      [
        'v9.jsonl',
        '{"kind":"header","format":"psm-log","version":9,"time":1}\n',
        /v9\.jsonl: unknown psm-log format version 9 \(this psm reads 1, 2\)$/,
      ],
      ['empty.jsonl', '', /empty\.jsonl: empty, not a psm log$/],
      ['bad.jsonl.gz', 'not gzip at all', /bad\.jsonl\.gz: not a gzip file/],
    ]
    for (const [name, text, re] of cases) {
      const err = await openLog(write(name, text)).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(InputError)
      expect((err as Error).message).toMatch(re)
      expect((err as Error).message).not.toContain('\n')
    }
    const missing = await openLog(join(tmp.dir, 'missing.jsonl')).catch((e: unknown) => e)
    expect((missing as Error).message).toMatch(/missing\.jsonl: cannot read \(ENOENT\)/)
  })

  it('reads .jsonl.gz the same as .jsonl', async () => {
    const gz = write('fixture.jsonl.gz', gzipSync(readFileSync(FIXTURE)))
    const a = await loadModel(FIXTURE)
    const b = await loadModel(gz)
    expect(b.txCount).toBe(a.txCount)
    expect(b.machines.map((m) => m.id)).toEqual(a.machines.map((m) => m.id))
    expect(b.malformed).toBe(0)
  })

  it('keeps what it read from a cut .gz and says the stream ends early', async () => {
    const whole = gzipSync(readFileSync(FIXTURE))
    const cut = write('cut.jsonl.gz', whole.subarray(0, Math.floor(whole.length * 0.6)))
    const model = await loadModel(cut)
    expect(model.txCount).toBeGreaterThan(0)
    expect(model.notices.join('\n')).toMatch(/cut\.jsonl\.gz: the gzip stream ends early/)
  })

  it('skips and counts malformed lines', async () => {
    const lines = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n')
    const bad = [
      ...lines.slice(0, 10),
      '{"kind":"tx", oops',
      'garbage',
      '{"kind":"tx","machine":"ps-0"}',
      ...lines.slice(10),
    ]
    const model = await loadModel(write('bad.jsonl', `${bad.join('\n')}\n`))
    expect(model.malformed).toBe(3)
    expect(model.firstMalformed).toEqual({ line: 11, why: 'not valid JSON' })
    expect(model.txCount).toBe((await loadModel(FIXTURE)).txCount)
  })
})

describe('LineSplitter', () => {
  it('joins lines across chunks and stops at an oversized line', () => {
    const got: string[] = []
    let over = 0
    const s = new LineSplitter({ maxLineBytes: 8, onLine: (t) => got.push(t), onOversize: (l) => (over = l) })
    s.push(Buffer.from('ab\r\ncd'))
    s.push(Buffer.from('ef\n\ngh'))
    s.end()
    expect(got).toEqual(['ab', 'cdef', 'gh'])
    const t = new LineSplitter({ maxLineBytes: 4, onLine: (x) => got.push(x), onOversize: (l) => (over = l) })
    t.push(Buffer.from('ok\n123'))
    t.push(Buffer.from('456789'))
    expect(over).toBe(2)
  })
})
