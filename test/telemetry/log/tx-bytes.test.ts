// The byte encoder of tx lines must write exactly JSON.stringify's text of the record txRecord builds
// from the same fields (so every reader of the log sees no change), and never half a line.
import { describe, expect, test } from 'vitest'
import { createRng } from '../../../src/rng.js'
import { createTxBytesEncoder } from '../../../src/telemetry/log/tx-bytes.js'
import { txRecord, type WriteTx } from '../../../src/telemetry/records.js'

type Fields = Parameters<WriteTx>

const shared = Object.freeze(['PeersPending', 'Exception'])
const none = Object.freeze([] as string[])

const fields = (over: Partial<Record<'machine' | 'event', string>> & { args?: unknown } = {}): Fields => [
  over.machine ?? 'ps-0',
  7,
  1_796_218_539_080,
  over.event ?? 'IncomingRPC',
  over.args,
  true,
  shared,
  none,
  shared,
  13,
]

const expected = (f: Fields): string => `${JSON.stringify(txRecord(...f))}\n`

function encoded(f: Fields, enc = createTxBytesEncoder()): string {
  const buf = Buffer.alloc(1 << 16)
  const end = enc.encode(buf, 5, buf.length, ...f)
  expect(end).toBeGreaterThan(5)
  return buf.toString('utf8', 5, end)
}

describe('tx bytes', () => {
  const cases: Array<[string, Fields]> = [
    ['no args', fields()],
    ['primitive args', fields({ args: { msgs: 1, ctrl: 0, topic: 'foobar', ok: false, none: null } })],
    ['empty args', fields({ args: {} })],
    ['args with nothing kept', fields({ args: { data: new Uint8Array(3), fn: () => 1, nested: { a: 1 } } })],
    ['args not an object', fields({ args: 'text' })],
    [
      'bigint, float, negative, non-finite',
      fields({ args: { big: 5n, neg: -12n, f: 0.1, m: -3, inf: Infinity, z: -0 } }),
    ],
    [
      'escapes and unicode',
      fields({ machine: 'sim-p"1\\', event: 'ünïcode ☃', args: { 't\n"k"': 'a"b\\c\u0001 é ☃ 😀' } }),
    ],
    ['long strings are cut', fields({ args: { s: 'x'.repeat(500), u: '☃'.repeat(300), e: `${'y'.repeat(199)}😀z` } })],
    ['integer-like keys come first', fields({ args: { b: 1, 2: 'two', a: 3, 1: 'one' } })],
    ['a __proto__ key is never kept', fields({ args: JSON.parse('{"__proto__":null,"x":1}') })],
  ]
  test.each(cases)('%s: as JSON.stringify writes the record', (_name, f) => {
    const enc = createTxBytesEncoder()
    expect(encoded(f, enc)).toBe(expected(f))
    // again, from the caches
    expect(encoded(f, enc)).toBe(expected(f))
  })

  test('numbers of every size, accepted or not, lists frozen or not', () => {
    const enc = createTxBytesEncoder()
    const rng = createRng(11)
    const lists = [none, shared, Object.freeze(['A "q"', 'ü']), ['not', 'frozen']]
    const nums = [
      0,
      1,
      9,
      10,
      99,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 53 - 1,
      2 ** 53 + 2,
      1e21,
      -1,
      -(2 ** 40),
      1.5,
      Number.NaN,
    ]
    for (let i = 0; i < 2000; i++) {
      const n = () => (rng.next() < 0.5 ? nums[rng.int(nums.length)]! : Math.floor(rng.next() * 10 ** rng.int(16)))
      const f: Fields = [
        `m-${rng.int(50)}`,
        n(),
        n(),
        `e${rng.int(20)}`,
        rng.next() < 0.5 ? undefined : { n: n(), s: `v${rng.int(9)}` },
        rng.next() < 0.5,
        lists[rng.int(lists.length)]!,
        lists[rng.int(lists.length)]!,
        lists[rng.int(lists.length)]!,
        n(),
      ]
      expect(encoded(f, enc)).toBe(expected(f))
    }
  })

  test('a line that does not fit before the end is not written: -1, and nothing past the end', () => {
    const enc = createTxBytesEncoder()
    const f = fields({ args: { s: 'x'.repeat(150) } })
    const line = Buffer.from(expected(f))
    for (const room of [0, 10, line.length - 1, line.length + 2000]) {
      const buf = Buffer.alloc(room + 8, 0x2a)
      const end = enc.encode(buf, 0, room, ...f)
      if (room < line.length) expect(end).toBe(-1)
      else expect(buf.subarray(0, end).equals(line)).toBe(true)
      expect(buf.subarray(room).every((b) => b === 0x2a)).toBe(true)
    }
  })
})
