// Messages followed across machines: every `msg` record (v2 logs) indexed by message id, with the
// transition each belongs to, and who subscribed to which topic when (from the hosts' AddSubscription /
// RemoveSubscription transitions), so that a message's path and the hosts it missed can be drawn.
import type { MsgMark } from '../../telemetry/records.js'

/** One mark as the index holds it. */
export interface Mark {
  /** the machine (index) that marked it */
  machine: number
  /** absolute index of the transition it belongs to, or -1 when not held */
  g: number
  time: number
  mark: MsgMark
  /** the sender's machine index, -1 when unknown (then `fromName` holds what the log said) */
  from: number
  fromName: string | undefined
  netMs: number | undefined
  queueMs: number | undefined
  reason: string | undefined
}

export interface MessageInfo {
  id: string
  topic: string
  marks: Mark[]
}

interface SubChange {
  machine: number
  time: number
  on: boolean
}

/** About what one mark costs in memory (the estimate of the model's budget). */
export const BYTES_PER_MARK = 96

export class MessageIndex {
  readonly messages: MessageInfo[] = []
  readonly byId = new Map<string, number>()
  /** marks by the transition they belong to */
  private readonly byTx = new Map<number, Array<{ msg: number; mark: number }>>()
  private readonly subs = new Map<string, SubChange[]>()
  /** when each stopped machine stopped */
  readonly stoppedAt = new Map<number, number>()
  marks = 0

  add(id: string, topic: string, m: Mark): void {
    let k = this.byId.get(id)
    if (k === undefined) {
      k = this.messages.length
      this.messages.push({ id, topic, marks: [] })
      this.byId.set(id, k)
    }
    const info = this.messages[k]!
    info.marks.push(m)
    this.marks++
    if (m.g >= 0) {
      const list = this.byTx.get(m.g)
      const entry = { msg: k, mark: info.marks.length - 1 }
      if (list) list.push(entry)
      else this.byTx.set(m.g, [entry])
    }
  }

  /** The marks that belong to transition g. */
  atTx(g: number): Array<{ info: MessageInfo; mark: Mark }> {
    const list = this.byTx.get(g)
    if (!list) return []
    return list.map(({ msg, mark }) => ({ info: this.messages[msg]!, mark: this.messages[msg]!.marks[mark]! }))
  }

  subscription(topic: string, machine: number, time: number, on: boolean): void {
    const list = this.subs.get(topic)
    const c = { machine, time, on }
    if (list) list.push(c)
    else this.subs.set(topic, [c])
  }

  /** Machines subscribed to `topic` at `time` (and not stopped by then). */
  subscribersAt(topic: string, time: number): Set<number> {
    const out = new Set<number>()
    for (const c of this.subs.get(topic) ?? []) {
      if (c.time > time) break
      if (c.on) out.add(c.machine)
      else out.delete(c.machine)
    }
    for (const m of out) {
      const at = this.stoppedAt.get(m)
      if (at !== undefined && at <= time) out.delete(m)
    }
    return out
  }

  /** Forgets transition indices below `base` (dropped to stay under --max-mem); marks stay. */
  dropBefore(base: number): void {
    for (const g of this.byTx.keys()) {
      if (g >= base) continue
      for (const { msg, mark } of this.byTx.get(g)!) this.messages[msg]!.marks[mark]!.g = -1
      this.byTx.delete(g)
    }
  }
}
