// A network model for one run: the spec, the seed, the clock, and the state they drive — one port per
// host (its uplink and downlink queues and its counters), the registry of which host is which, and the
// seeded dial failures. Hosts take a handle (`model.host(i)`) that wraps their transport (transport.ts).
import type { Clock } from '../../clock/clock.js'
import { realClock } from '../../clock/real.js'
import type { Rng } from '../../rng.js'
import { Endpoints } from './endpoints.js'
import { type Bytes, HostPort, Pipe } from './link.js'
import { streamFor } from './seed.js'
import type { NetworkSpec } from './spec.js'
import type { HostNetStats } from './stats.js'
import { buildTopology, type HostPins, type Topology } from './topology.js'
import { type HostNetwork, hostNetwork } from './transport.js'

export interface NetworkModelOptions {
  /** the run's seed: every draw of the model derives from it */
  seed: number
  /** default: the wall clock */
  clock?: Clock
  /** hosts whose bandwidth class or region is chosen, not drawn */
  pins?: HostPins
}

export class NetworkModel {
  readonly spec: NetworkSpec
  readonly seed: number
  readonly clock: Clock
  readonly topology: Topology
  readonly endpoints: Endpoints
  private readonly ports = new Map<number, HostPort>()
  private readonly dialRngs = new Map<number, Rng>()
  private readonly pipeSeq = new Map<number, number>()
  private nextHost = 0

  constructor(spec: NetworkSpec, opts: NetworkModelOptions) {
    this.spec = spec
    this.seed = opts.seed
    this.clock = opts.clock ?? realClock
    this.topology = buildTopology(spec, opts.seed, opts.pins)
    this.endpoints = new Endpoints(this.clock)
  }

  /** The handle a host is created with (HostOptions.network); without an index, the next free one. */
  host(index?: number): HostNetwork {
    const host = index ?? this.nextHost
    this.nextHost = Math.max(this.nextHost, host + 1)
    return hostNetwork(this, host)
  }

  port(host: number): HostPort {
    let p = this.ports.get(host)
    if (p === undefined) {
      p = new HostPort(host, this.topology.ratesOf(host))
      this.ports.set(host, p)
    }
    return p
  }

  /** bytes sent and received, uplink queueing delay, retransmissions, failed dials of one host */
  stats(host: number): HostNetStats {
    return { ...this.port(host).stats }
  }

  /** hosts that have a port (created a connection or were asked about) */
  hosts(): number[] {
    return [...this.ports.keys()].sort((a, b) => a - b)
  }

  /** The pipe for one direction of a new connection from → to; `deliver` hands bytes to the transport. */
  pipe<T extends Bytes>(from: number, to: number, deliver: (data: T) => void): Pipe<T> {
    const t = this.topology
    const latencyMs = t.latencyMs(from, to)
    const key = from * 67_108_864 + to
    const seq = (this.pipeSeq.get(key) ?? 0) + 1
    this.pipeSeq.set(key, seq)
    return new Pipe<T>(
      {
        clock: this.clock,
        from: this.port(from),
        to: this.port(to),
        latencyMs,
        rttMs: latencyMs + t.latencyMs(to, from),
        loss: t.lossOf(from, to),
        jitterMs: this.spec.jitterMs,
        rng: streamFor(this.seed, 'pipe', from, to, seq),
      },
      deliver,
    )
  }

  /** Draws whether this host's next dial fails (seeded per host). */
  dialFails(host: number): boolean {
    const p = this.spec.dialFailure
    if (p <= 0) return false
    let rng = this.dialRngs.get(host)
    if (rng === undefined) {
      rng = streamFor(this.seed, 'dial', host)
      this.dialRngs.set(host, rng)
    }
    const fails = rng.next() < p
    if (fails) this.port(host).stats.dialsFailed++
    return fails
  }
}
