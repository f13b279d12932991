// The log file sink: JSONL (gzip when the name ends `.gz`). Records are serialised at once and written
// in batches of whole lines, so the file ends on a complete line after any stop; a batch that cannot be
// written fast enough is dropped and counted rather than blocking a machine or growing without bound.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { constants, createGzip, type Gzip } from 'node:zlib'
import type { PsmRecord, Sink } from '../records.js'

export interface FileSinkOptions {
  /**
   * flush interval in ms (default 200, at most 1000): each flush of a .gz ends with a zlib sync flush, so
   * after a SIGKILL or crash a log loses at most the records of the last interval (README, "The
   * transition record"; test/e2e/signals.test.ts kills a recording sim and reads it back)
   */
  flushMs?: number
  /** pending bytes above which new records are dropped (default 64 MiB) */
  maxPendingBytes?: number
}

export interface FileSink extends Sink {
  readonly path: string
  /** writes what is pending now (synchronously for plain files) */
  flush(): void
  /** lines written */
  written(): number
}

export function createJsonlFileSink(path: string, opts: FileSinkOptions = {}): FileSink {
  const flushMs = Math.min(opts.flushMs ?? 200, 1000)
  const maxPending = opts.maxPendingBytes ?? 64 * 1024 * 1024
  mkdirSync(dirname(path), { recursive: true })
  const fd = openSync(path, 'w')
  const gzip = path.endsWith('.gz')
  let gz: Gzip | undefined
  let gzDone: Promise<void> | undefined
  if (gzip) {
    gz = createGzip({ level: 6 })
    gzDone = new Promise<void>((resolve) => {
      gz!.on('data', (chunk: Buffer) => {
        try {
          writeSync(fd, chunk)
        } catch {}
      })
      gz!.on('end', () => resolve())
      gz!.on('error', () => resolve())
    })
  }
  let pending: string[] = []
  let pendingBytes = 0
  let dropped = 0
  let written = 0
  let closed = false
  let timer: NodeJS.Timeout | undefined

  const flush = (): void => {
    if (pending.length === 0) return
    const chunk = pending.join('')
    const lines = pending.length
    pending = []
    pendingBytes = 0
    try {
      if (gz) {
        gz.write(chunk)
        // a sync flush makes every batch decodable even if the process dies before close
        gz.flush(constants.Z_SYNC_FLUSH)
      } else {
        writeSync(fd, chunk)
      }
      written += lines
    } catch {
      dropped += lines
    }
  }

  const schedule = (): void => {
    if (timer || closed) return
    timer = setTimeout(() => {
      timer = undefined
      flush()
    }, flushMs)
    timer.unref()
  }

  return {
    name: `file:${path}`,
    path,
    write(r: PsmRecord) {
      if (closed) return
      const line = `${JSON.stringify(r)}\n`
      if (pendingBytes + line.length > maxPending) {
        dropped++
        return
      }
      pending.push(line)
      pendingBytes += line.length
      if (pendingBytes > 1 << 20) flush()
      else schedule()
    },
    flush,
    dropped: () => dropped,
    written: () => written,
    async close() {
      if (closed) return
      closed = true
      if (timer) clearTimeout(timer)
      flush()
      if (gz && gzDone) {
        gz.end()
        await gzDone
      }
      try {
        fsyncSync(fd)
      } catch {}
      closeSync(fd)
    },
  }
}
