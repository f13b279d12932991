// The screen and its keys, rendered with ink-testing-library on the fixture recorded from a real
// simple-discovery run (and on a synthetic log where a case needs refused transitions).
import { stripVTControlCharacters } from 'node:util'
import { render } from 'ink-testing-library'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { Root } from '../../src/dbg/components/root.js'
import { DbgController } from '../../src/dbg/ui/controller.js'
import { scanLog } from '../../src/telemetry/log/reader.js'
import { FIXTURE, loadModel, tempDir, writeSynthetic } from './helpers.js'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

const KEY = {
  right: '\x1b[C',
  left: '\x1b[D',
  up: '\x1b[A',
  down: '\x1b[B',
  shiftRight: '\x1b[1;2C',
  shiftLeft: '\x1b[1;2D',
  home: '\x1b[H',
  end: '\x1b[F',
  tab: '\t',
  enter: '\r',
  escape: '\x1b',
}

let unmount: (() => void) | undefined
afterEach(() => {
  unmount?.()
  unmount = undefined
})

async function open(path = FIXTURE, budgetBytes?: number) {
  const model = await loadModel(path, budgetBytes ? { budgetBytes } : {})
  let quit = 0
  const controller = new DbgController(model, { exportDir: tmp.dir, onQuit: () => quit++ })
  const app = render(<Root controller={controller} size={{ width: 120, height: 36 }} color={false} />)
  unmount = app.unmount
  const frame = (): string => stripVTControlCharacters(app.lastFrame() ?? '')
  const press = async (...keys: string[]): Promise<string> => {
    for (const k of keys) {
      app.stdin.write(k)
      await new Promise((r) => setImmediate(r))
    }
    return frame()
  }
  return { model, controller, frame, press, quits: () => quit }
}

/** The state tree row of a state, e.g. "+● Start". */
function stateRow(frame: string, name: string): string {
  const m = new RegExp(`([ +\\-*x])([●○◆◇]) ${name} `).exec(frame)
  return m ? `${m[1]}${m[2]}` : ''
}

