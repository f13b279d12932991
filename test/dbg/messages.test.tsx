// Messages followed across machines in the debugger: the index built from msg records, a message's path
// and the hosts it missed, the late list, search over args and log text, and the keys that open them —
// on synthetic version 2 logs (message floods over a known random tree) and a hand-made one.
import { stripVTControlCharacters } from 'node:util'
import { render } from 'ink-testing-library'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { pubsubHostMachine } from '../../machines/pubsub-host.js'
import { deriveSchema } from '../../machines/schema.js'
import { Root } from '../../src/dbg/components/root.js'
import { lateMessages, messagePath, messagesOfTx, quorum99 } from '../../src/dbg/model/message-path.js'
import { DbgModel } from '../../src/dbg/model/model.js'
import { findTx } from '../../src/dbg/model/search.js'
import { syntheticMsgId } from '../../src/dbg/synthetic-log.js'
import { DbgController } from '../../src/dbg/ui/controller.js'
import { LOG_FORMAT, type PsmRecord } from '../../src/telemetry/records.js'
import { FIXTURE, loadModel, tempDir, writeSynthetic } from './helpers.js'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
let unmount: (() => void) | undefined
afterEach(() => {
  unmount?.()
  unmount = undefined
})

const schema = deriveSchema(pubsubHostMachine)

/** A hand-made v2 log: ps-0 publishes m1; ps-1, ps-2 get it in a chain, ps-3 has a duplicate, ps-4 left. */
function handMade(): DbgModel {
  const m = new DbgModel()
  const recs: PsmRecord[] = [{ kind: 'header', format: LOG_FORMAT, version: 2, time: 0 }]
  const seq: Record<string, number> = {}
  const tx = (machine: string, time: number, event: string, args: Record<string, string | number>): void => {
    seq[machine] = (seq[machine] ?? 0) + 1
    recs.push({
      kind: 'tx',
      machine,
      seq: seq[machine]!,
      time,
      event,
      args,
      accepted: true,
      added: [],
      removed: [],
      touched: [event],
      durationUs: 3,
    })
  }
  const mark = (machine: string, time: number, mk: 'publish' | 'deliver' | 'duplicate', from?: string): void => {
    recs.push({
      kind: 'msg',
      machine,
      seq: seq[machine]!,
      time,
      mark: mk,
      id: 'm1',
      topic: 't',
      ...(from ? { from } : {}),
    })
  }
  for (let i = 0; i < 5; i++) {
    recs.push({
      kind: 'machine',
      id: `ps-${i}`,
      parent: null,
      type: 'pubsub-host',
      schema,
      time: 0,
      peer: `12D3Koo${i}`,
    })
    tx(`ps-${i}`, 1, 'AddSubscription', { topic: 't' })
  }
  tx('ps-0', 10, 'PublishMessage', { topic: 't', bytes: 3, msgId: 'm1' })
  mark('ps-0', 10, 'publish')
  tx('ps-1', 30, 'IncomingRPC', { from: 'ps-0', msgs: 1, ids: 'm1' })
  mark('ps-1', 30, 'deliver', 'ps-0')
  recs.push({ kind: 'stop', machine: 'ps-4', seq: seq['ps-4']!, time: 35 })
  tx('ps-2', 90, 'IncomingRPC', { from: 'ps-1', msgs: 1, ids: 'm1' })
  mark('ps-2', 90, 'deliver', 'ps-1')
  tx('ps-3', 95, 'IncomingRPC', { from: 'ps-1', msgs: 1, ids: 'm1' })
  mark('ps-3', 95, 'deliver', 'ps-1')
  tx('ps-3', 99, 'IncomingRPC', { from: '12D3Koo2', msgs: 1, ids: 'm1' })
  mark('ps-3', 99, 'duplicate', 'ps-2')
  for (const r of recs) expect(m.ingest(r)).toBeUndefined()
  m.changed()
  return m
}

