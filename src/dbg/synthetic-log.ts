// Synthetic but well-formed transition logs, built on the six machines' real derived schemas: the
// debugger's bench (a million transitions) and test fixtures use it. Transitions follow the schema
// relations (require, add, remove, groups, Multi) so that replay, snapshots and `psm log validate`
// agree; the choice of events is random (seeded), not a simulation of gossipsub.

import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { createGzip } from 'node:zlib'
import { machineCatalog } from '../../machines/index.js'
import { deriveSchema, type MachineSchema } from '../../machines/schema.js'
import { createRng } from '../rng.js'
import { LOG_FORMAT, LOG_VERSION, type PsmRecord } from '../telemetry/records.js'

export interface SyntheticOptions {
  /** transitions to write */
  txs: number
  /** simulated peers (each has a sim-peer, a pubsub host, a discovery and a bootstrap flow) */
  peers?: number
  seed?: number
  /** a snapshot record every N txs of a machine */
  snapshotEvery?: number
  /** every Nth tx carries a log line */
  logEvery?: number
  /** ms of the first transition */
  startTime?: number
  /**
   * messages published on topic t1, spread over the log: each is a PublishMessage of a random host, then
   * an IncomingRPC and a `msg` mark on every other host (a random tree of first deliveries, some
   * duplicates). Every host subscribes to t1 first. The log is then format version 2.
   */
  messages?: number
  /** how many hosts each message reaches (default: every other host) */
  msgHosts?: number
}

/** The id of synthetic message k (as gossipsub's default for unsigned messages: base64 sha256). */
export function syntheticMsgId(k: number): string {
  return createHash('sha256').update(`synthetic message ${k}`).digest('base64').replace(/=+$/, '')
}

interface Sim {
  id: string
  schema: MachineSchema
  index: Map<string, number>
  active: number
  ticks: number[]
  seq: number
  weight: number
}

function rng(seed: number): () => number {
  return createRng(seed).next
}

