// The file sink: tx records taken field by field and other records as objects end up as the same lines
// JSON.stringify gives them, in order, across batch boundaries; what a flush wrote is whole lines.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, test } from 'vitest'
import { createJsonlFileSink } from '../../../src/telemetry/log/file-sink.js'
import { type PsmRecord, txRecord, type WriteTx } from '../../../src/telemetry/records.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-file-sink-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const names = Object.freeze(['PeersPending'])
const none = Object.freeze([] as string[])

/** tx fields of event i; some carry a long arg, so batches fill at uneven offsets */
const txFields = (i: number): Parameters<WriteTx> => [
  `ps-${i % 3}`,
  i,
  1_796_218_539_080 + i,
  i % 2 ? 'IncomingRPC' : 'PublishMessage',
  i % 5 === 0 ? { topic: 't', note: 'é'.repeat(i % 300) } : { msgs: i % 4 },
  i % 7 !== 0,
  i % 2 ? names : none,
  i % 2 ? none : names,
  names,
  i % 100,
]

describe('file sink', () => {
  test.each(['plain.jsonl', 'packed.jsonl.gz'])(
    '%s: tx fields and record objects read back as JSON.stringify lines, in order, past many batches',
    async (name) => {
      const file = join(dir, name)
      const sink = createJsonlFileSink(file)
      const expected: string[] = []
      for (let i = 0; i < 12_000; i++) {
        if (i % 1000 === 0) {
          const r: PsmRecord = { kind: 'log', machine: 'ps-0', seq: i, level: 'info', text: `at ${i}` }
          sink.write(r)
          expected.push(JSON.stringify(r))
        }
        const f = txFields(i)
        sink.writeTx!(...f)
        expected.push(JSON.stringify(txRecord(...f)))
      }
      await sink.close()
      const bytes = readFileSync(file)
      const text = (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')
      // more than one 1 MiB batch, so the batch-boundary path ran
      expect(text.length).toBeGreaterThan(2 << 20)
      expect(text.split('\n')).toEqual([...expected, ''])
      expect(sink.written()).toBe(expected.length)
      expect(sink.dropped()).toBe(0)
    },
  )

  test('what a flush wrote before close is whole lines', () => {
    const file = join(dir, 'open.jsonl')
    const sink = createJsonlFileSink(file)
    for (let i = 0; i < 9000; i++) sink.writeTx!(...txFields(i))
    sink.flush()
    const text = readFileSync(file, 'utf8')
    expect(text.endsWith('\n')).toBe(true)
    const lines = text.trimEnd().split('\n')
    expect(lines).toHaveLength(9000)
    for (const l of lines) expect(JSON.parse(l).kind).toBe('tx')
    return sink.close()
  })
})
