// One trace per message (PS_TRACING_HOST=1): the `publish` span on the publishing host is the root, and each
// host's first receipt is a `receive` span, child of the span of the host it came from (the publisher's
// `publish`, or that host's own `receive`), so the trace is the message's spread tree and Jaeger's critical
// path is the path of the last receipt. A receive span runs from its parent's time (when the sender had the
// message) to the receipt, carries `from` (the psm name, e.g. ps-3, where known), `hop` and `since_publish_ms`,
// and links to the publish span and to the receiving host's `pubsub` span.
//
// Every host of a sim lives in one process, so a bounded map msgId → spans joins them. Receipts that arrive
// before their parent is known (a publish this tracer did not see) wait in the map; when a message is evicted
// (oldest first, past `maxMessages`) or at shutdown they are written under a `message` root of their own so
// the message still reads as one trace. Eviction and late receipts are counted.
import { type Attributes, type Link, ROOT_CONTEXT, type SpanContext, type Tracer, trace } from '@opentelemetry/api'

/** ~100 bytes per host that received a message: 2,048 messages seen by 100 hosts keep ~20 MB */
export const DEFAULT_MAX_TRACED_MESSAGES = 2048

const parentCtx = (sc: SpanContext) => trace.setSpanContext(ROOT_CONTEXT, sc)

/** What a message's map keeps of a span: its ids, not the span (an ended span holds all its attributes). */
interface HopSpan {
  sc: SpanContext
  /** when this host had the message (publish start, or receipt) */
  time: number
  hop: number
}

interface Receipt {
  host: string
  from: string
  fromPeerId: string
  topic: string
  time: number
  hostLink: SpanContext | undefined
}

interface MessageEntry {
  root: HopSpan | null
  publishedAt: number
  byHost: Map<string, HopSpan>
  pending: Receipt[]
}

export interface MessageTraceStats {
  /** messages with a trace (publish seen or made up at eviction) */
  messages: number
  /** receive spans written */
  receipts: number
  /** messages that left the map to bound it */
  evicted: number
  /** receipts of a message that had already left the map (they start a trace of their own) */
  late: number
  /** receipts written under a made-up `message` root because no publish was seen */
  orphaned: number
}

export class MessageTraces {
  private readonly entries = new Map<string, MessageEntry>()
  private readonly evictedIds = new Set<string>()
  readonly stats: MessageTraceStats = { messages: 0, receipts: 0, evicted: 0, late: 0, orphaned: 0 }

  constructor(
    private readonly tracer: Tracer,
    private readonly maxMessages: number = DEFAULT_MAX_TRACED_MESSAGES,
  ) {}

  /** A host starts publishing `msgId` at `start`; returns the function that ends the publish span. */
  publish(
    host: string,
    msgId: string,
    topic: string,
    start: number,
    attrs: Attributes = {},
  ): (end: number, error?: string) => void {
    const e = this.entry(msgId)
    if (e.root) return () => {}
    const attributes: Attributes = { host, msgId, topic, ...attrs }
    const span = this.tracer.startSpan(`publish ${topic}`, { startTime: start, root: true, attributes }, ROOT_CONTEXT)
    const sc = span.spanContext()
    const hop: HopSpan = { sc, time: start, hop: 0 }
    e.root = hop
    e.publishedAt = start
    e.byHost.set(host, hop)
    this.stats.messages++
    this.flush(e, msgId)
    let ended = false
    return (end, error) => {
      if (ended) return
      ended = true
      if (error) span.setStatus({ code: 2, message: error })
      span.end(Math.max(start, end))
    }
  }

  hasRoot(msgId: string): boolean {
    return this.entries.get(msgId)?.root != null
  }

