// The few figures `psm interop run` prints at the end, from Deliveries alone: how many messages reached
// every subscriber of their topic (all but the publisher), receives and duplicates. The full report is
// the experiment report's (it reads the same Deliveries); upstream's analysis reads the node logs.
import type { Deliveries } from '../experiment/deliveries.js'

export interface MessageReach {
  msgId: string
  topic: string
  publisher: number
  /** subscribers other than the publisher that received it */
  reached: number
  expected: number
}

export interface DeliverySummary {
  messages: number
  /** messages that reached every expected subscriber */
  complete: number
  receives: number
  duplicates: number
  perMessage: MessageReach[]
}

export function summarizeDeliveries(d: Deliveries): DeliverySummary {
  const got = new Map<string, Set<number>>()
  let duplicates = 0
  for (const r of d.receives) {
    if (r.duplicate) duplicates++
    const s = got.get(r.msgId) ?? new Set<number>()
    got.set(r.msgId, s)
    s.add(r.node)
  }
  const perMessage = d.publishes.map((p) => {
    const subs = (d.subscribers[p.topic] ?? []).filter((n) => n !== p.node)
    const have = got.get(p.msgId) ?? new Set<number>()
    return {
      msgId: p.msgId,
      topic: p.topic,
      publisher: p.node,
      reached: subs.filter((n) => have.has(n)).length,
      expected: subs.length,
    }
  })
  return {
    messages: perMessage.length,
    complete: perMessage.filter((m) => m.reached === m.expected).length,
    receives: d.receives.length,
    duplicates,
    perMessage,
  }
}