describe('psm dbg screen', () => {
  it('steps through a machine: the transition pane and the active marks follow', async () => {
    const { frame, press } = await open()
    expect(frame()).toContain('tx 1/40 of ps-0')
    let f = await press(KEY.down, KEY.down)
    expect(f).toContain('states of ps-0-disc-bf-foobar')
    expect(f).toContain('tx 0/9 of ps-0-disc-bf-foobar')
    expect(f).toContain('no transition yet at the cursor')
    f = await press(KEY.right, KEY.right)
    expect(f).toContain('tx 2/9 of ps-0-disc-bf-foobar')
    expect(f).toMatch(/event\s+add\.Start/)
    expect(stateRow(f, 'Start')).toBe('+●')
    expect(stateRow(f, 'BootstrapChecking')).toBe('+●')
    expect(stateRow(f, 'DiscoveringTopic')).toBe(' ○')
    expect(f).toMatch(/ps-0-disc-bf-foobar\s+2\/9› S/)
    f = await press(KEY.right)
    expect(f).toMatch(/event\s+done\.checkReady/)
    expect(stateRow(f, 'Start')).toBe(' ●')
    expect(stateRow(f, 'BootstrapChecking')).toBe('-○')
    expect(stateRow(f, 'DiscoveringTopic')).toBe('+●')
    expect(f).toMatch(/removed\s+BootstrapChecking/)
    f = await press(KEY.left)
    expect(f).toMatch(/event\s+add\.Start/)
    expect(f).toContain('tx 2 / 9')
  })

  it('jumps: shift+arrows by 50, home/end, [ and ] to the changes of the selected state', async () => {
    const { press } = await open()
    let f = await press(KEY.shiftRight)
    expect(f).toContain('tx 40/40 of ps-0')
    f = await press(KEY.home)
    expect(f).toContain('tx 1/40 of ps-0')
    f = await press(KEY.end)
    expect(f).toContain('tx 40/40 of ps-0')
    f = await press(KEY.shiftLeft)
    expect(f).toContain('tx 0/40 of ps-0')
    // PeersPending is the first state of ps-0: ] finds its first activation
    f = await press(KEY.tab, ']')
    expect(f).toMatch(/added\s+PeersPending/)
    expect(stateRow(f, 'PeersPending')).toBe('+●')
    f = await press(']')
    expect(stateRow(f, 'PeersPending')).toBe('-○')
    f = await press('[')
    expect(stateRow(f, 'PeersPending')).toBe('+●')
    f = await press('[')
    expect(f).toContain('no earlier change of PeersPending')
  })

  it('searches machines by id: type to jump, ↓ for the next match, esc to go back', async () => {
    const { press } = await open()
    let f = await press('/', 'd', 'i', 's', 'c')
    expect(f).toContain('/  disc_')
    expect(f).toContain('8 matches')
    expect(f).toContain('states of ps-0-disc')
    f = await press(KEY.down, KEY.down)
    expect(f).toContain('states of ps-1-disc')
    // enter goes on to the next transition whose machine, event, args or log text match
    f = await press(KEY.enter)
    expect(f).toMatch(/'disc': \S+ of \S+ \(n \/ N: next \/ previous\)/)
    expect(f).toContain('PAUSED')
    const first = f.match(/tx (\d+)\/\d+ of (\S+)/)?.slice(1)
    f = await press('n')
    expect(f.match(/tx (\d+)\/\d+ of (\S+)/)?.slice(1)).not.toEqual(first)
    f = await press('N')
    expect(f.match(/tx (\d+)\/\d+ of (\S+)/)?.slice(1)).toEqual(first)
    const before = f.match(/states of (\S+)/)?.[1]
    f = await press('/', 'p', 's', '-', '3', KEY.escape)
    expect(f).toContain(`states of ${before}`)
    f = await press('/', 'z', 'z')
    expect(f).toContain("no machine matches 'zz'")
  })

  it('filters: hide refused when stepping, only this machine and its children in the list', async () => {
    const { press, model } = await open(writeSynthetic(tmp.dir, { txs: 800, peers: 2 }))
    let f = await press(KEY.down, KEY.down)
    expect(f).toContain('states of sim-p0')
    let refused = 0
    for (let i = 0; i < 40; i++) if ((await press(KEY.right)).includes('REFUSED')) refused++
    expect(refused).toBeGreaterThan(0)
    f = await press(KEY.home, 'f', '1')
    expect(f).toContain('[x] hide refused')
    f = await press(KEY.escape)
    expect(f).toContain('filters: refused hidden')
    for (let i = 0; i < 40; i++) expect(await press(KEY.right)).not.toContain('REFUSED')
    f = await press('f', 'c', KEY.escape)
    expect(f).toContain('machines 4 (subtree)')
    expect(f).not.toContain('sim-p1')
    expect(f).toContain('ps-0-disc-bf-t1')
    f = await press('f', 'c', KEY.enter)
    expect(f).toContain(`machines ${model.machines.length}`)
  })

  it('cycles views: tree + log, matrix, rain; shows and closes the help', async () => {
    const { press } = await open()
    let f = await press(KEY.right, KEY.right, 'm')
    expect(f).toContain('matrix: ps-0')
    expect(f).toMatch(/AddTopic\s+\.\*/)
    f = await press('m')
    expect(f).toContain('rain: ps-0')
    expect(f).toMatch(/▶\s+3 \S+ AddSubscription/)
    f = await press('m')
    expect(f).toContain('states of ps-0')
    f = await press('?')
    expect(f).toContain('psm dbg — keys')
    expect(f).toContain('shift+← / →')
    expect(f).toContain('export the selected machine')
    f = await press('x')
    expect(f).toContain('states of ps-0')
  })

  it('exports the selected machine with its children up to the cursor: it validates and reopens', async () => {
    const { press, frame, model, controller } = await open()
    await press(KEY.end)
    const path = await controller.exportSelected()
    expect(path).toBeDefined()
    expect(frame()).toMatch(/exported 58 txs of 3 machines to/)
    const { problem, stats } = await scanLog(path!)
    expect(problem).toBeUndefined()
    expect(stats.machines).toBe(3)
    const again = await loadModel(path!)
    expect(again.machines.map((m) => m.id)).toEqual(['ps-0', 'ps-0-disc', 'ps-0-disc-bf-foobar'])
    const ps0 = model.byId.get('ps-0')!
    expect(again.byId.get('ps-0')!.total).toBe(ps0.total)
    // the e key does the same (file name gets a suffix when taken)
    await press('e')
    await new Promise((r) => setTimeout(r, 100))
    expect(frame()).toMatch(/exported 58 txs of 3 machines to .*-1\.jsonl/)
  })

  it('tab moves the focus; enter expands state relations and collapses machine children', async () => {
    const { press } = await open(writeSynthetic(tmp.dir, { txs: 300, peers: 1 }, 'rel.jsonl'))
    let f = await press(KEY.down, KEY.down)
    expect(f).toContain('states of sim-p0')
    f = await press(KEY.tab, KEY.down, KEY.down, KEY.enter)
    expect(f).toMatch(/Ready\s+\d+ ▾/)
    expect(f).toContain('auto')
    expect(f).toContain('require Start, Connected')
    f = await press(KEY.enter)
    expect(f).not.toContain('require Start, Connected')
    f = await press(KEY.tab, KEY.tab, KEY.enter)
    expect(f).toMatch(/▸ sim-p0/)
    expect(f).not.toContain('ps-0-disc')
    f = await press(KEY.enter)
    expect(f).toContain('ps-0-disc')
  })

  it('plays (space) one step per tick until paused, and tail (v) jumps to the newest', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    try {
      const { press, frame } = await open()
      let f = await press(' ')
      expect(f).toContain('PLAYING')
      vi.advanceTimersByTime(100 * 5)
      await press()
      expect(frame()).toContain('tx 6/40 of ps-0')
      f = await press(' ')
      expect(f).toContain('PAUSED')
      vi.advanceTimersByTime(1000)
      expect(await press()).toContain('tx 6/40 of ps-0')
      f = await press('v')
      expect(f).toContain('TAIL')
      expect(f).toContain('global 258 / 258')
    } finally {
      vi.useRealTimers()
    }
  })

  it('says in the status bar how many old transitions --max-mem dropped', async () => {
    const { frame, model } = await open(writeSynthetic(tmp.dir, { txs: 4000, peers: 2 }, 'mem.jsonl'), 150_000)
    expect(model.droppedTxs).toBeGreaterThan(0)
    expect(frame()).toContain(`dropped ${model.droppedTxs} oldest (--max-mem)`)
  })

  it('quits on q and on ctrl-c', async () => {
    const { press, quits } = await open()
    await press('q')
    expect(quits()).toBe(1)
    await press('\x03')
    expect(quits()).toBe(2)
  })
})
