// The one JSONL reader of transition logs (psm log, the debugger): lines, their numbers, parse errors.
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { parseRecordLine, readLines } from '../../../src/telemetry/log/jsonl.js'

async function lines(chunks: string[]): Promise<{ text: string; line: number }[]> {
  const out: { text: string; line: number }[] = []
  for await (const l of readLines(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(l)
  return out
}

describe('readLines', () => {
  it('numbers lines as the file does, across chunks, with blank lines and CRLF', async () => {
    expect(await lines(['a\r\n\nb', 'c\n', 'd'])).toEqual([
      { text: 'a', line: 1 },
      { text: '', line: 2 },
      { text: 'bc', line: 3 },
      { text: 'd', line: 4 },
    ])
    expect(await lines(['a\n'])).toEqual([{ text: 'a', line: 1 }])
  })

  it('gives the lines read before a stream error, then throws it', async () => {
    const input = new Readable({ read() {} })
    input.push(Buffer.from('one\ntw'))
    setImmediate(() => input.destroy(new Error('unexpected end of file')))
    const got: string[] = []
    await expect(
      (async () => {
        for await (const l of readLines(input)) got.push(l.text)
      })(),
    ).rejects.toThrow('unexpected end of file')
    expect(got).toEqual(['one', 'tw'])
  })
})

describe('parseRecordLine', () => {
  it('says why a line is not a record', () => {
    expect(parseRecordLine('{"kind":"stop","machine":"m","seq":1,"time":2}', 3)).toEqual({
      line: 3,
      record: { kind: 'stop', machine: 'm', seq: 1, time: 2 },
    })
    expect(parseRecordLine('{"kind":', 4)).toEqual({ line: 4, error: 'not valid JSON', notJson: true })
    expect(parseRecordLine('{"kind":"tx"}', 5)).toEqual({ line: 5, error: 'tx needs machine, seq, time, event' })
  })
})
