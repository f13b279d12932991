// The live sink: sends records as NDJSON over TCP to a listening `psm dbg --listen host:port`.
// It never blocks and never throws into a machine: records wait in a bounded queue (the oldest are
// dropped and counted when it is full), and when nothing listens it says so once and keeps trying to
// (re)connect in the background. On every (re)connect, and after any drop, it first sends what the
// debugger needs to stay correct: the header, every machine record, and a snapshot of each machine's
// state at the point the stream resumes (it replays the records that leave the queue to know it).
import { connect, type Socket } from 'node:net'
import { DEFAULT_DBG_PORT } from '../../config/addresses.js'
import type { HeaderRecord, MachineRecord, PsmRecord, Sink, SnapshotRecord } from '../records.js'
import { LOG_FORMAT, LOG_VERSION } from '../records.js'

export interface SocketSinkOptions {
  host?: string
  port?: number
  /** told once when nothing listens, and when the debugger goes away or comes back */
  onNotice?: (text: string) => void
  /** records held while disconnected or behind (default 100 000) */
  maxQueued?: number
  /** retry interval in ms; 0 disables reconnects (default 1000) */
  reconnectMs?: number
}

export interface SocketSink extends Sink {
  connected(): boolean
}

interface HeadState {
  index: Map<string, number>
  multi: Set<string>
  active: Set<string>
  ticks: number[]
  seq: number
}

const SOCKET_HIGH_WATER = 1 << 20
const BATCH = 2000

