// A message's path through the hosts, from its msg records: a tree rooted at the publisher whose edges
// are first deliveries (each host under the peer it first got the message from), with duplicates and
// rejects as leaves under their sender; the hosts subscribed when it was published that never got it;
// the slowest hop; and how long it took to reach 99% and all of the subscribers.
import type { MsgMark } from '../../telemetry/records.js'
import type { Mark, MessageInfo } from './messages.js'
import type { DbgModel } from './model.js'

export interface Hop {
  /** machine index of the host */
  machine: number
  /** the sender: a machine index, or -1 (then `fromName`) */
  from: number
  fromName: string | undefined
  mark: MsgMark
  time: number
  /** ms since the publish (or since the first mark when the publish is not in the log) */
  sincePublish: number
  /** ms since the sender had it (its own first receipt or publish); undefined when unknown */
  hopMs: number | undefined
  /** the transition it belongs to (absolute index), -1 when not held */
  g: number
  depth: number
  netMs: number | undefined
  queueMs: number | undefined
  reason: string | undefined
}

export interface MessagePath {
  id: string
  topic: string
  /** the publish, when the log has it */
  publisher: number
  publishTime: number
  /** rows in tree order (the publish first when known) */
  hops: Hop[]
  /** row of the slowest first-delivery hop, -1 when none */
  slowest: number
  /** subscribers at publish time (publisher excluded) that never got it */
  missed: number[]
  /** subscribers at publish time, publisher excluded */
  expected: number
  /** hosts with a first delivery */
  reached: number
  /** ms to reach 99% / all of the expected hosts (undefined: not reached) */
  t99: number | undefined
  tAll: number | undefined
}

const byTime = (a: Mark, b: Mark): number => a.time - b.time

/** How many of `n` hosts make 99%: at least one, all of them for fewer than 100. */
export function quorum99(n: number): number {
  return Math.max(1, Math.ceil(n * 0.99))
}

export function messagePath(model: DbgModel, info: MessageInfo): MessagePath {
  const marks = [...info.marks].sort(byTime)
  const pub = marks.find((m) => m.mark === 'publish')
  const t0 = pub ? pub.time : (marks[0]?.time ?? 0)
  // each host's first delivery: the tree's nodes
  const firstAt = new Map<number, Mark>()
  for (const m of marks) if (m.mark === 'deliver' && !firstAt.has(m.machine)) firstAt.set(m.machine, m)
  const haveAt = (machine: number): number | undefined =>
    pub && machine === pub.machine ? pub.time : firstAt.get(machine)?.time
  const kids = new Map<number, Mark[]>()
  const orphans: Mark[] = []
  for (const m of marks) {
    if (m.mark === 'publish') continue
    // a first delivery hangs under its sender when the sender is in the tree; anything else is a leaf
    const parentKnown = m.from >= 0 && (firstAt.has(m.from) || pub?.machine === m.from)
    if (!parentKnown) orphans.push(m)
    else {
      const list = kids.get(m.from)
      if (list) list.push(m)
      else kids.set(m.from, [m])
    }
  }
  const hops: Hop[] = []
  const hop = (m: Mark, depth: number): Hop => {
    const senderAt = m.mark === 'publish' ? undefined : m.from >= 0 ? haveAt(m.from) : undefined
    return {
      machine: m.machine,
      from: m.from,
      fromName: m.fromName,
      mark: m.mark,
      time: m.time,
      sincePublish: m.time - t0,
      hopMs: senderAt === undefined ? undefined : m.time - senderAt,
      g: m.g,
      depth,
      netMs: m.netMs,
      queueMs: m.queueMs,
      reason: m.reason,
    }
  }
  const seen = new Set<number>()
  const walk = (m: Mark, depth: number): void => {
    hops.push(hop(m, depth))
    const isNode = m.mark === 'publish' || firstAt.get(m.machine) === m
    if (!isNode || seen.has(m.machine)) return
    seen.add(m.machine)
    for (const k of kids.get(m.machine) ?? []) walk(k, depth + 1)
  }
  if (pub) walk(pub, 0)
  for (const o of orphans) walk(o, 0)
  // first deliveries whose sender's subtree was never reached from the root (a cycle of unknowns)
  for (const m of firstAt.values()) if (!seen.has(m.machine)) walk(m, 0)

  let slowest = -1
  for (let i = 0; i < hops.length; i++) {
    const h = hops[i]!
    if (h.mark !== 'deliver' || h.hopMs === undefined) continue
    if (slowest < 0 || h.hopMs > hops[slowest]!.hopMs!) slowest = i
  }

  const { subs, expected, t99, tAll } = reach(model, info.topic, pub, t0, firstAt)
  const missed = [...subs].filter((m) => !firstAt.has(m)).sort((a, b) => a - b)
  return {
    id: info.id,
    topic: info.topic,
    publisher: pub ? pub.machine : -1,
    publishTime: t0,
    hops,
    slowest,
    missed,
    expected,
    reached: firstAt.size,
    t99,
    tAll,
  }
}

