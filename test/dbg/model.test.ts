import { afterEach, describe, expect, it } from 'vitest'
import { CHECKPOINT_EVERY } from '../../src/dbg/model/machine-track.js'
import { DbgModel } from '../../src/dbg/model/model.js'
import { first, last, NO_FILTERS, nextChange, step } from '../../src/dbg/model/navigate.js'
import { treeRows } from '../../src/dbg/model/tree.js'
import { loadHistories } from '../../src/telemetry/log/reader.js'
import { FIXTURE, loadModel, tempDir, writeSynthetic } from './helpers.js'

const tmp = tempDir()
afterEach(() => {})

function seqAt(model: DbgModel, id: string, count: number): number {
  const t = model.byId.get(id)!
  return count === 0 ? 0 : model.store.seq[model.globalOf(t, count - 1) - model.store.base]!
}

describe('model', () => {
  it('rebuilds the same active sets and ticks as the reader, at every tx of every machine', async () => {
    for (const path of [FIXTURE, writeSynthetic(tmp.dir, { txs: 1500 })]) {
      const model = await loadModel(path)
      const hist = await loadHistories(path)
      expect(model.machines.length).toBe(hist.size)
      for (const t of model.machines) {
        const h = hist.get(t.id)!
        for (let c = 0; c <= t.total; c++) {
          const st = model.stateAfter(t, c)
          const ref = h.stateAt(seqAt(model, t.id, c))
          expect(Array.from(st.ticks)).toEqual(ref.ticks)
          expect(t.names(st.active)).toEqual(ref.active)
        }
      }
    }
  })

  it('keeps a checkpoint every CHECKPOINT_EVERY txs of a machine', async () => {
    const model = await loadModel(writeSynthetic(tmp.dir, { txs: 2000, peers: 1 }, 'cp.jsonl'))
    const ps = model.byId.get('ps-0')!
    expect(ps.total).toBeGreaterThan(3 * CHECKPOINT_EVERY)
    expect(ps.ckCount.length).toBeGreaterThanOrEqual(Math.floor(ps.total / CHECKPOINT_EVERY))
  })

  it('counts tx records it cannot use instead of failing', () => {
    const model = new DbgModel()
    expect(
      model.ingest({
        kind: 'tx',
        machine: 'nope',
        seq: 1,
        time: 1,
        event: 'x',
        accepted: true,
        added: [],
        removed: [],
        touched: [],
        durationUs: 1,
      }),
    ).toMatch(/undeclared/)
    model.declare({ id: 'm', parent: null, type: 'topic', schema: { type: 'topic', states: [{ name: 'A' }] }, time: 0 })
    expect(
      model.ingest({
        kind: 'tx',
        machine: 'm',
        seq: 1,
        time: 1,
        event: 'x',
        accepted: true,
        added: ['Nope'],
        removed: [],
        touched: [],
        durationUs: 1,
      }),
    ).toMatch(/not in its schema/)
    expect(model.txCount).toBe(0)
  })

  it('drops the oldest txs past its budget and keeps every machine state right', async () => {
    const path = writeSynthetic(tmp.dir, { txs: 4000, peers: 2 }, 'budget.jsonl')
    const full = await loadModel(path)
    const small = await loadModel(path, { budgetBytes: 150_000 })
    expect(small.droppedTxs).toBeGreaterThan(0)
    expect(small.txCount + small.droppedTxs).toBe(4000)
    expect(small.estimateBytes()).toBeLessThanOrEqual(150_000)
    for (const t of small.machines) {
      const f = full.byId.get(t.id)!
      expect(t.total).toBe(f.total)
      for (const c of [t.dropped, Math.floor((t.dropped + t.total) / 2), t.total]) {
        expect(Array.from(small.stateAfter(t, c).ticks)).toEqual(Array.from(full.stateAfter(f, c).ticks))
      }
    }
    // args of the txs still held survive the compaction
    const g = small.lastGlobal
    expect(small.tx(g)?.args).toEqual(full.tx(g)?.args)
  })

  it('steps with filters, jumps, and finds the previous/next change of a state', async () => {
    const model = await loadModel(writeSynthetic(tmp.dir, { txs: 1500, peers: 1 }, 'nav.jsonl'))
    const t = model.byId.get('sim-p0')!
    expect(first(model, t, NO_FILTERS)).toBe(0)
    expect(last(model, t, NO_FILTERS)).toBe(t.total - 1)
    expect(step(model, t, 0, 1, 5, NO_FILTERS)).toBe(5)
    expect(step(model, t, 3, -1, 50, NO_FILTERS)).toBe(-1)
    const hide = { ...NO_FILTERS, hideRefused: true }
    let refused = 0
    for (let q = 0; q < t.total; q++) if (!model.tx(model.globalOf(t, q))!.accepted) refused++
    expect(refused).toBeGreaterThan(0)
    let pos = -1
    let visited = 0
    for (;;) {
      const next = step(model, t, pos, 1, 1, hide)
      if (next === pos) break
      expect(model.tx(model.globalOf(t, next))!.accepted).toBe(true)
      pos = next
      visited++
    }
    expect(visited).toBe(t.total - refused)
    const start = t.stateIndex.get('Start')!
    const c = nextChange(model, t, -1, 1, start)
    expect(model.tx(model.globalOf(t, c))!.added & (1 << start)).not.toBe(0)
    expect(nextChange(model, t, c, -1, start)).toBe(-1)
  })

  it('lists machines as a tree by parent', async () => {
    const model = await loadModel(writeSynthetic(tmp.dir, { txs: 100, peers: 2 }, 'tree.jsonl'))
    const rows = treeRows(model.machines, new Set())
    expect(rows.map((r) => `${' '.repeat(r.depth)}${r.t.id}`)).toEqual([
      'sim',
      ' sim-t-t1',
      ' sim-p0',
      '  ps-0',
      '   ps-0-disc',
      '    ps-0-disc-bf-t1',
      ' sim-p1',
      '  ps-1',
      '   ps-1-disc',
      '    ps-1-disc-bf-t1',
    ])
    const collapsed = treeRows(model.machines, new Set([model.byId.get('sim-p0')!.index]))
    expect(collapsed.map((r) => r.t.id)).not.toContain('ps-0')
  })
})

process.on('exit', () => tmp.cleanup())
