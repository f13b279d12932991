// Host-level tracing (PS_TRACING_HOST=1): gossipsub's own events as short spans under a per-host `pubsub`
// span — graft, prune, deliver (from its typed events), duplicate and reject (from its metrics hooks), add and
// remove peer (from the libp2p node's events). Only gossipsub's and libp2p's public surface is used.
import type { MetricsRegister, TopicStrToLabel } from '@libp2p/gossipsub/metrics'
import { type Attributes, type Context, ROOT_CONTEXT, type Span, type Tracer, trace } from '@opentelemetry/api'

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

export function createHostTracer(
  tracer: Tracer,
  opts: HostTracerOptions,
  parentOf: (machine: string) => Context | undefined,
): HostTracer {
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
    return { peer: String(x.peerId), topic: x.topic, ...(x.direction ? { direction: x.direction } : {}) }
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
      ensureSpan()
      listen(pubsub, 'gossipsub:graft', meshPeer, 'graft')
      listen(pubsub, 'gossipsub:prune', meshPeer, 'prune')
      listen(
        pubsub,
        'gossipsub:message',
        (d) => {
          const x = d as { propagationSource: unknown; msgId: string; msg: { topic: string } }
          return { peer: String(x.propagationSource), topic: x.msg.topic, msgId: x.msgId }
        },
        'deliver',
      )
      if (node) {
        listen(node, 'peer:connect', (d) => ({ peer: String(d) }), 'add peer')
        listen(node, 'peer:disconnect', (d) => ({ peer: String(d) }), 'remove peer')
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
      ;(span as Span | null)?.end(Date.now())
    },
  }
}
