import { createServer } from 'node:net'
import { createInspectorServer } from '@statelyai/inspect/server'
import { afterEach, describe, expect, test } from 'vitest'
import {
  createInspectStream,
  DEFAULT_INSPECT_URL,
  formatInspectStats,
  type InspectStream,
  parseInspectUrl,
} from '../../src/telemetry/inspect.js'
import { runPsm } from '../helpers/cli.js'
import { runTree, TREE } from './traces/otel-tree.js'

interface Received {
  type: string
  sessionId: string
  name?: string
  parentId?: string
  rootId?: string
  definition?: string
  event?: { type: string; args?: Record<string, unknown>; accepted?: boolean }
  snapshot?: { status?: string; value?: Record<string, string>; context?: { active: string[] } }
}

interface WsClient {
  on(ev: 'open', fn: () => void): void
  on(ev: 'message', fn: (data: Buffer) => void): void
  close(): void
}
const WS: string = 'ws'

async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

/** The package's own bridge server, and a client of it standing in for the inspector UI. */
async function inspectorUi(port: number) {
  const server = createInspectorServer({ port, autoOpen: false })
  const { WebSocket } = (await import(WS)) as { WebSocket: new (url: string) => WsClient }
  const got: Received[] = []
  let wake = () => {}
  let client: WsClient | null = null
  // the server may still be binding: retry until the UI's socket opens
  for (let i = 0; i < 100 && !client; i++) {
    client = await new Promise<WsClient | null>((resolve) => {
      const c = new WebSocket(`ws://127.0.0.1:${port}`)
      // listening before the socket opens: the server replays what it buffered as soon as it accepts
      c.on('message', (data) => {
        got.push(JSON.parse(data.toString()) as Received)
        wake()
      })
      c.on('open', () => resolve(c))
      ;(c as unknown as { on(ev: 'error', fn: () => void): void }).on('error', () => resolve(null))
    })
    if (!client) await new Promise((r) => setTimeout(r, 20))
  }
  return {
    got,
    /** resolves when `pred` holds on what arrived (the test timeout bounds it) */
    until: (pred: (got: Received[]) => boolean) =>
      new Promise<void>((resolve) => {
        wake = () => {
          if (pred(got)) resolve()
        }
        wake()
      }),
    close: () => {
      client!.close()
      server.stop()
    },
  }
}

const streams: InspectStream[] = []
afterEach(async () => {
  for (const s of streams.splice(0)) await s.close()
})

