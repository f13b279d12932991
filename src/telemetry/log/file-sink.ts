// The log file sink: JSONL (gzip when the name ends `.gz`). Records are serialised at once and written
// in batches of whole lines, so the file ends on a complete line after any stop; a batch that cannot be
// written fast enough is dropped and counted rather than blocking a machine or growing without bound.
// Each line is encoded into an off-heap batch buffer as soon as it is made: lines kept as strings until
// the batch is written outlive a young-generation GC, get promoted, and cost mark-compacts (measured:
// a dozen per 300k records, a third of the recording CPU). Tx records, the bulk, come field by field
// (`writeTx`) and are encoded straight into the batch buffer, with no record object or string at all.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { constants, createGzip, type Gzip } from 'node:zlib'
import { type PsmRecord, type Sink, txRecord } from '../records.js'
import { createRecordLineWriter } from './record-line.js'
import { createTxBytesEncoder } from './tx-bytes.js'

/** bytes of encoded lines written together */
const BATCH_BYTES = 1 << 20

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
  const lines = createRecordLineWriter()
  const txBytes = createTxBytesEncoder()
  // a tx line that does not fit here takes the path of other records, which flushes or drops
  const txEnd = Math.min(BATCH_BYTES, maxPending)
  const batch = Buffer.allocUnsafeSlow(BATCH_BYTES)
  let pendingLines = 0
  let pendingBytes = 0
  let dropped = 0
  let written = 0
  let closed = false
  let timer: NodeJS.Timeout | undefined

  const flush = (): void => {
    if (pendingLines === 0) return
    const count = pendingLines
    const bytes = pendingBytes
    pendingLines = 0
    pendingBytes = 0
    try {
      if (gz) {
        // zlib compresses later: it gets its own copy of the batch buffer, which is reused at once
        gz.write(Buffer.from(batch.subarray(0, bytes)))
        // a sync flush makes every batch decodable even if the process dies before close
        gz.flush(constants.Z_SYNC_FLUSH)
      } else {
        writeSync(fd, batch, 0, bytes)
      }
      written += count
    } catch {
      dropped += count
    }
  }

  // a line longer than the batch buffer (a machine record with a huge schema) goes out alone
  const writeLarge = (line: string): void => {
    try {
      if (gz) {
        gz.write(line)
        gz.flush(constants.Z_SYNC_FLUSH)
      } else writeSync(fd, line)
      written++
    } catch {
      dropped++
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

  const write = (r: PsmRecord): void => {
    if (closed) return
    const line = `${lines.line(r)}\n`
    // utf-8 takes at most 3 bytes per UTF-16 unit
    const most = line.length * 3
    if (pendingBytes + most > BATCH_BYTES) flush()
    if (most > BATCH_BYTES) {
      writeLarge(line)
      return
    }
    if (pendingBytes + most > maxPending) {
      dropped++
      return
    }
    pendingBytes += batch.write(line, pendingBytes)
    pendingLines++
    schedule()
  }

  return {
    name: `file:${path}`,
    path,
    write,
    writeTx(machine, seq, time, event, args, accepted, added, removed, touched, durationUs) {
      if (closed) return
      const end = txBytes.encode(
        batch,
        pendingBytes,
        txEnd,
        machine,
        seq,
        time,
        event,
        args,
        accepted,
        added,
        removed,
        touched,
        durationUs,
      )
      if (end < 0) {
        write(txRecord(machine, seq, time, event, args, accepted, added, removed, touched, durationUs))
        return
      }
      pendingBytes = end
      pendingLines++
      schedule()
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
