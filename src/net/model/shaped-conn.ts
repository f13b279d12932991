// A raw connection (MultiaddrConnection, below encryption and muxing) whose writes go through a Pipe of
// the model before they reach the transport. Only the sending side is shaped: both ends of every
// connection are wrapped, so each direction is shaped once, by its sender. Everything else (events,
// reads, status, timeline) is the transport's own connection (override.ts), so the upgrader and the connection see the transport's behaviour unchanged.
import type { AbortOptions, MultiaddrConnection } from '@libp2p/interface'
import type { Pipe } from './link.js'
import { override } from './override.js'

type Data = Parameters<MultiaddrConnection['send']>[0]

export function shapedConnection(
  inner: MultiaddrConnection,
  makePipe: (deliver: (d: Data) => void) => Pipe<Data>,
): MultiaddrConnection {
  const pipe = makePipe((data) => {
    // the connection may have closed while the bytes were in flight: they are lost with it
    if (inner.status !== 'open') return
    try {
      inner.send(data)
    } catch (err) {
      inner.log.error('network model: delivering delayed bytes failed - %e', err)
    }
  })
  const send = (data: Data): boolean => {
    // on a closing or closed connection the transport's own send throws the error callers expect
    if (inner.status !== 'open') return inner.send(data)
    pipe.send(data)
    return true
  }
  const close = async (options?: AbortOptions): Promise<void> => {
    // a graceful close flushes what is in flight first, as a socket would, unless the caller gives up
    const signal = options?.signal
    if (signal === undefined) await pipe.idle()
    else {
      signal.throwIfAborted()
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          pipe.clear()
          reject(signal.reason)
        }
        signal.addEventListener('abort', onAbort, { once: true })
        pipe.idle().then(() => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        }, reject)
      })
    }
    return inner.close(options)
  }
  const abort = (err: Error): void => {
    pipe.clear()
    inner.abort(err)
  }
  return override(inner, { send, close, abort })
}
