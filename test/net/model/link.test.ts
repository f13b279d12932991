// The queues of the model on a manual clock: latency, a host's one shared uplink, the downlink, jitter
// and loss, and order on a connection.
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/clock/manual.js'
import { HostPort, Pipe, type PipeInit } from '../../../src/net/model/link.js'
import { MIN_RTO_MS } from '../../../src/net/model/loss.js'
import { createRng } from '../../../src/rng.js'

const INF = Number.POSITIVE_INFINITY
const MiB = 1024 * 1024

function port(host: number, upBps = INF, downBps = INF): HostPort {
  return new HostPort(host, { name: 'test', upBps, downBps })
}

interface Got {
  id: number
  at: number
}

function pipe(
  clock: ManualClock,
  from: HostPort,
  to: HostPort,
  init: Partial<PipeInit>,
  got: Got[],
): Pipe<{ byteLength: number; id: number }> {
  return new Pipe({ clock, from, to, latencyMs: 0, rttMs: 0, loss: 0, jitterMs: 0, rng: createRng(7), ...init }, (d) =>
    got.push({ id: d.id, at: clock.now() }),
  )
}

const bytes = (n: number, id: number) => ({ byteLength: n, id })

describe('Pipe', () => {
  it('delays each write by the one-way latency', () => {
    const clock = new ManualClock()
    const got: Got[] = []
    const p = pipe(clock, port(0), port(1), { latencyMs: 50 }, got)
    p.send(bytes(100, 1))
    clock.advance(10)
    p.send(bytes(100, 2))
    clock.advance(49)
    expect(got).toEqual([{ id: 1, at: 50 }])
    clock.advance(100)
    expect(got).toEqual([
      { id: 1, at: 50 },
      { id: 2, at: 60 },
    ])
  })

  it('adds nothing with no latency and no bandwidth limit: a write goes straight through', () => {
    const clock = new ManualClock()
    const got: Got[] = []
    const p = pipe(clock, port(0), port(1), {}, got)
    p.send(bytes(10, 1))
    p.send(bytes(10, 2))
    expect(got.map((g) => g.id)).toEqual([1, 2])
    expect(clock.pending()).toBe(0)
  })

  it('serialises 1 MiB over an 8 Mbit/s uplink in about a second', () => {
    const clock = new ManualClock()
    const got: Got[] = []
    const p = pipe(clock, port(0, 8e6), port(1), { latencyMs: 10 }, got)
    p.send(bytes(MiB, 1))
    clock.advance(5000)
    expect(got[0]!.at).toBeCloseTo((MiB * 8000) / 8e6 + 10, 6)
  })

  it("shares one uplink between a host's connections: two receivers take twice as long as one", () => {
    const clock = new ManualClock()
    const got: Got[] = []
    const a = port(0, 8e6)
    const toB = pipe(clock, a, port(1), {}, got)
    const toC = pipe(clock, a, port(2), {}, got)
    toB.send(bytes(MiB, 1))
    toC.send(bytes(MiB, 2))
    clock.advance(5000)
    const one = (MiB * 8000) / 8e6
    expect(got.map((g) => g.id)).toEqual([1, 2])
    expect(got[1]!.at).toBeCloseTo(2 * one, 6)
    expect(a.stats.uplinkQueueMsMax).toBeCloseTo(one, 6)
    expect(a.stats.bytesSent).toBe(2 * MiB)
  })

  it('shares one downlink between senders, entered in order of arrival', () => {
    const clock = new ManualClock()
    const got: Got[] = []
    const sink = port(9, INF, 8e6)
    const far = pipe(clock, port(0), sink, { latencyMs: 100 }, got)
    const near = pipe(clock, port(1), sink, { latencyMs: 10 }, got)
    far.send(bytes(MiB / 8, 1)) // 131 ms of downlink, arriving at 100 ms
    near.send(bytes(MiB / 8, 2)) // arrives first, at 10 ms: not held behind the far one
    clock.advance(5000)
    const t = (MiB * 1000) / 8e6
    expect(got).toEqual([
      { id: 2, at: 10 + t },
      { id: 1, at: 10 + 2 * t },
    ])
    expect(sink.stats.bytesReceived).toBe(MiB / 4)
  })

  it('keeps order under jitter and stays within its bound', () => {
    const clock = new ManualClock()
    const got: Got[] = []
    const p = pipe(clock, port(0), port(1), { latencyMs: 20, jitterMs: 10, rng: createRng(3) }, got)
    for (let i = 0; i < 200; i++) {
      p.send(bytes(100, i))
      clock.advance(0.5)
    }
    clock.advance(1000)
    expect(got.map((g) => g.id)).toEqual([...Array(200).keys()])
    for (let i = 0; i < 200; i++) {
      const sent = i * 0.5
      expect(got[i]!.at - sent).toBeGreaterThanOrEqual(20)
      expect(got[i]!.at - sent).toBeLessThanOrEqual(30)
    }
    expect(new Set(got.map((g, i) => Math.round((g.at - i * 0.5) * 100))).size).toBeGreaterThan(50) // it does vary
  })

  it('delivers every write under loss, late by a retransmission timeout, in order (head-of-line blocking)', () => {
    const clock = new ManualClock()
    const got: Got[] = []
    const a = port(0)
    const p = pipe(clock, a, port(1), { latencyMs: 10, rttMs: 20, loss: 0.3, rng: createRng(11) }, got)
    for (let i = 0; i < 100; i++) p.send(bytes(1000, i))
    clock.advance(60_000)
    expect(got.map((g) => g.id)).toEqual([...Array(100).keys()])
    const late = got.filter((g) => g.at >= 10 + 20 + MIN_RTO_MS)
    expect(late.length).toBeGreaterThan(20)
    // a write that was not lost but follows a lost one waits for it
    const firstLate = got.findIndex((g) => g.at > 10)
    expect(got[firstLate + 1]!.at).toBeGreaterThanOrEqual(got[firstLate]!.at)
    expect(a.stats.retransmittedBytes).toBeGreaterThan(0)
  })

  it('delivers a write sent after clear() even when wall timers fire early (no stale head timer)', () => {
    // Node's timers count from the event loop's cached time, so they may fire before the pipe's due time;
    // this clock fires every timer longer than 1 ms half a millisecond early, as the wall clock may
    class EarlyClock extends ManualClock {
      override setTimer(fn: () => void, ms: number) {
        return super.setTimer(fn, ms > 1 ? ms - 0.5 : ms)
      }
    }
    const clock = new EarlyClock()
    const got: Got[] = []
    const p = pipe(clock, port(0), port(1), { latencyMs: 50 }, got)
    p.send(bytes(10, 1))
    clock.advance(49.6) // fired at 49.5, early: the pipe re-armed a head timer for 50
    p.clear() // the connection's close was aborted: in-flight bytes dropped, head timer cancelled
    p.send(bytes(10, 2))
    clock.advance(1000)
    expect(got).toEqual([{ id: 2, at: 49.6 + 50 }])
    expect(clock.pending()).toBe(0)
  })

  it('drops what is in flight when cleared, and idle() resolves', async () => {
    const clock = new ManualClock()
    const got: Got[] = []
    const p = pipe(clock, port(0), port(1), { latencyMs: 50 }, got)
    p.send(bytes(10, 1))
    const idle = p.idle()
    expect(p.pending).toBe(1)
    p.clear()
    await idle
    clock.advance(100)
    expect(got).toEqual([])
    expect(clock.pending()).toBe(0)
  })
})
