// A shaped raw connection over a stand-in connection and a manual clock: writes wait for the pipe, a
// graceful close flushes them first, abort drops them, and everything else is the real connection's.
import type { MultiaddrConnection } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/clock/manual.js'
import { HostPort, Pipe } from '../../../src/net/model/link.js'
import { shapedConnection } from '../../../src/net/model/shaped-conn.js'
import { createRng } from '../../../src/rng.js'

class FakeConn {
  status = 'open'
  sent: string[] = []
  closed = false
  aborted: Error | undefined
  #secret = 7 // a private field: calls must reach the real object
  log = Object.assign(() => {}, { error: () => {}, newScope: () => 'scoped' })
  send(d: Uint8Array): boolean {
    this.sent.push(new TextDecoder().decode(d))
    return true
  }
  async close(): Promise<void> {
    this.closed = true
  }
  abort(err: Error): void {
    this.aborted = err
    this.status = 'aborted'
  }
  secret(): number {
    return this.#secret
  }
}

function shaped(clock: ManualClock): { fake: FakeConn; conn: MultiaddrConnection } {
  const fake = new FakeConn()
  const port = (h: number) =>
    new HostPort(h, { name: 't', upBps: Number.POSITIVE_INFINITY, downBps: Number.POSITIVE_INFINITY })
  const conn = shapedConnection(
    fake as unknown as MultiaddrConnection,
    (deliver) =>
      new Pipe(
        { clock, from: port(0), to: port(1), latencyMs: 30, rttMs: 60, loss: 0, jitterMs: 0, rng: createRng(1) },
        deliver,
      ),
  )
  return { fake, conn }
}

const text = (s: string) => new TextEncoder().encode(s)

describe('shapedConnection', () => {
  it('hands writes to the transport after the pipe delay, in order', () => {
    const clock = new ManualClock()
    const { fake, conn } = shaped(clock)
    expect(conn.send(text('a'))).toBe(true)
    conn.send(text('b'))
    expect(fake.sent).toEqual([])
    clock.advance(30)
    expect(fake.sent).toEqual(['a', 'b'])
  })

  it('flushes in-flight writes before a graceful close', async () => {
    const clock = new ManualClock()
    const { fake, conn } = shaped(clock)
    conn.send(text('last words'))
    const closing = conn.close()
    await Promise.resolve()
    expect(fake.closed).toBe(false)
    clock.advance(30)
    await closing
    expect(fake.sent).toEqual(['last words'])
    expect(fake.closed).toBe(true)
  })

  it('drops in-flight writes on abort, and on a close whose signal aborts', async () => {
    const clock = new ManualClock()
    const { fake, conn } = shaped(clock)
    conn.send(text('x'))
    conn.abort(new Error('gone'))
    clock.advance(100)
    expect(fake.sent).toEqual([])
    expect(fake.aborted?.message).toBe('gone')
    const second = shaped(clock)
    second.conn.send(text('y'))
    const controller = new AbortController()
    const closing = second.conn.close({ signal: controller.signal })
    controller.abort(new Error('too slow'))
    await expect(closing).rejects.toThrow('too slow')
    clock.advance(100)
    expect(second.fake.sent).toEqual([])
  })

  it('passes everything else to the real connection: methods with private fields, fields, writes', () => {
    const clock = new ManualClock()
    const { fake, conn } = shaped(clock)
    expect((conn as unknown as FakeConn).secret()).toBe(7)
    expect(conn.log).toBe(fake.log)
    expect(conn.log.newScope('x')).toBe('scoped')
    conn.maxReadBufferLength = 123
    expect((fake as unknown as { maxReadBufferLength: number }).maxReadBufferLength).toBe(123)
    fake.status = 'closed'
    expect(conn.status).toBe('closed')
  })
})