describe('message index and path', () => {
  it('a hand-made log: the tree from the publisher, the slowest hop, the host that left as missed', () => {
    const m = handMade()
    const info = m.messages.messages[m.messages.byId.get('m1')!]!
    const p = messagePath(m, info)
    const id = (k: number) => m.machines[k]!.id
    expect(p.hops.map((h) => `${'  '.repeat(h.depth)}${id(h.machine)} ${h.mark} +${h.sincePublish}`)).toEqual([
      'ps-0 publish +0',
      '  ps-1 deliver +20',
      '    ps-2 deliver +80',
      '      ps-3 duplicate +89',
      '    ps-3 deliver +85',
    ])
    expect(p.hops.map((h) => h.hopMs)).toEqual([undefined, 20, 60, 9, 65])
    expect(p.slowest).toBe(4)
    expect(p.missed.map(id)).toEqual(['ps-4'])
    expect(p).toMatchObject({ expected: 4, reached: 3, t99: undefined, tAll: undefined })
    // every hop names the transition it belongs to
    for (const h of p.hops) expect(m.tx(h.g)?.machine.id).toBe(id(h.machine))
    expect(messagesOfTx(m, p.hops[1]!.g)).toEqual(['m1'])
    // peers by name: the raw peer id of an arg is shown as the machine that drives it
    expect(m.peerName('12D3Koo2')).toBe('ps-2')
    expect(m.byId.get('ps-3')?.peer).toBe('12D3Koo3')
  })

  it('99%: at least one host, all of them below a hundred', () => {
    expect([1, 5, 99, 100, 101, 1000].map(quorum99)).toEqual([1, 5, 99, 99, 100, 990])
  })

  it('a synthetic flood: every host but the publisher reached once, first deliveries form one tree', async () => {
    const path = writeSynthetic(tmp.dir, { txs: 6000, peers: 30, messages: 4, snapshotEvery: 100 }, 'flood.jsonl')
    const m = await loadModel(path)
    expect(m.malformed).toBe(0)
    expect(m.messages.messages.map((x) => x.id)).toEqual([0, 1, 2, 3].map(syntheticMsgId))
    for (const info of m.messages.messages) {
      const p = messagePath(m, info)
      const firsts = p.hops.filter((h) => h.mark === 'deliver')
      expect(firsts).toHaveLength(29)
      expect(new Set(firsts.map((h) => h.machine)).size).toBe(29)
      expect(p).toMatchObject({ expected: 29, reached: 29, missed: [] })
      // tree order: a host comes after the one it got the message from, one level deeper
      for (const h of firsts) {
        const parent = p.hops.findLast((x, i) => i < p.hops.indexOf(h) && x.machine === h.from)
        expect(parent, 'the sender is above').toBeDefined()
        expect(h.depth).toBe(parent!.depth + 1)
        expect(h.time).toBeGreaterThan(parent!.time)
      }
      expect(p.tAll).toBe(Math.max(...firsts.map((h) => h.sincePublish)))
    }
    const late = lateMessages(m)
    expect(late).toHaveLength(4)
    for (let i = 1; i < late.length; i++) expect(late[i - 1]!.t99!).toBeGreaterThanOrEqual(late[i]!.t99!)
  })

  it('search: message ids, topics and peer names in args, event names, log text; n/N wrap around', async () => {
    const path = writeSynthetic(tmp.dir, { txs: 3000, peers: 10, messages: 3, logEvery: 25 }, 'search.jsonl')
    const m = await loadModel(path)
    const id = syntheticMsgId(1)
    const start = m.firstGlobal - 1
    const g = findTx(m, id, start, 1)
    expect(m.tx(g)).toMatchObject({ event: 'PublishMessage', args: { msgId: id } })
    // every later match names it too, and going on wraps round to the publish again
    const seen = [g]
    for (let k = findTx(m, id, g, 1); k !== g; k = findTx(m, id, k, 1)) {
      expect(JSON.stringify(m.tx(k)?.args)).toContain(id)
      seen.push(k)
      expect(seen.length).toBeLessThan(100)
    }
    expect(seen).toHaveLength(10)
    expect(findTx(m, id, seen[3]!, -1)).toBe(seen[2])
    expect(findTx(m, id, g, -1)).toBe(seen[9])
    // a peer name in args (from=ps-7), an event name, a log line's text
    const byPeer = findTx(m, 'ps-7"', start, 1)
    expect(m.tx(byPeer)?.args?.from).toBe('ps-7')
    expect(m.tx(findTx(m, 'incomingrpc', start, 1))?.event).toBe('IncomingRPC')
    const logged = findTx(m, 'handled in round 50', start, 1)
    expect(m.logsOf(logged).some((l) => l.text.includes('handled in round 50'))).toBe(true)
    expect(findTx(m, 'no such thing anywhere', start, 1)).toBe(-1)
  })

  it('a version 1 log opens with no messages; o says so, L is empty', async () => {
    const m = await loadModel(FIXTURE)
    expect(m.header?.version).toBe(1)
    expect(m.messages.messages).toHaveLength(0)
    const c = new DbgController(m)
    c.apply({ type: 'step', dir: 1, n: 1 })
    c.apply({ type: 'message' })
    expect(c.state.overlay).toBeNull()
    expect(c.state.message).toMatch(/names no message \(this log has no msg records/)
    expect(lateMessages(m)).toEqual([])
  })
})

describe('message keys on the screen', () => {
  async function open(path: string, opts: { msg?: string } = {}) {
    const model = await loadModel(path)
    const controller = new DbgController(model, opts)
    const app = render(<Root controller={controller} size={{ width: 140, height: 40 }} color={false} />)
    unmount = app.unmount
    const press = async (...keys: string[]): Promise<string> => {
      for (const k of keys) {
        app.stdin.write(k)
        await new Promise((r) => setImmediate(r))
      }
      return stripVTControlCharacters(app.lastFrame() ?? '')
    }
    return { model, controller, press }
  }

  it('--msg opens the message view; s, enter, esc; L lists late messages and enter opens one', async () => {
    const path = writeSynthetic(tmp.dir, { txs: 3000, peers: 8, messages: 3 }, 'keys.jsonl')
    const id = syntheticMsgId(2)
    const { press, controller, model } = await open(path, { msg: id })
    let f = await press()
    expect(f).toContain(`message ${id} on t1`)
    expect(f).toMatch(/reached 7\/7 subscribers · 99% in \d+ms · all in \d+ms/)
    expect(f).toMatch(/▶ ps-\d\s+\+0\.0ms\s+hop —\s+publish\s+PublishMessage #\d+/)
    f = await press('s')
    expect(f).toMatch(/▶\s+└ ps-\d.*◀ slowest hop/)
    const host = /▶\s+└ (ps-\d)/.exec(f)![1]!
    f = await press('\r')
    expect(controller.state.overlay).toBeNull()
    expect(f).toContain(`of ${host}`)
    expect(f).toMatch(/event\s+IncomingRPC/)
    expect(f).toMatch(/peer\s+ps-\d/)
    expect(f).toMatch(/deliver\s+from ps-\d on t1:/)
    // o from that transition opens the same message again
    f = await press('o')
    expect(f).toContain(`message ${id} on t1`)
    f = await press('\x1b')
    expect(controller.state.overlay).toBeNull()
    f = await press('L')
    expect(f).toContain('late messages (3)')
    const first = lateMessages(model)[0]!
    f = await press('\r')
    expect(f).toContain(`message ${first.id} on t1`)
  })

  it('--msg with an id the log lacks says so once the file is read', async () => {
    const path = writeSynthetic(tmp.dir, { txs: 1000, peers: 3, messages: 1 }, 'nomsg.jsonl')
    const { press } = await open(path, { msg: 'nope' })
    expect(await press()).toContain('--msg nope: no message with that id in this log')
  })
})
