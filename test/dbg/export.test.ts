import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { exportRange } from '../../src/dbg/model/export.js'
import { DbgController } from '../../src/dbg/ui/controller.js'
import { scanLog } from '../../src/telemetry/log/reader.js'
import { FIXTURE, loadModel, tempDir, writeSynthetic } from './helpers.js'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

describe('export', () => {
  it('writes a range that starts mid-history with snapshots: it validates and replays the same', async () => {
    const model = await loadModel(writeSynthetic(tmp.dir, { txs: 2000, peers: 2 }))
    const root = model.byId.get('sim-p1')!
    const from = model.firstGlobal + 700
    const to = model.firstGlobal + 1500
    const path = join(tmp.dir, 'range.jsonl')
    const res = await exportRange(model, root, from, to, path)
    expect(res.machines).toBe(4)
    const { problem, stats } = await scanLog(path)
    expect(problem).toBeUndefined()
    expect(stats.txs).toBe(res.txs)
    const again = await loadModel(path)
    for (const t of model.subtree(root)) {
      const e = again.byId.get(t.id)!
      const before = model.countUpTo(t, from - 1)
      // the exported machine starts where the range starts and ends in the same state
      expect(e.total).toBe(model.countUpTo(t, to) - before)
      expect(Array.from(again.stateAfter(e, 0).ticks)).toEqual(Array.from(model.stateAfter(t, before).ticks))
      expect(Array.from(again.stateAfter(e, e.total).ticks)).toEqual(
        Array.from(model.stateAfter(t, model.countUpTo(t, to)).ticks),
      )
    }
  })

  it('exports what is left after --max-mem dropped the oldest transitions, and it still validates', async () => {
    const model = await loadModel(writeSynthetic(tmp.dir, { txs: 4000, peers: 2 }, 'big.jsonl'), {
      budgetBytes: 150_000,
    })
    expect(model.droppedTxs).toBeGreaterThan(0)
    const c = new DbgController(model, { exportDir: tmp.dir })
    c.state = { ...c.state, cursor: model.lastGlobal }
    const path = await c.exportSelected()
    expect(c.state.message).toMatch(/^exported \d+ txs of 10 machines to /)
    expect((await scanLog(path!)).problem).toBeUndefined()
    expect((await loadModel(path!)).txCount).toBe(model.txCount)
  })

  it('keeps args, log lines and stop records of the fixture', async () => {
    const model = await loadModel(FIXTURE)
    const path = join(tmp.dir, 'all.jsonl')
    await exportRange(model, model.byId.get('ps-1')!, model.firstGlobal, model.lastGlobal, path)
    const again = await loadModel(path)
    const t = model.byId.get('ps-1-disc')!
    const e = again.byId.get('ps-1-disc')!
    for (let i = 0; i < t.total; i++) {
      expect(again.tx(again.globalOf(e, i))?.args).toEqual(model.tx(model.globalOf(t, i))?.args)
    }
    expect(e.stopped).toBe(t.stopped)
  })
})