/** Who should have had it (subscribed at the publish, publisher excluded) and how fast they did. */
function reach(
  model: DbgModel,
  topic: string,
  pub: Mark | undefined,
  t0: number,
  firstAt: ReadonlyMap<number, Mark>,
): { subs: Set<number>; expected: number; t99: number | undefined; tAll: number | undefined } {
  const subs = model.messages.subscribersAt(topic, t0)
  if (pub) subs.delete(pub.machine)
  const times: number[] = []
  for (const m of subs) {
    const at = firstAt.get(m)
    if (at) times.push(at.time)
  }
  times.sort((a, b) => a - b)
  const expected = subs.size
  const q = quorum99(expected)
  const t99 = expected > 0 && times.length >= q ? times[q - 1]! - t0 : undefined
  const tAll = expected > 0 && times.length >= expected ? times[expected - 1]! - t0 : undefined
  return { subs, expected, t99, tAll }
}

export interface LateMessage {
  msg: number
  id: string
  topic: string
  publisher: number
  publishTime: number
  expected: number
  reached: number
  t99: number | undefined
  tAll: number | undefined
}

/**
 * Messages by lateness: those that never reached 99% of their subscribers first (most hosts missed
 * first), then by time to 99%, slowest first. Only published messages the log has a publish of.
 */
export function lateMessages(model: DbgModel): LateMessage[] {
  const out: LateMessage[] = []
  const infos = model.messages.messages
  for (let k = 0; k < infos.length; k++) {
    const info = infos[k]!
    const pub = info.marks.find((m) => m.mark === 'publish')
    if (!pub) continue
    // only who had it first and when: no tree
    const firstAt = new Map<number, Mark>()
    for (const m of info.marks) {
      if (m.mark !== 'deliver') continue
      const seen = firstAt.get(m.machine)
      if (!seen || m.time < seen.time) firstAt.set(m.machine, m)
    }
    const r = reach(model, info.topic, pub, pub.time, firstAt)
    out.push({
      msg: k,
      id: info.id,
      topic: info.topic,
      publisher: pub.machine,
      publishTime: pub.time,
      expected: r.expected,
      reached: firstAt.size,
      t99: r.t99,
      tAll: r.tAll,
    })
  }
  const key = (m: LateMessage): number => (m.t99 === undefined ? Number.POSITIVE_INFINITY : m.t99)
  out.sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    if (ka !== kb) return kb - ka
    if (ka === Number.POSITIVE_INFINITY) return b.expected - b.reached - (a.expected - a.reached)
    return (b.tAll ?? Number.POSITIVE_INFINITY) - (a.tAll ?? Number.POSITIVE_INFINITY)
  })
  return out
}

/** The message ids a transition names: its own marks, then `msgId` and `ids` args. */
export function messagesOfTx(model: DbgModel, g: number): string[] {
  const out: string[] = []
  for (const { info } of model.messages.atTx(g)) if (!out.includes(info.id)) out.push(info.id)
  const tx = model.tx(g)
  const a = tx?.args
  if (a) {
    if (typeof a.msgId === 'string' && !out.includes(a.msgId)) out.push(a.msgId)
    if (typeof a.ids === 'string') for (const id of a.ids.split(',')) if (id && !out.includes(id)) out.push(id)
  }
  return out.filter((id) => model.messages.byId.has(id))
}
