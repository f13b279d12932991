// Property test: every machine, driven through seeded random sequences of its own events, clock ticks
// and settled actors, keeps on every snapshot the relations its schema declares.
import { describe, expect, test } from 'vitest'
import { setup } from 'xstate'
import { machineCatalog } from '../../machines/index.js'
import { ACTIVE, boolMeta, INACTIVE, rootMeta } from '../../machines/schema.js'
import { randomWalk, relationChecker } from '../helpers/relations.js'

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8]
const STEPS = 400
/** children each parent spawns in a walk (its events name peer 1 and topic t1), by the end of their ids */
const SPAWNS: Record<string, string[]> = {
  simulator: ['sim-p1', 'sim-t-t1'],
  'sim-peer': ['ps-1'],
  // `<discovery id>-bf-<topic>`: the walked actor has xstate's default id
  discovery: ['-bf-t1'],
}
const INPUT: Record<string, unknown> = { 'bootstrap-flow': { topic: 't1' }, 'sim-peer': { peer: 'p1', host: 'ps-1' } }

describe('relations hold on every snapshot of a random walk', () => {
  for (const { type, machine } of machineCatalog()) {
    test(type, async () => {
      const seen = new Set<string>()
      const children = new Set<string>()
      for (const seed of SEEDS) {
        for (const failingActors of [false, true]) {
          const r = await randomWalk(machine, { seed, steps: STEPS, input: INPUT[type], failingActors })
          expect(r.violations, `seed ${seed}${failingActors ? ', failing actors' : ''}`).toEqual([])
          expect(r.snapshots).toBeGreaterThan(10)
          for (const x of r.seen) seen.add(x)
          for (const id of r.children) children.add(id)
        }
      }
      // the children a machine spawns were spawned (and, with failing actors, failed into Exception)
      for (const id of SPAWNS[type] ?? []) {
        expect(
          [...children].some((c) => c.endsWith(id)),
          `${type} spawns …${id}`,
        ).toBe(true)
      }
      // the walk reached every state that can be active (Multi states never stay active)
      const states = relationChecker(machine).states.filter((s) => !s.multi)
      expect([...seen].sort()).toEqual(states.map((s) => s.name).sort())
    })
  }
})

describe('the checker fails a machine whose behaviour differs from its schema', () => {
  // the pre-table style: the relation written in meta, the guard written (here: forgotten) by hand
  const handWritten = setup({}).createMachine({
    type: 'parallel',
    context: { flags: 0 },
    meta: rootMeta({ type: 'hand-written', order: ['HasPeers', 'Peaking'] }),
    states: {
      HasPeers: {
        meta: boolMeta(),
        initial: INACTIVE,
        states: { [INACTIVE]: { on: { 'add.HasPeers': ACTIVE } }, [ACTIVE]: { on: { 'remove.HasPeers': INACTIVE } } },
      },
      Peaking: {
        meta: boolMeta({ require: ['HasPeers'] }),
        initial: INACTIVE,
        states: { [INACTIVE]: { on: { 'add.Peaking': ACTIVE } }, [ACTIVE]: { on: { 'remove.Peaking': INACTIVE } } },
      },
    },
  })

  test('a require the guards do not enforce', async () => {
    const r = await randomWalk(handWritten, { seed: 1, steps: 200 })
    expect(r.violations.some((v) => v.includes('Peaking is active without its requirement HasPeers'))).toBe(true)
  })
})