/** Yields the records of a synthetic log, header first. */
export function* syntheticRecords(opts: SyntheticOptions): Generator<PsmRecord> {
  const rand = rng(opts.seed ?? 1)
  const peers = opts.peers ?? 4
  const snapshotEvery = opts.snapshotEvery ?? 1000
  const logEvery = opts.logEvery ?? 50
  const schemas = new Map(machineCatalog().map((e) => [e.type, deriveSchema(e.machine)]))
  const schema = (type: string): MachineSchema => schemas.get(type)!
  let time = opts.startTime ?? 1_700_000_000_000
  yield { kind: 'header', format: LOG_FORMAT, version: LOG_VERSION, time, source: 'psm synthetic', snapshotEvery }
  const machines: Sim[] = []
  const declare = (id: string, parent: string | null, type: string, weight: number): PsmRecord => {
    const s = schema(type)
    machines.push({
      id,
      schema: s,
      index: new Map(s.states.map((x, i) => [x.name, i])),
      active: 0,
      ticks: new Array(s.states.length).fill(0),
      seq: 0,
      weight,
    })
    return { kind: 'machine', id, parent, type, schema: s, time }
  }
  yield declare('sim', null, 'simulator', 2)
  yield declare('sim-t-t1', 'sim', 'topic', 0.5)
  for (let p = 0; p < peers; p++) {
    yield declare(`sim-p${p}`, 'sim', 'sim-peer', 1)
    yield declare(`ps-${p}`, `sim-p${p}`, 'pubsub-host', 6)
    yield declare(`ps-${p}-disc`, `ps-${p}`, 'discovery', 1)
    yield declare(`ps-${p}-disc-bf-t1`, `ps-${p}-disc`, 'bootstrap-flow', 0.5)
  }
  const totalWeight = machines.reduce((a, m) => a + m.weight, 0)
  const pick = (): Sim => {
    let r = rand() * totalWeight
    for (const m of machines) {
      r -= m.weight
      if (r <= 0) return m
    }
    return machines[machines.length - 1]!
  }
  const names = (m: Sim, mask: number): string[] => m.schema.states.filter((_, i) => mask & (1 << i)).map((s) => s.name)
  const bit = (m: Sim, name: string): number => {
    const i = m.index.get(name)
    return i === undefined ? 0 : 1 << i
  }
  const maskOf = (m: Sim, list: readonly string[] | undefined): number =>
    (list ?? []).reduce((a, n) => a | bit(m, n), 0)

  const hostsSims = machines.filter((m) => m.schema.type === 'pubsub-host')
  const fireTx = (m: Sim, name: string, at: number, args: Record<string, string | number>): PsmRecord => {
    const idx = m.index.get(name)!
    m.seq++
    m.ticks[idx]! += 2
    return {
      kind: 'tx',
      machine: m.id,
      seq: m.seq,
      time: at,
      event: name,
      args,
      accepted: true,
      added: [],
      removed: [],
      touched: [name],
      durationUs: 5 + Math.floor(rand() * 200),
    }
  }
  const snap = (m: Sim): PsmRecord | undefined =>
    m.seq % snapshotEvery === 0
      ? { kind: 'snapshot', machine: m.id, seq: m.seq, active: names(m, m.active), ticks: [...m.ticks] }
      : undefined
  const messages = opts.messages ?? 0
  const reach = Math.min(hostsSims.length - 1, opts.msgHosts ?? hostsSims.length - 1)
  // one flood is about reach·1.1 + 1 txs: spread the floods evenly over what is left
  const floodEvery = messages > 0 ? Math.max(1, Math.floor(opts.txs / messages)) : 0
  let published = 0
  let subscribed = messages === 0
  let nextFlood = machines.length + hostsSims.length + 1

  for (let n = 0; n < opts.txs; n++) {
    if (!subscribed && n >= machines.length) {
      subscribed = true
      for (const h of hostsSims) {
        time += 1
        yield fireTx(h, 'AddSubscription', time, { topic: 't1' })
        n++
        const sn = snap(h)
        if (sn) yield sn
      }
    }
    if (floodEvery > 0 && published < messages && n >= nextFlood) {
      nextFlood += floodEvery
      const k = published++
      const id = syntheticMsgId(k)
      const order = [...hostsSims]
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1))
        ;[order[i], order[j]] = [order[j]!, order[i]!]
      }
      const pub = order[0]!
      time += 1
      yield fireTx(pub, 'PublishMessage', time, { topic: 't1', bytes: 64, msgId: id })
      yield { kind: 'msg', machine: pub.id, seq: pub.seq, time, mark: 'publish', id, topic: 't1' }
      n++
      // first deliveries: each host from one already reached (mostly recent ones: a tree a few hops deep)
      const got: Array<{ h: Sim; at: number }> = [{ h: pub, at: time }]
      const receipts: Array<{ h: Sim; from: Sim; at: number; mark: 'deliver' | 'duplicate' }> = []
      for (let r = 1; r <= reach; r++) {
        const src = got[Math.max(0, got.length - 1 - Math.floor(rand() * Math.min(got.length, 8)))]!
        const at = src.at + 5 + Math.floor(rand() * 60)
        got.push({ h: order[r]!, at })
        receipts.push({ h: order[r]!, from: src.h, at, mark: 'deliver' })
        if (rand() < 0.1) {
          const dupOf = got[Math.floor(rand() * got.length)]!
          if (dupOf.h !== order[r] && dupOf.at < at)
            receipts.push({ h: order[r]!, from: dupOf.h, at: at + 1 + Math.floor(rand() * 40), mark: 'duplicate' })
        }
      }
      receipts.sort((a, b) => a.at - b.at)
      for (const rc of receipts) {
        yield fireTx(rc.h, 'IncomingRPC', rc.at, { from: rc.from.id, msgs: 1, ids: id, subs: 0, ctrl: 0 })
        yield {
          kind: 'msg',
          machine: rc.h.id,
          seq: rc.h.seq,
          time: rc.at,
          mark: rc.mark,
          id,
          topic: 't1',
          from: rc.from.id,
        }
        n++
        const sn = snap(rc.h)
        if (sn) yield sn
      }
      time = Math.max(time, receipts[receipts.length - 1]?.at ?? time)
      if (n >= opts.txs) break
    }
    // every machine starts with add.Start when it has one; then random events
    const m = n < machines.length ? machines[n]! : pick()
    const states = m.schema.states
    let idx: number
    let remove = false
    if (m.seq === 0 && m.index.has('Start')) idx = m.index.get('Start')!
    else {
      idx = Math.floor(rand() * states.length)
      remove = !states[idx]!.multi && (m.active & (1 << idx)) !== 0 && rand() < 0.6
    }
    const st = states[idx]!
    const b = 1 << idx
    const named = !st.multi && !(st.name === 'Exception' && !remove)
    const event = named ? `${remove ? 'remove' : 'add'}.${st.name}` : st.name
    const required = maskOf(m, st.require)
    let accepted = true
    let added = 0
    let removed = 0
    let fire = false
    let args: Record<string, string | number> | undefined
    if (remove) {
      removed = b
    } else if ((m.active & required) !== required) {
      accepted = false
    } else {
      if (st.multi) {
        fire = true
        added = maskOf(m, st.add) & ~m.active
        // with messages, random subscription changes keep off t1 (whose subscribers the floods count on)
        args = { peer: `p${Math.floor(rand() * 64)}`, topic: messages > 0 ? 't0' : 't1', n: Math.floor(rand() * 1000) }
      } else if ((m.active & b) === 0) {
        added = (b | maskOf(m, st.add)) & ~m.active
        if (st.name === 'Exception') args = { error: 'synthetic failure' }
      }
      for (let i = 0; i < states.length; i++) if (added & (1 << i)) removed |= maskOf(m, states[i]!.remove)
      removed &= m.active & ~added
    }
    // as the recorder does: changes, the fired Multi, and the state an add./remove. event names
    const touched = added | removed | (fire || named || st.name === 'Exception' ? b : 0)
    m.seq++
    time += Math.floor(rand() * 4)
    for (let i = 0; i < states.length; i++) {
      if (added & (1 << i)) m.ticks[i]! += 1
      if (removed & (1 << i)) m.ticks[i]! += 1
    }
    if (fire) m.ticks[idx]! += 2
    m.active = (m.active | added) & ~removed
    yield {
      kind: 'tx',
      machine: m.id,
      seq: m.seq,
      time,
      event,
      ...(args ? { args } : {}),
      accepted,
      added: names(m, added),
      removed: names(m, removed),
      touched: names(m, touched),
      durationUs: 5 + Math.floor(rand() * 200),
    }
    if (logEvery > 0 && n % logEvery === 0) {
      yield { kind: 'log', machine: m.id, seq: m.seq, level: 'info', text: `${event} handled in round ${n}` }
    }
    if (m.seq % snapshotEvery === 0) {
      yield { kind: 'snapshot', machine: m.id, seq: m.seq, active: names(m, m.active), ticks: [...m.ticks] }
    }
  }
  for (const m of machines) yield { kind: 'stop', machine: m.id, seq: m.seq, time }
}

/** Writes a synthetic log to `path` (gzip when it ends `.gz`); resolves with the bytes written. */
export async function writeSyntheticLog(path: string, opts: SyntheticOptions): Promise<void> {
  const file = createWriteStream(path)
  const out = path.endsWith('.gz') ? createGzip() : undefined
  if (out) out.pipe(file)
  const sink = out ?? file
  let batch: string[] = []
  let bytes = 0
  const done = new Promise<void>((resolve, reject) => {
    file.on('finish', () => resolve())
    file.on('error', reject)
  })
  for (const r of syntheticRecords(opts)) {
    const line = `${JSON.stringify(r)}\n`
    batch.push(line)
    bytes += line.length
    if (bytes >= 1 << 20) {
      const ok = sink.write(batch.join(''))
      batch = []
      bytes = 0
      if (!ok) await new Promise<void>((r) => sink.once('drain', () => r()))
    }
  }
  sink.end(batch.join(''))
  await done
}
