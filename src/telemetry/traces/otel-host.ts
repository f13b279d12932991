// Host-level tracing (PS_TRACING_HOST=1): gossipsub's own events as short spans under a per-host `pubsub`
// span — graft, prune (from its typed events), duplicate and reject (from its metrics hooks), add and remove
// peer (from the libp2p node's events) — and one trace per message (otel-messages.ts): the host's publish
// calls are wrapped to open the message's root span, its `gossipsub:message` events are the receipts. Peers
// are named as psm names (`ps-7`) where the sink knows them, the raw id beside as `peer.id`.
import type { MetricsRegister, TopicStrToLabel } from '@libp2p/gossipsub/metrics'
import { type Attributes, type Context, ROOT_CONTEXT, type Span, type Tracer, trace } from '@opentelemetry/api'
import { msgIdOf } from '../../pubsub/machine.js'
import type { MessageTraces } from './otel-messages.js'

/** What every host tracer of one sink shares: peer id → psm name, and the message traces. */
export interface HostTraceShared {
  names: Map<string, string>
  messages: MessageTraces | null
  /** by host: its publishes of signed messages, waiting for their id */
  signedWaiting: Map<string, SignedPublish[]>
}

interface SignedPublish {
  topic: string
  start: number
  end: number | null
}

export function hostTraceShared(messages: MessageTraces | null): HostTraceShared {
  return { names: new Map(), messages, signedWaiting: new Map() }
}

/** The part of an EventTarget the tracer listens on (a gossipsub instance, a libp2p node). */
export interface EventSource {
  addEventListener(type: string, fn: (ev: Event) => void): void
  removeEventListener(type: string, fn: (ev: Event) => void): void
}

export interface HostTracerOptions {
  /** the host's name in psm, e.g. "ps-3" */
  host: string
  /** the machine whose span the `pubsub` span nests under (default: `host`) */
  machine?: string
  /** the host's own peer id, if known yet */
  peerId?: string
}

export interface HostTracer {
  /**
   * Listens to a gossipsub instance's typed events and, when given, the libp2p node's peer events.
   * `peerId` is the host's own id when it was not known at creation.
   */
  observe(pubsub: EventSource, node?: EventSource | null, peerId?: string): void
  /** A register that also turns gossipsub's duplicate / reject metric hooks into spans; pass it to gossipsub. */
  wrapRegister(register?: MetricsRegister | null): MetricsRegister
  /**
   * The gossipsub options that feed this tracer (and `metrics`, a host's metrics handle, when given): spread them
   * into the gossipsub init. Empty when neither host tracing nor metrics is on, so gossipsub skips its metrics.
   */
  gossipsubOptions(metrics?: GossipsubMetricsOptions | null): Partial<GossipsubMetricsOptions>
  /** Stops listening and ends the `pubsub` span. */
  end(): void
}

/** The two gossipsub options its metrics hang on (what `GossipsubMetrics.forHost` returns, among others). */
export interface GossipsubMetricsOptions {
  metricsRegister: MetricsRegister
  metricsTopicStrToLabel: TopicStrToLabel
}

/** Metric families whose increments are host events, and the span each makes. */
const HOOKS: Readonly<Record<string, string>> = {
  gossipsub_pre_validation_duplicate_total: 'duplicate',
  gossipsub_msg_received_invalid_by_topic_total: 'reject',
  gossipsub_rejected_messages_total: 'reject',
}
/** increments just before a `reject`, carrying its reason */
const REJECT_REASON = 'gossipsub_msg_received_invalid_total'

type Labels = Record<string, string | number>
type Handle = Record<string, (...args: never[]) => unknown>

const noop = () => {}
const NOOP_HANDLE = {
  inc: noop,
  set: noop,
  addCollect: noop,
  observe: noop,
  reset: noop,
  startTimer: () => noop,
}

/** A MetricsRegister that records nothing, for host tracing without metrics. */
export const nullRegister: MetricsRegister = {
  gauge: () => NOOP_HANDLE,
  histogram: () => NOOP_HANDLE,
  avgMinMax: () => NOOP_HANDLE,
} as unknown as MetricsRegister

export const NOOP_HOST_TRACER: HostTracer = {
  observe: noop,
  wrapRegister: (register) => register ?? nullRegister,
  gossipsubOptions: (m) =>
    m ? { metricsRegister: m.metricsRegister, metricsTopicStrToLabel: m.metricsTopicStrToLabel } : {},
  end: noop,
}