  /** `host` received `msgId` first from `from` (a psm name, or the raw peer id when unknown). */
  receive(r: Receipt & { msgId: string }): void {
    const { msgId, ...receipt } = r
    if (this.evictedIds.has(msgId)) this.stats.late++
    const e = this.entry(msgId)
    if (e.byHost.has(receipt.host)) return
    if (!e.root || !e.byHost.has(receipt.from)) {
      e.pending.push(receipt)
      if (e.root) this.flush(e, msgId)
      return
    }
    this.write(e, msgId, receipt, e.byHost.get(receipt.from)!)
    this.flush(e, msgId)
  }

  /** Writes every waiting receipt (at shutdown). */
  endAll(): void {
    for (const [id, e] of this.entries) this.close(id, e)
    this.entries.clear()
  }

  private entry(msgId: string): MessageEntry {
    let e = this.entries.get(msgId)
    if (e) return e
    e = { root: null, publishedAt: 0, byHost: new Map(), pending: [] }
    this.entries.set(msgId, e)
    while (this.entries.size > this.maxMessages) {
      const [oldest, old] = this.entries.entries().next().value as [string, MessageEntry]
      this.entries.delete(oldest)
      this.close(oldest, old)
      this.stats.evicted++
      this.evictedIds.add(oldest)
      if (this.evictedIds.size > this.maxMessages) this.evictedIds.delete(this.evictedIds.values().next().value!)
    }
    return e
  }

  /** Writes waiting receipts whose sender is now known, in time order. */
  private flush(e: MessageEntry, msgId: string): void {
    if (!e.root || e.pending.length === 0) return
    e.pending.sort((a, b) => a.time - b.time)
    let progress = true
    while (progress) {
      progress = false
      for (let i = 0; i < e.pending.length; i++) {
        const p = e.pending[i]!
        const parent = e.byHost.get(p.from)
        if (!parent) continue
        e.pending.splice(i--, 1)
        if (!e.byHost.has(p.host)) this.write(e, msgId, p, parent)
        progress = true
      }
    }
  }

  /** Leaves the map: receipts still waiting go under the root (or a made-up one), sender or not. */
  private close(msgId: string, e: MessageEntry): void {
    if (e.pending.length === 0) return
    this.flush(e, msgId)
    if (e.pending.length === 0) return
    e.pending.sort((a, b) => a.time - b.time)
    if (!e.root) {
      const first = e.pending[0]!.time
      const span = this.tracer.startSpan(
        'message',
        { startTime: first, root: true, attributes: { msgId, topic: e.pending[0]!.topic, 'publish.seen': false } },
        ROOT_CONTEXT,
      )
      span.end(first)
      e.root = { sc: span.spanContext(), time: first, hop: 0 }
      e.publishedAt = first
      this.stats.messages++
    }
    for (const p of e.pending) {
      if (e.byHost.has(p.host)) continue
      this.stats.orphaned++
      this.write(e, msgId, p, e.byHost.get(p.from) ?? e.root)
    }
    e.pending.length = 0
  }

  private write(e: MessageEntry, msgId: string, r: Receipt, parent: HopSpan): void {
    const root = e.root!
    const start = Math.min(parent.time, r.time)
    const attributes: Attributes = {
      host: r.host,
      from: r.from,
      'from.peer.id': r.fromPeerId,
      msgId,
      topic: r.topic,
      hop: parent.hop + 1,
      since_publish_ms: r.time - e.publishedAt,
      hop_ms: r.time - start,
    }
    const links: Link[] = []
    if (parent !== root) links.push({ context: root.sc, attributes: { 'link.kind': 'publish' } })
    if (r.hostLink) links.push({ context: r.hostLink, attributes: { 'link.kind': 'host', host: r.host } })
    const span = this.tracer.startSpan(
      `receive ${r.host}`,
      { startTime: start, attributes, links },
      parentCtx(parent.sc),
    )
    span.end(r.time)
    e.byHost.set(r.host, { sc: span.spanContext(), time: r.time, hop: parent.hop + 1 })
    this.stats.receipts++
  }
}
