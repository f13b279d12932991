// The physics of one direction of one connection (a Pipe), over the two hosts' ports (a HostPort each).
// A host's uplink is one FIFO queue shared by all its connections: a write waits until the writes before
// it (to any peer) have left, then takes bytes·8/rate to serialise. It then travels the pair's latency plus
// a seeded jitter, plus what its lost segments cost (loss.ts). The receiver's downlink is one queue too,
// entered when the first bit arrives: the write is delivered when both its last bit has arrived and the
// downlink has had time to take it in. A pipe delivers in write order whatever each write's own timing
// (bytes on a stream arrive in order: a late write holds back those after it).
// Every delay is a timer of the model's Clock; a write due now on an empty pipe goes straight through.
import type { Clock, TimerHandle } from '../../clock/clock.js'
import type { Rng } from '../../rng.js'
import { drawLoss } from './loss.js'
import { emptyStats, type HostNetStats } from './stats.js'
import type { HostRates } from './topology.js'

/** How the last write from one host to another fared: what a receiver's records attribute a hop to. */
export interface Arrival {
  /** ms it waited in the sender's uplink queue */
  queueMs: number
  /** ms from leaving the queue to delivery: serialisation, latency, jitter, losses, the downlink */
  netMs: number
}

export class HostPort {
  /** the last write delivered here from each sending host (a host's records read it, see pubsub/machine.ts) */
  readonly arrivals = new Map<number, Arrival>()
  /** when the last queued write will have left the uplink */
  upFreeAt = Number.NEGATIVE_INFINITY
  /** when the downlink will have taken in what has entered it */
  downFreeAt = Number.NEGATIVE_INFINITY
  readonly stats: HostNetStats = emptyStats()

  constructor(
    readonly host: number,
    readonly rates: HostRates,
  ) {}
}

export interface PipeInit {
  clock: Clock
  from: HostPort
  to: HostPort
  /** one-way base latency, ms */
  latencyMs: number
  /** round trip for the retransmission timeout, ms */
  rttMs: number
  loss: number
  jitterMs: number
  /** this pipe's own stream: jitter and losses */
  rng: Rng
}

/** Byte-like data: Uint8Array or Uint8ArrayList both have byteLength. */
export interface Bytes {
  readonly byteLength: number
}

interface Write<T extends Bytes> {
  data: T
  /** when it left the sender's uplink queue, and how long it waited there */
  startAt: number
  queueMs: number
  deliverAt: number | undefined
  timer: TimerHandle | undefined
}

export class Pipe<T extends Bytes> {
  private readonly writes: Write<T>[] = []
  /** this pipe's entry in the receiver's arrivals, updated in place per delivery */
  private readonly arrival: Arrival = { queueMs: 0, netMs: 0 }
  private head = 0
  private lastArrival = Number.NEGATIVE_INFINITY
  private idleWaiters: (() => void)[] = []
  private headTimer: TimerHandle | undefined

  constructor(
    private readonly init: PipeInit,
    private readonly deliver: (data: T) => void,
  ) {}

  /** writes waiting for delivery */
  get pending(): number {
    return this.writes.length - this.head
  }

  send(data: T): void {
    const { clock, from, to, latencyMs, jitterMs, rng } = this.init
    const now = clock.now()
    const bytes = data.byteLength
    const start = Math.max(now, from.upFreeAt)
    const txMs = (bytes * 8000) / from.rates.upBps // 0 when unlimited
    if (txMs > 0) from.upFreeAt = start + txMs
    const s = from.stats
    s.bytesSent += bytes
    s.uplinkWrites++
    s.uplinkQueueMsTotal += start - now
    if (start - now > s.uplinkQueueMsMax) s.uplinkQueueMsMax = start - now
    const lost = drawLoss(rng, bytes, this.init.loss, this.init.rttMs)
    if (lost.resentBytes > 0) {
      s.bytesSent += lost.resentBytes
      s.retransmittedBytes += lost.resentBytes
    }
    const jitter = jitterMs > 0 ? rng.next() * jitterMs : 0
    const firstBit = start + latencyMs + jitter
    const lastBit = Math.max(start + txMs + latencyMs + jitter + lost.delayMs, this.lastArrival)
    this.lastArrival = lastBit
    const write: Write<T> = { data, startAt: start, queueMs: start - now, deliverAt: undefined, timer: undefined }
    this.writes.push(write)
    const downBps = to.rates.downBps
    if (downBps === Number.POSITIVE_INFINITY) {
      this.due(write, lastBit)
      return
    }
    write.timer = clock.setTimer(() => {
      // the downlink is entered when the first bit arrives, in arrival order across all senders
      const t = clock.now()
      const rxStart = Math.max(t, to.downFreeAt)
      to.downFreeAt = rxStart + (bytes * 8000) / downBps
      this.due(write, Math.max(to.downFreeAt, lastBit))
    }, firstBit - now)
  }

  /** resolves once every write so far has been delivered (or the pipe cleared) */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** drops what is in flight (the connection was aborted) */
  clear(): void {
    for (let i = this.head; i < this.writes.length; i++) {
      const timer = this.writes[i]!.timer
      if (timer) this.init.clock.clearTimer(timer)
    }
    if (this.headTimer) {
      this.init.clock.clearTimer(this.headTimer)
      // a stale handle here would stop flush() from ever re-arming: a later early-firing write would stall
      this.headTimer = undefined
    }
    this.writes.length = 0
    this.head = 0
    this.wake()
  }

  private due(write: Write<T>, at: number): void {
    write.deliverAt = at
    const wait = at - this.init.clock.now()
    if (wait <= 0 && this.writes[this.head] === write) {
      this.flush()
      return
    }
    write.timer = this.init.clock.setTimer(() => {
      write.timer = undefined
      this.flush()
    }, wait)
  }

  private flush(): void {
    const now = this.init.clock.now()
    while (this.head < this.writes.length) {
      const w = this.writes[this.head]!
      if (w.deliverAt === undefined) return // still on its way to the downlink; its own timer flushes
      if (w.deliverAt > now) {
        // a timer may fire a little early (wall timers round to whole ms): try again when it is due
        if (w.timer === undefined && this.headTimer === undefined) {
          this.headTimer = this.init.clock.setTimer(() => {
            this.headTimer = undefined
            this.flush()
          }, w.deliverAt - now)
        }
        return
      }
      this.head++
      if (w.timer) {
        this.init.clock.clearTimer(w.timer)
        w.timer = undefined
      }
      const to = this.init.to
      to.stats.bytesReceived += w.data.byteLength
      this.arrival.queueMs = w.queueMs
      this.arrival.netMs = now - w.startAt
      if (to.arrivals.get(this.init.from.host) !== this.arrival) to.arrivals.set(this.init.from.host, this.arrival)
      this.deliver(w.data)
      if (this.head >= 1024 && this.head * 2 >= this.writes.length) {
        // a busy pipe may never drain: drop delivered writes now and then
        this.writes.splice(0, this.head)
        this.head = 0
      }
    }
    this.writes.length = 0
    this.head = 0
    this.wake()
  }

  private wake(): void {
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }
}
