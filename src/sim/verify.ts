// Message verification (VerifyMsgsRecv): records what each peer receives and, once a message's verify
// delay has passed, counts for every peer that was in the topic at send time and still is whether it
// got the message or, after the delivery timeout, missed it.
import type { SimConfig } from '../config/sim.js'
import type { SentMessage, World } from './world.js'

export interface VerifyHooks {
  /** a delivery was observed, with its latency and topic */
  onDelivery?(latencyMs: number, topic: string): void
  /** deliveries that arrived and that were missed */
  onVerified?(recv: number, miss: number): void
  onNotice?(text: string): void
}

export class DeliveryCheck {
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(
    private readonly world: World,
    private readonly config: SimConfig,
    private readonly now: () => number,
    private readonly hooks: VerifyHooks,
    /** asks the sim machine for VerifyMsgsRecv, whose work calls verify() */
    private readonly requestVerify: () => void,
  ) {}

  /** A sent message waits for its verify delay. */
  sent(msg: SentMessage): void {
    msg.verifyAt = this.now() + this.config.verifyDelay
    this.later(this.config.verifyDelay)
  }

  /** Peer n received a message (its payload starts with the message id). */
  received(n: number, data: Uint8Array): void {
    const text = new TextDecoder().decode(data)
    const space = text.indexOf(' ')
    const id = space > 0 ? text.slice(0, space) : text
    const model = this.world.peers.get(n)
    const now = this.now()
    if (model) {
      model.received.set(id, now)
      if (model.received.size > this.config.limits.maxMsgsPerPeer * 2) {
        const first = model.received.keys().next()
        if (!first.done) model.received.delete(first.value)
      }
    }
    const m = this.world.pending.get(id)
    if (m?.expected.has(n) && !m.received.has(n)) {
      m.received.add(n)
      this.hooks.onDelivery?.(now - m.sentAt, m.topic)
    }
  }

  /** whether some message's verify delay has passed */
  due(): boolean {
    return [...this.world.pending.values()].some((m) => m.verifyAt <= this.now())
  }

  /**
   * For each due message: every peer that was in the topic at send time and still is either got it
   * (received) or, once the delivery timeout passed, missed it. At the final stop, messages still
   * within their timeout are left out (counted as unverified), never counted as missed.
   */
  verify(final = false): void {
    const now = this.now()
    for (const [id, m] of this.world.pending) {
      if (m.verifyAt > now && !final) continue
      const stillIn = [...m.expected].filter((x) => this.world.peers.get(x)?.topics.has(m.topic))
      const got = stillIn.filter((x) => m.received.has(x)).length
      const timedOut = now - m.sentAt >= this.config.deliveryTimeout
      if (got === stillIn.length || timedOut) {
        this.world.counters.msgsRecv += got
        this.world.counters.msgsMiss += stillIn.length - got
        this.world.pending.delete(id)
        this.hooks.onVerified?.(got, stillIn.length - got)
        if (got < stillIn.length) {
          const lost = stillIn.filter((x) => !m.received.has(x)).map((x) => `sim-p${x}`)
          this.hooks.onNotice?.(`${id} to ${m.topic} missed by ${lost.join(', ')} after ${now - m.sentAt} ms`)
        }
      } else if (final) {
        this.world.counters.unverified++
        this.world.pending.delete(id)
      } else {
        // check again shortly: some peers are still on the way
        this.later(Math.max(50, this.config.verifyDelay))
      }
    }
  }

  /** Clears the timers (the sim stops). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  private later(ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      this.requestVerify()
    }, ms)
    timer.unref()
    this.timers.add(timer)
  }
}