describe('psm sim --inspect: machines to a Stately inspector', () => {
  test('every actor arrives with its definition and parent, then its events and snapshots', async () => {
    const port = await freePort()
    const ui = await inspectorUi(port)
    try {
      const stream = await createInspectStream({ url: `ws://127.0.0.1:${port}` })
      streams.push(stream)
      await stream.connected()
      await runTree((rec) => stream.attach(rec))
      const sent = stream.stats().sent
      expect(sent).toBeGreaterThan(TREE.length)
      await ui.until((got) => got.length >= sent)
      expect(ui.got).toHaveLength(sent)

      const actors = new Map(ui.got.filter((e) => e.type === '@xstate.actor').map((e) => [e.sessionId, e]))
      expect([...actors.keys()].sort()).toEqual(TREE.map((m) => m.id).sort())
      for (const m of TREE) {
        const a = actors.get(m.id)!
        // the inspector draws the machine: its xstate definition travels with the actor (the hot pubsub-host
        // machine is flat: its states are flags, shown in the snapshot's context)
        const def = JSON.parse(a.definition!) as { id: string; states?: object }
        expect(def.id).toBe(a.name)
        if (a.name !== 'pubsub-host') expect(Object.keys(def.states!).length, m.id).toBeGreaterThan(0)
        expect(a.parentId).toBe(m.parent ?? undefined)
        expect(a.rootId).toBe(m.parent === null ? undefined : 'sim')
        // events and a final stopped snapshot for every actor
        expect(ui.got.some((e) => e.type === '@xstate.event' && e.sessionId === m.id)).toBe(true)
        const snaps = ui.got.filter((e) => e.type === '@xstate.snapshot' && e.sessionId === m.id)
        expect(snaps.at(-1)!.snapshot!.status, m.id).toBe('stopped')
      }
      expect(actors.get('ps-0')!.name).toBe('pubsub-host')
      const publish = ui.got.find((e) => e.type === '@xstate.event' && e.event?.type === 'PublishMessage')!
      expect(publish.sessionId).toBe('ps-0')
      expect(publish.event).toMatchObject({ args: { topic: 't1', msgId: 'm1' }, accepted: true })
      // the refused AddPeer is an event with accepted false, and no snapshot follows it
      const refused = ui.got.find((e) => e.event?.type === 'add.AddPeer')!
      expect(refused).toMatchObject({ type: '@xstate.event', sessionId: 'sim', event: { accepted: false } })
      // snapshots carry the machine's value: the bootstrap flow reached TopicBootstrapped
      const flow = ui.got.filter((e) => e.type === '@xstate.snapshot' && e.sessionId === 'ps-0-disc-bf-t1')
      expect(flow.some((e) => e.snapshot!.context!.active.includes('TopicBootstrapped'))).toBe(true)
      expect(flow.some((e) => Object.values(e.snapshot!.value!).includes('TopicBootstrapped'))).toBe(true)

      const stats = await stream.close()
      expect(stats).toMatchObject({ dropped: 0, queued: 0, sent, connections: 1 })
      expect(formatInspectStats(stats)).toMatch(/none dropped/)
    } finally {
      ui.close()
    }
  })

  test('no inspector listening: a bounded queue, every drop counted; the newest events go out when one comes', async () => {
    // the same tree, connected, gives the number of events it makes
    const port = await freePort()
    const ui0 = await inspectorUi(port)
    const ref = await createInspectStream({ url: `ws://127.0.0.1:${port}` })
    await ref.connected()
    await runTree((rec) => ref.attach(rec))
    const total = (await ref.close()).sent
    ui0.close()

    const port2 = await freePort()
    const stream = await createInspectStream({ url: `ws://127.0.0.1:${port2}`, maxQueued: 10, retryMs: 20 })
    streams.push(stream)
    await runTree((rec) => stream.attach(rec))
    const before = stream.stats()
    expect(before).toMatchObject({ connected: false, sent: 0, queued: 10, dropped: total - 10, connections: 0 })
    expect(formatInspectStats(before)).toMatch(/DROPPED.*no inspector connected/)

    // an inspector appears: the stream's next attempt connects and sends the ten it kept, the newest
    const ui = await inspectorUi(port2)
    try {
      await ui.until((got) => got.length >= 10)
      const after = await stream.close()
      expect(after).toMatchObject({ sent: 10, queued: 0, dropped: total - 10, connections: 1 })
      expect(ui.got.at(-1)).toMatchObject({
        type: '@xstate.snapshot',
        sessionId: 'sim',
        snapshot: { status: 'stopped' },
      })
    } finally {
      ui.close()
    }
  })

  test('closing while nothing listens counts the queue as dropped and leaves no timer behind', async () => {
    const stream = await createInspectStream({ url: `ws://127.0.0.1:${await freePort()}`, maxQueued: 5 })
    await runTree((rec) => stream.attach(rec))
    const s = await stream.close()
    expect(s.sent).toBe(0)
    expect(s.queued).toBe(0)
    expect(s.dropped).toBeGreaterThan(5)
  })

  test('psm sim --inspect: a real run streams its machines; the final line counts what was sent', async () => {
    const port = await freePort()
    const ui = await inspectorUi(port)
    try {
      const res = await runPsm([
        'sim',
        '--duration',
        '3s',
        '--initial-peers',
        '3',
        '--max-peers',
        '3',
        '--inspect',
        `ws://127.0.0.1:${port}`,
        '--quiet',
      ])
      expect(res.code, res.stderr).toBe(0)
      const m = /inspect: (\d+) events sent to ws:\/\/127\.0\.0\.1:\d+, none dropped/.exec(res.stderr)
      expect(m, res.stderr).not.toBeNull()
      const sent = Number(m![1])
      await ui.until((got) => got.length >= sent)
      expect(ui.got).toHaveLength(sent)
      const actors = new Set(ui.got.filter((e) => e.type === '@xstate.actor').map((e) => e.sessionId))
      for (const id of ['sim', 'sim-p0', 'ps-0', 'sim-p2', 'ps-2']) expect(actors.has(id), id).toBe(true)
      expect(ui.got.some((e) => e.type === '@xstate.event' && e.sessionId === 'ps-0')).toBe(true)
    } finally {
      ui.close()
    }
    const bad = await runPsm(['sim', '--inspect', 'http://127.0.0.1:1'])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim().split('\n')).toEqual([
      "psm sim: --inspect: 'http://127.0.0.1:1' is not a ws:// URL (e.g. ws://127.0.0.1:8080)",
    ])
  })

  test('addresses: default 127.0.0.1:8080; ws:// or host:port; anything else is one clear error', () => {
    expect(parseInspectUrl(undefined)).toBe(DEFAULT_INSPECT_URL)
    expect(parseInspectUrl(true)).toBe('ws://127.0.0.1:8080')
    expect(parseInspectUrl('ws://localhost:9000')).toBe('ws://localhost:9000')
    expect(parseInspectUrl('127.0.0.1:9001')).toBe('ws://127.0.0.1:9001')
    expect(() => parseInspectUrl('http://x:1')).toThrow(/--inspect: 'http:\/\/x:1' is not a ws:\/\/ URL/)
    expect(() => parseInspectUrl('ws://x:notaport')).toThrow(/--inspect/)
  })
})
