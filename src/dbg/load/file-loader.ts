// Loads a psm log file (`.jsonl` or `.jsonl.gz`, read through ../../telemetry/log/jsonl.ts) into the model. `openLog` checks the header first,
// so a file that is not a psm log fails with one line before any screen is drawn; `load` then
// streams the rest in chunks, yielding to the event loop so that the first screen shows at once.
import { InputError } from '../../errors.js'
import { MAX_LINE_BYTES, openLogFile, parseRecordLine, statLogFile } from '../../telemetry/log/jsonl.js'
import { LineSplitter } from '../../telemetry/log/line-splitter.js'
import { type HeaderRecord, LOG_FORMAT, LOG_VERSIONS, type PsmRecord, readsVersion } from '../../telemetry/records.js'
import type { DbgModel } from '../model/model.js'

const CHUNK = 256 * 1024
/** how often the UI hears about loading progress (each redraw of a big screen costs ~20 ms) */
const NOTIFY_MS = 250

export interface OpenedLog {
  path: string
  header: HeaderRecord
  /** bytes on disk (compressed for .gz) */
  size: number
  /** streams every record into the model; resolves when the file is read (or the signal aborts) */
  load(model: DbgModel, signal?: AbortSignal): Promise<void>
}

function gzipProblem(path: string, err: Error): InputError {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'Z_DATA_ERROR') return new InputError(`${path}: not a gzip file (${err.message})`)
  if (code === 'Z_BUF_ERROR') return new InputError(`${path}: the gzip stream ends early`)
  return new InputError(`${path}: cannot read (${code ?? err.message})`)
}

/** Reads the first line (decompressing when needed). */
async function firstLine(path: string): Promise<string | undefined> {
  const { input } = openLogFile(path, CHUNK)
  let acc = Buffer.alloc(0)
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      acc = Buffer.concat([acc, chunk])
      const nl = acc.indexOf(10)
      if (nl >= 0) return acc.toString('utf8', 0, nl)
      if (acc.length > MAX_LINE_BYTES) return acc.toString('utf8', 0, 200)
    }
  } catch (err) {
    throw gzipProblem(path, err as Error)
  } finally {
    input.destroy()
  }
  return acc.length > 0 ? acc.toString('utf8') : undefined
}

/** Checks that `path` is a psm log of a version this psm reads; throws InputError (one line) if not. */
export async function openLog(path: string): Promise<OpenedLog> {
  const size = statLogFile(path)
  const text = await firstLine(path)
  if (text === undefined || text.trim() === '') throw new InputError(`${path}: empty, not a psm log`)
  let head: unknown
  try {
    head = JSON.parse(text)
  } catch {
    throw new InputError(`${path}: not a psm log (line 1 is not JSON)`)
  }
  const h = head as Partial<HeaderRecord> | null
  if (h === null || typeof h !== 'object' || h.kind !== 'header' || h.format !== LOG_FORMAT) {
    throw new InputError(`${path}: not a psm log (line 1 is not a ${LOG_FORMAT} header)`)
  }
  if (!readsVersion(h.version)) {
    throw new InputError(
      `${path}: unknown ${LOG_FORMAT} format version ${String(h.version)} (this psm reads ${LOG_VERSIONS.join(', ')})`,
    )
  }
  const header = h as HeaderRecord
  return { path, header, size, load: (model, signal) => loadInto(path, size, model, signal) }
}

/** Parses one line and adds it to the model; malformed lines are counted, never thrown. */
export function ingestLine(model: DbgModel, text: string, line: number): void {
  const res = parseRecordLine(text, line)
  if ('error' in res) {
    model.skip(line, res.error)
    return
  }
  const refused = model.ingest(res.record)
  if (refused !== undefined) model.skip(line, refused)
}

function loadInto(path: string, size: number, model: DbgModel, signal?: AbortSignal): Promise<void> {
  const { input, file } = openLogFile(path, CHUNK)
  const abort = (): void => {
    input.destroy()
    file.destroy()
  }
  signal?.addEventListener('abort', abort, { once: true })
  model.progress = { done: false, bytes: 0, totalBytes: size }
  // the first chunk is shown at once: that is the first screen
  let lastNotify = Number.NEGATIVE_INFINITY
  const splitter = new LineSplitter({
    maxLineBytes: MAX_LINE_BYTES,
    onLine: (text, line) => {
      if (line === 1) {
        model.ingest(JSON.parse(text) as PsmRecord)
        return
      }
      ingestLine(model, text, line)
    },
    onOversize: (line) => model.skip(line, 'line too long'),
  })
  return new Promise<void>((resolve) => {
    const finish = (err?: Error): void => {
      signal?.removeEventListener('abort', abort)
      if (err) model.notice(gzipProblem(path, err).message)
      model.progress = { done: true, bytes: size, totalBytes: size }
      model.enforceBudget()
      model.changed()
      resolve()
    }
    input.on('data', (chunk: Buffer) => {
      splitter.push(chunk)
      model.progress.bytes = file.bytesRead
      const now = performance.now()
      if (now - lastNotify >= NOTIFY_MS) {
        lastNotify = now
        model.changed()
      }
    })
    input.on('end', () => {
      splitter.end()
      finish()
    })
    input.on('error', (err) => {
      splitter.end()
      finish(err)
    })
    input.on('close', () => {
      if (signal?.aborted) finish()
    })
  })
}