export function createSocketSink(opts: SocketSinkOptions = {}): SocketSink {
  const host = opts.host ?? '127.0.0.1'
  const port = opts.port ?? DEFAULT_DBG_PORT
  const where = `${host}:${port}`
  const notify = opts.onNotice ?? (() => {})
  const maxQueued = Math.max(16, opts.maxQueued ?? 100_000)
  const reconnectMs = opts.reconnectMs ?? 1000

  // a ring of queued records
  const ring: Array<PsmRecord | undefined> = new Array(maxQueued)
  let head = 0
  let size = 0
  let dropped = 0

  let header: HeaderRecord | undefined
  const machines = new Map<string, MachineRecord>()
  const state = new Map<string, HeadState>()
  /** machines whose state at the head must be sent before the next record (after a drop or connect) */
  const resync = new Set<string>()
  /** machine records dropped from the queue before they were sent */
  const unsent: MachineRecord[] = []

  let socket: Socket | undefined
  let isConnected = false
  let blocked = false
  let scheduled = false
  let closing = false
  let everConnected = false
  let saidDown = false
  let retry: ReturnType<typeof setTimeout> | undefined

  const safeNotice = (text: string): void => {
    try {
      notify(text)
    } catch {}
  }

  /** What leaves the queue (sent or dropped) moves the head state on. */
  const advance = (r: PsmRecord): void => {
    if (r.kind === 'tx') {
      const s = state.get(r.machine)
      if (!s) return
      for (const n of r.added) {
        const i = s.index.get(n)
        if (i !== undefined) {
          s.ticks[i]! += 1
          s.active.add(n)
        }
      }
      for (const n of r.removed) {
        const i = s.index.get(n)
        if (i !== undefined) {
          s.ticks[i]! += 1
          s.active.delete(n)
        }
      }
      if (r.accepted && s.multi.has(r.event)) s.ticks[s.index.get(r.event)!]! += 2
      s.seq = r.seq
    } else if (r.kind === 'snapshot') {
      const s = state.get(r.machine)
      if (!s) return
      s.active = new Set(r.active)
      s.ticks = [...r.ticks]
      s.seq = r.seq
    }
  }

  const snapshotOf = (id: string): SnapshotRecord | undefined => {
    const s = state.get(id)
    const m = machines.get(id)
    if (!s || !m) return undefined
    if (s.seq === 0 && s.ticks.every((t) => t === 0)) return undefined
    const active = m.schema.states.map((x) => x.name).filter((n) => s.active.has(n))
    return { kind: 'snapshot', machine: id, seq: s.seq, active, ticks: [...s.ticks] }
  }

  const enqueue = (r: PsmRecord): void => {
    if (size === maxQueued) {
      const old = ring[head]!
      ring[head] = undefined
      head = (head + 1) % maxQueued
      size--
      dropped++
      advance(old)
      if (old.kind === 'machine') unsent.push(old)
      else if (old.kind !== 'header') resync.add(old.machine)
    }
    ring[(head + size) % maxQueued] = r
    size++
  }

  const take = (): PsmRecord | undefined => {
    if (size === 0) return undefined
    const r = ring[head]!
    ring[head] = undefined
    head = (head + 1) % maxQueued
    size--
    return r
  }

  const flush = (all = false): void => {
    scheduled = false
    const s = socket
    if (!s || !isConnected || blocked) return
    while (size > 0 || unsent.length > 0 || resync.size > 0) {
      if (!all && s.writableLength > SOCKET_HIGH_WATER) break
      const lines: string[] = []
      for (const m of unsent.splice(0)) lines.push(JSON.stringify(m))
      for (const id of resync) {
        const snap = snapshotOf(id)
        if (snap) lines.push(JSON.stringify(snap))
      }
      resync.clear()
      for (let i = 0; i < BATCH && size > 0; i++) {
        const r = take()!
        lines.push(JSON.stringify(r))
        advance(r)
      }
      if (lines.length === 0) break
      const ok = s.write(`${lines.join('\n')}\n`)
      if (!ok && !all) {
        blocked = true
        s.once('drain', () => {
          blocked = false
          schedule()
        })
        break
      }
    }
  }

  const schedule = (): void => {
    if (scheduled || !isConnected) return
    scheduled = true
    setImmediate(() => flush())
  }

  const onConnected = (s: Socket): void => {
    isConnected = true
    blocked = false
    if (saidDown) safeNotice(`psm dbg at ${where}: connected${everConnected ? ' again' : ''}`)
    everConnected = true
    saidDown = false
    // what a debugger that has never seen this stream needs first
    const lines: string[] = []
    // a sink added after the recorder's header still opens the stream with one
    header ??= { kind: 'header', format: LOG_FORMAT, version: LOG_VERSION, time: Date.now() }
    lines.push(JSON.stringify(header))
    for (const m of machines.values()) lines.push(JSON.stringify(m))
    unsent.length = 0
    for (const id of machines.keys()) resync.add(id)
    if (!s.write(`${lines.join('\n')}\n`)) {
      blocked = true
      s.once('drain', () => {
        blocked = false
        schedule()
      })
    }
    schedule()
  }

  const tryConnect = (): void => {
    retry = undefined
    if (closing) return
    const s = connect({ host, port })
    socket = s
    s.setNoDelay(true)
    s.on('connect', () => onConnected(s))
    s.on('error', () => {})
    s.on('close', () => {
      if (socket !== s) return
      const wasConnected = isConnected
      isConnected = false
      socket = undefined
      if (closing) return
      if (!saidDown) {
        saidDown = true
        safeNotice(
          wasConnected
            ? `psm dbg at ${where} went away; records are queued (up to ${maxQueued}) and the oldest dropped`
            : `nothing listens on ${where} (start 'psm dbg --listen ${where}'); records are queued (up to ${maxQueued}) and the oldest dropped`,
        )
      }
      if (reconnectMs > 0) {
        retry = setTimeout(tryConnect, reconnectMs)
        retry.unref()
      }
    })
    // the socket must not keep a finished program alive
    s.unref()
  }

  tryConnect()

  return {
    name: `dbg:${where}`,
    write(r: PsmRecord) {
      if (closing) return
      try {
        if (r.kind === 'header') {
          header ??= r
          return
        }
        if (r.kind === 'machine') {
          // a host's machine record may come again to add its peer id: its state goes on
          const again = state.has(r.id)
          machines.set(r.id, r)
          if (!again)
            state.set(r.id, {
              index: new Map(r.schema.states.map((s, i) => [s.name, i])),
              multi: new Set(r.schema.states.filter((s) => s.multi).map((s) => s.name)),
              active: new Set(),
              ticks: new Array(r.schema.states.length).fill(0),
              seq: 0,
            })
        }
        enqueue(r)
        schedule()
      } catch {
        dropped++
      }
    },
    dropped: () => dropped,
    connected: () => isConnected,
    async close() {
      if (closing) return
      closing = true
      if (retry) clearTimeout(retry)
      const s = socket
      if (!s || !isConnected) {
        s?.destroy()
        return
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          s.destroy()
          resolve()
        }, 2000)
        timer.unref()
        s.once('close', () => {
          clearTimeout(timer)
          resolve()
        })
        // the queue is bounded: hand all of it to the socket, which sends it before the end
        blocked = false
        flush(true)
        s.end()
      })
    },
  }
}