/** The part of a gossipsub instance the message traces need. */
interface Publisher {
  publish(topic: string, data: Uint8Array | undefined, opts?: unknown): Promise<unknown>
  globalSignaturePolicy?: string
}

export function createHostTracer(
  tracer: Tracer,
  opts: HostTracerOptions,
  parentOf: (machine: string) => Context | undefined,
  shared: HostTraceShared = hostTraceShared(null),
): HostTracer {
  const psmName = (peer: unknown): string => {
    const id = String(peer)
    return shared.names.get(id) ?? id
  }
  /** this host's publishes of signed messages, waiting for their id (learnt from the first receipt anywhere) */
  const signedWaiting: SignedPublish[] = []
  let restorePublish: (() => void) | null = null
  let span: Span | null = null
  let ctx: Context = ROOT_CONTEXT
  let peerId = opts.peerId
  let ended = false
  let lastRejectReason: string | undefined
  const listeners: Array<[EventSource, string, (ev: Event) => void]> = []

  function ensureSpan(): Context {
    if (span === null && !ended) {
      const attributes: Attributes = { host: opts.host }
      if (peerId) attributes['peer.id'] = peerId
      // times from Date.now, not the SDK's own clock (timeOrigin + performance.now): on a virtual clock
      // spans then carry simulated time like the records
      span = tracer.startSpan(
        'pubsub',
        { startTime: Date.now(), attributes },
        parentOf(opts.machine ?? opts.host) ?? ROOT_CONTEXT,
      )
      ctx = trace.setSpan(ROOT_CONTEXT, span)
    }
    return ctx
  }

  function event(name: string, attributes: Attributes): void {
    if (ended) return
    try {
      const parent = ensureSpan()
      const now = Date.now()
      tracer.startSpan(name, { startTime: now, attributes: { host: opts.host, ...attributes } }, parent).end(now)
    } catch {
      // telemetry never throws into gossipsub
    }
  }

  function listen(target: EventSource, type: string, fn: (detail: unknown) => Attributes | null, name: string): void {
    const handler = (ev: Event) => {
      try {
        const attrs = fn((ev as CustomEvent).detail)
        if (attrs) event(name, attrs)
      } catch {}
    }
    target.addEventListener(type, handler)
    listeners.push([target, type, handler])
  }

  const meshPeer = (d: unknown): Attributes => {
    const x = d as { peerId: string; topic: string; direction?: string }
    return {
      peer: psmName(x.peerId),
      'peer.id': String(x.peerId),
      topic: x.topic,
      ...(x.direction ? { direction: x.direction } : {}),
    }
  }
  const peerEvent = (d: unknown): Attributes => ({ peer: psmName(d), 'peer.id': String(d) })

  /** Opens the message's root span around each publish call of this host. */
  function wrapPublish(pubsub: EventSource): void {
    const messages = shared.messages
    const ps = pubsub as unknown as Publisher
    if (!messages || typeof ps.publish !== 'function') return
    const original = ps.publish
    const unsigned = ps.globalSignaturePolicy !== 'StrictSign'
    const wrapped = (topic: string, data: Uint8Array | undefined, o?: unknown) => {
      const start = Date.now()
      let end: ((t: number, error?: string) => void) | null = null
      let waiting: SignedPublish | null = null
      try {
        // gossipsub's default id of an unsigned message is sha256 of its data: known before anything is sent
        if (unsigned && data && !ended) end = messages.publish(opts.host, msgIdOf(data), topic, start)
        else if (!ended) {
          waiting = { topic, start, end: null }
          signedWaiting.push(waiting)
          if (signedWaiting.length > 64) signedWaiting.shift()
        }
      } catch {}
      const done = (error?: string) => {
        const t = Date.now()
        if (end) end(t, error)
        if (waiting) waiting.end = t
      }
      return original.call(pubsub, topic, data, o).then(
        (v) => {
          done()
          return v
        },
        (err: unknown) => {
          done(err instanceof Error ? err.message : String(err))
          throw err
        },
      )
    }
    ps.publish = wrapped
    restorePublish = () => {
      if (ps.publish === wrapped) ps.publish = original
    }
  }

  /** A signed message names its author: the author's publish call waiting for an id becomes its root. */
  function signedRoot(msgId: string, topic: string, author: string): void {
    const messages = shared.messages!
    if (messages.hasRoot(msgId)) return
    const waiting = shared.signedWaiting.get(author)
    const i = waiting?.findIndex((p) => p.topic === topic) ?? -1
    if (!waiting || i < 0) return
    const [p] = waiting.splice(i, 1)
    const end = messages.publish(author, msgId, topic, p!.start, { signed: true })
    end(p!.end ?? Date.now())
  }

  function onMessage(d: unknown): void {
    const messages = shared.messages
    if (!messages || ended) return
    const x = d as {
      propagationSource: unknown
      msgId: string
      msg: { topic: string; type?: string; from?: unknown }
    }
    const fromPeerId = String(x.propagationSource)
    if (fromPeerId === peerId) return // emitSelf: our own publish
    if (x.msg.type === 'signed' && x.msg.from !== undefined) signedRoot(x.msgId, x.msg.topic, psmName(x.msg.from))
    const hostLink = span ? (span as Span).spanContext() : undefined
    messages.receive({
      msgId: x.msgId,
      host: opts.host,
      from: psmName(fromPeerId),
      fromPeerId,
      topic: x.msg.topic,
      time: Date.now(),
      hostLink,
    })
  }

  function wrapRegister(register?: MetricsRegister | null): MetricsRegister {
    const inner = register ?? nullRegister
    return {
      gauge: (config: { name: string }) => {
        const h = (inner.gauge as unknown as (c: unknown) => Handle)(config)
        const name = HOOKS[config.name]
        if (name === undefined && config.name !== REJECT_REASON) return h
        const inc = h.inc as (a?: Labels | number, b?: number) => void
        return {
          set: (a: unknown, b?: unknown) => (h.set as (a: unknown, b?: unknown) => void)(a, b),
          addCollect: (fn: unknown) => (h.addCollect as (fn: unknown) => void)(fn),
          inc: (a?: Labels | number, b?: number) => {
            inc(a, b)
            const labels = typeof a === 'object' ? a : {}
            if (config.name === REJECT_REASON) {
              lastRejectReason = labels.error !== undefined ? String(labels.error) : undefined
              return
            }
            const attrs: Attributes = {}
            if (labels.topic !== undefined) attrs.topic = String(labels.topic)
            if (name === 'reject' && lastRejectReason !== undefined) {
              attrs.reason = lastRejectReason
              lastRejectReason = undefined
            }
            event(name!, attrs)
          },
        }
      },
      histogram: (config: unknown) => (inner.histogram as (c: unknown) => unknown)(config),
      avgMinMax: (config: unknown) => (inner.avgMinMax as (c: unknown) => unknown)(config),
    } as unknown as MetricsRegister
  }

  return {
    observe(pubsub, node, id) {
      if (id && !peerId) {
        peerId = id
        ;(span as Span | null)?.setAttribute('peer.id', id)
      }
      if (peerId) shared.names.set(peerId, opts.host)
      shared.signedWaiting.set(opts.host, signedWaiting)
      ensureSpan()
      listen(pubsub, 'gossipsub:graft', meshPeer, 'graft')
      listen(pubsub, 'gossipsub:prune', meshPeer, 'prune')
      if (shared.messages) {
        const handler = (ev: Event) => {
          try {
            onMessage((ev as CustomEvent).detail)
          } catch {}
        }
        pubsub.addEventListener('gossipsub:message', handler)
        listeners.push([pubsub, 'gossipsub:message', handler])
        wrapPublish(pubsub)
      }
      if (node) {
        listen(node, 'peer:connect', peerEvent, 'add peer')
        listen(node, 'peer:disconnect', peerEvent, 'remove peer')
      }
    },
    wrapRegister,
    gossipsubOptions: (m) => ({
      metricsRegister: wrapRegister(m?.metricsRegister),
      metricsTopicStrToLabel: m?.metricsTopicStrToLabel ?? new Map(),
    }),
    end() {
      if (ended) return
      ended = true
      for (const [target, type, fn] of listeners) target.removeEventListener(type, fn)
      listeners.length = 0
      restorePublish?.()
      restorePublish = null
      // the name stays: other hosts' later receipts from this peer still read as its psm name
      shared.signedWaiting.delete(opts.host)
      ;(span as Span | null)?.end(Date.now())
    },
  }
}
