// The fast JSONL writer must write exactly what JSON.stringify writes, for tx records (its own path,
// with shared frozen name arrays and cached strings) and for every other kind.
import { describe, expect, test } from 'vitest'
import { createRecordLineWriter } from '../../../src/telemetry/log/record-line.js'
import type { PsmRecord, TxRecord } from '../../../src/telemetry/records.js'

const shared = Object.freeze(['PeersPending', 'Exception']) as string[]

// in the recorder's key order, args after event
const tx = (over: Partial<TxRecord>): TxRecord => {
  const { args, ...rest } = over
  return {
    kind: 'tx',
    machine: rest.machine ?? 'ps-0',
    seq: 3,
    time: 1_700_000_000_123,
    event: rest.event ?? 'GetPeers',
    ...(args ? { args } : {}),
    accepted: true,
    added: [],
    removed: [],
    touched: [],
    durationUs: 12,
    ...rest,
  }
}

describe('record lines', () => {
  const records: PsmRecord[] = [
    tx({}),
    tx({ added: shared, touched: shared }),
    tx({ added: shared, removed: ['A "quoted"\nname'], touched: shared }),
    tx({ machine: 'sim-p"1\\', event: 'ünïcode ☃', args: { topic: 'a"b', n: 2, ok: false, none: null } }),
    tx({ durationUs: Number.NaN, time: Number.POSITIVE_INFINITY, accepted: false }),
    { kind: 'stop', machine: 'ps-0', seq: 4, time: 5 },
    { kind: 'log', machine: 'ps-0', seq: 1, level: 'warn', text: 'x\ty' },
    { kind: 'snapshot', machine: 'ps-0', seq: 1000, active: shared, ticks: [1, 0, 4] },
  ]

  test.each(records.map((r, i) => [i, r] as const))('record %i is written as JSON.stringify writes it', (_i, r) => {
    const w = createRecordLineWriter()
    expect(w.line(r)).toBe(JSON.stringify(r))
    // a second time from the caches
    expect(w.line(r)).toBe(JSON.stringify(r))
  })

  test('many distinct machine ids: the string cache is bounded and stays exact', () => {
    const w = createRecordLineWriter()
    for (let i = 0; i < 10_000; i++) {
      const r = tx({ machine: `ps-${i}`, seq: i })
      expect(w.line(r)).toBe(JSON.stringify(r))
    }
  })
})
