// The live protocol end to end in one process: the socket sink streams into the debugger's server.
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { type LiveServer, startLiveServer } from '../../src/dbg/live/live-server.js'
import { DbgModel } from '../../src/dbg/model/model.js'
import { syntheticRecords } from '../../src/dbg/synthetic-log.js'
import { loadHistories } from '../../src/telemetry/log/reader.js'
import { createSocketSink, type SocketSink } from '../../src/telemetry/log/socket-sink.js'
import type { PsmRecord } from '../../src/telemetry/records.js'
import { FIXTURE } from './helpers.js'

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}

async function fixtureRecords(): Promise<PsmRecord[]> {
  const { readFileSync } = await import('node:fs')
  return readFileSync(FIXTURE, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as PsmRecord)
}

let servers: LiveServer[] = []
let sinks: SocketSink[] = []
afterEach(async () => {
  await Promise.all(sinks.map((s) => s.close()))
  await Promise.all(servers.map((s) => s.close()))
  servers = []
  sinks = []
})

async function serve(model: DbgModel, maxLineBytes?: number): Promise<LiveServer> {
  const s = await startLiveServer(model, { host: '127.0.0.1', port: 0, ...(maxLineBytes ? { maxLineBytes } : {}) })
  servers.push(s)
  return s
}

describe('live: socket sink → debugger server', () => {
  it('streams message marks too: the live message view is the one the file gives', async () => {
    const { messagePath } = await import('../../src/dbg/model/message-path.js')
    const records = [...syntheticRecords({ txs: 3000, peers: 8, messages: 3 })]
    const file = new DbgModel()
    for (const r of records) expect(file.ingest(r)).toBeUndefined()
    const model = new DbgModel({ mode: 'live' })
    const server = await serve(model)
    const sink = createSocketSink({ port: server.port })
    sinks.push(sink)
    for (const r of records) sink.write(r)
    await until(() => model.txCount === file.txCount && model.messages.marks === file.messages.marks)
    expect(model.messages.messages.map((m) => m.id)).toEqual(file.messages.messages.map((m) => m.id))
    const shape = (m: DbgModel, k: number) =>
      messagePath(m, m.messages.messages[k]!).hops.map((h) => [m.machines[h.machine]!.id, h.mark, h.depth, h.g])
    for (let k = 0; k < 3; k++) expect(shape(model, k)).toEqual(shape(file, k))
    expect(sink.dropped()).toBe(0)
  })

  it('streams a recorded run into the model, with the same states as the file', async () => {
    const model = new DbgModel({ mode: 'live' })
    const server = await serve(model)
    const sink = createSocketSink({ port: server.port })
    sinks.push(sink)
    const records = await fixtureRecords()
    for (const r of records) sink.write(r)
    const txs = records.filter((r) => r.kind === 'tx').length
    await until(() => model.txCount === txs)
    const hist = await loadHistories(FIXTURE)
    for (const t of model.machines) {
      const ref = hist.get(t.id)!.stateAt(t.lastSeq)
      expect(Array.from(model.stateAfter(t, t.total).ticks)).toEqual(ref.ticks)
    }
    expect(model.malformed).toBe(0)
    expect(sink.dropped()).toBe(0)
  })

  it('when nothing listens: says so once, drops the oldest past its bound, and catches up later', async () => {
    const model = new DbgModel({ mode: 'live' })
    const probe = await serve(model)
    const port = probe.port
    await probe.close()
    servers = []
    const notices: string[] = []
    const sink = createSocketSink({ port, maxQueued: 100, reconnectMs: 50, onNotice: (t) => notices.push(t) })
    sinks.push(sink)
    const records = [...syntheticRecords({ txs: 400, peers: 1, logEvery: 0, snapshotEvery: 1000 })]
    for (const r of records) sink.write(r)
    await until(() => notices.length > 0)
    await new Promise((r) => setTimeout(r, 200))
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatch(/nothing listens on 127\.0\.0\.1:\d+/)
    expect(sink.dropped()).toBeGreaterThan(0)
    // the debugger starts after the run: machines appear with their state right at the resume point
    const later = await startLiveServer(model, { host: '127.0.0.1', port })
    servers.push(later)
    const lastSeq = new Map<string, number>()
    for (const r of records) if (r.kind === 'tx') lastSeq.set(r.machine, r.seq)
    await until(() => [...lastSeq].every(([id, seq]) => model.byId.get(id)?.lastSeq === seq))
    const file = new DbgModel()
    for (const r of records) file.ingest(r)
    for (const t of model.machines) {
      const f = file.byId.get(t.id)!
      expect(Array.from(model.stateAfter(t, t.total).ticks)).toEqual(Array.from(file.stateAfter(f, f.total).ticks))
    }
    expect(notices.at(-1)).toMatch(/psm dbg at 127\.0\.0\.1:\d+: connected/)
    expect(notices).toHaveLength(2)
  })

  it('disconnects a client that sends garbage or an oversized line, and keeps serving others', async () => {
    const model = new DbgModel({ mode: 'live' })
    const server = await serve(model, 1024)
    const send = (text: string) =>
      new Promise<void>((resolve) => {
        const s = connect(server.port, '127.0.0.1', () => s.write(text))
        s.on('close', () => resolve())
        s.on('error', () => {})
      })
    await send('hello\n')
    expect(model.notices.join('\n')).toMatch(/client 1 .* disconnected: line 1 is not JSON/)
    await send('{"kind":"header","format":"other"}\n')
    expect(model.notices.join('\n')).toMatch(/client 2 .* disconnected: not a psm log/)
    await send(`{"kind":"header","format":"psm-log","version":1,"time":1}\n${'x'.repeat(5000)}`)
    expect(model.notices.join('\n')).toMatch(/client 3 .* disconnected: line 2 is longer than 1024 bytes/)
    const sink = createSocketSink({ port: server.port })
    sinks.push(sink)
    for (const r of await fixtureRecords()) sink.write(r)
    await until(() => model.machines.length === 12)
    // the reasons stay readable in the help overlay
    const { helpLines } = await import('../../src/dbg/components/help-overlay.js')
    const help = helpLines(model.notices)
      .map((l) => l.map((s) => s.text).join(''))
      .join('\n')
    expect(help).toMatch(/recent notices[\s\S]*line 2 is longer than 1024 bytes/)
  })

  it('keeps two runs with the same machine ids apart and marks a finished run disconnected', async () => {
    const model = new DbgModel({ mode: 'live' })
    const server = await serve(model)
    const records = await fixtureRecords()
    const a = createSocketSink({ port: server.port })
    for (const r of records) a.write(r)
    await until(() => model.machines.length === 12)
    const b = createSocketSink({ port: server.port })
    sinks.push(b)
    for (const r of records) b.write(r)
    await until(() => model.machines.length === 24)
    expect(model.byId.has('ps-0@2')).toBe(true)
    expect(model.byId.get('ps-0-disc@2')!.parent).toBe('ps-0@2')
    await a.close()
    await until(() => model.byId.get('ps-0')!.disconnected)
    expect(model.byId.get('ps-0@2')!.disconnected).toBe(false)
  })
})
