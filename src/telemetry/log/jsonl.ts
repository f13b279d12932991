// Reading a transition log's lines: the one JSONL reader behind `psm log` and the debugger. Opens a
// `.jsonl` or `.jsonl.gz` file, splits it into lines with a bound on their length, and parses and checks
// each record against the shape in ../records.ts.
import { createReadStream, type ReadStream, statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { InputError } from '../../errors.js'
import { LOG_FORMAT, LOG_VERSIONS, MSG_MARKS, type MsgMark, type PsmRecord, readsVersion } from '../records.js'
import { LineSplitter } from './line-splitter.js'

/** a line longer than this is certainly not a record */
export const MAX_LINE_BYTES = 64 * 1024 * 1024

export type LineResult = { line: number; record: PsmRecord } | { line: number; error: string; notJson?: true }

/** Why a header's `network` entry is malformed (a file with its hash, or a section inline, and a seed). */
function checkNetworkEntry(n: unknown): string | undefined {
  if (n === null || typeof n !== 'object' || Array.isArray(n)) return 'header network must be an object'
  const e = n as Record<string, unknown>
  if (typeof e.seed !== 'number' || !Number.isFinite(e.seed)) return 'header network lacks a numeric seed'
  const isFile = typeof e.file === 'string'
  const isInline = e.inline !== null && typeof e.inline === 'object' && !Array.isArray(e.inline)
  if (isFile === isInline) return 'header network needs either a file or an inline model'
  if (isFile && !(typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256)))
    return 'header network file lacks its sha256'
  return undefined
}

/** Why a record is malformed, or undefined when it is well formed. */
export function checkRecord(r: unknown): string | undefined {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return 'not a JSON object'
  const o = r as Record<string, unknown>
  const str = (k: string) => typeof o[k] === 'string'
  const num = (k: string) => typeof o[k] === 'number' && Number.isFinite(o[k])
  const strs = (k: string) => Array.isArray(o[k]) && (o[k] as unknown[]).every((x) => typeof x === 'string')
  switch (o.kind) {
    case 'header':
      if (o.format !== LOG_FORMAT) return `header format is '${String(o.format)}', expected '${LOG_FORMAT}'`
      if (!readsVersion(o.version))
        return `unknown format version ${String(o.version)} (this psm reads ${LOG_VERSIONS.join(', ')})`
      if (!num('time')) return 'header lacks a numeric time'
      return o.network === undefined ? undefined : checkNetworkEntry(o.network)
    case 'machine': {
      if (!str('id') || !str('type') || !num('time')) return 'machine record needs id, type and time'
      if (!(o.parent === null || typeof o.parent === 'string')) return 'machine parent must be a string or null'
      const schema = o.schema as { states?: unknown } | undefined
      if (!schema || !Array.isArray(schema.states)) return 'machine record lacks schema.states'
      if (!(schema.states as unknown[]).every((s) => typeof (s as { name?: unknown })?.name === 'string')) {
        return 'schema state without a name'
      }
      if (o.peer !== undefined && !str('peer')) return 'machine peer must be a string'
      return undefined
    }
    case 'tx':
      if (!str('machine') || !num('seq') || !num('time') || !str('event')) return 'tx needs machine, seq, time, event'
      if (typeof o.accepted !== 'boolean') return 'tx accepted must be a boolean'
      if (!strs('added') || !strs('removed') || !strs('touched'))
        return 'tx added/removed/touched must be lists of names'
      if (!num('durationUs')) return 'tx needs a numeric durationUs'
      return undefined
    case 'snapshot':
      if (!str('machine') || !num('seq') || !strs('active')) return 'snapshot needs machine, seq, active'
      if (!Array.isArray(o.ticks) || !(o.ticks as unknown[]).every((x) => typeof x === 'number')) {
        return 'snapshot ticks must be numbers'
      }
      return undefined
    case 'log':
      if (!str('machine') || !num('seq') || !str('level') || !str('text')) return 'log needs machine, seq, level, text'
      return undefined
    case 'stop':
      if (!str('machine') || !num('seq')) return 'stop needs machine and seq'
      return undefined
    case 'msg':
      if (!str('machine') || !num('seq') || !num('time') || !str('id') || !str('topic'))
        return 'msg needs machine, seq, time, id, topic'
      if (!MSG_MARKS.includes(o.mark as MsgMark)) return `msg mark must be one of ${MSG_MARKS.join(', ')}`
      if (o.from !== undefined && !str('from')) return 'msg from must be a string'
      for (const k of ['netMs', 'queueMs'] as const)
        if (o[k] !== undefined && !num(k)) return `msg ${k} must be a number`
      return undefined
    default:
      return `unknown record kind '${String(o.kind)}'`
  }
}

/** Parses and checks one line; the error says why it is not a record. */
export function parseRecordLine(text: string, line: number): LineResult {
  let obj: unknown
  try {
    obj = JSON.parse(text)
  } catch {
    return { line, error: 'not valid JSON', notJson: true }
  }
  const why = checkRecord(obj)
  return why === undefined ? { line, record: obj as PsmRecord } : { line, error: why }
}

/** Checks that `path` is a readable file; its size in bytes (compressed for .gz). Throws InputError. */
export function statLogFile(path: string): number {
  try {
    const st = statSync(path)
    if (!st.isFile()) throw new InputError(`${path}: not a file`)
    return st.size
  } catch (err) {
    if (err instanceof InputError) throw err
    throw new InputError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
}

/** Opens a log for reading, through gunzip when the name ends `.gz`; `file` counts the bytes read. */
export function openLogFile(path: string, chunkBytes?: number): { input: Readable; file: ReadStream; size: number } {
  const size = statLogFile(path)
  const file = createReadStream(path, chunkBytes === undefined ? {} : { highWaterMark: chunkBytes })
  if (!path.endsWith('.gz')) return { input: file, file, size }
  const gunzip = createGunzip(chunkBytes === undefined ? {} : { chunkSize: chunkBytes })
  file.on('error', (e) => gunzip.destroy(e))
  return { input: file.pipe(gunzip), file, size }
}

/**
 * The lines of a stream with their numbers (blank lines included, so numbers match the file). A stream
 * error ends the lines with what was read so far and then throws; a line past MAX_LINE_BYTES throws too.
 */
export async function* readLines(input: Readable): AsyncGenerator<{ text: string; line: number }> {
  const pending: { text: string; line: number }[] = []
  let oversize: number | undefined
  const splitter = new LineSplitter({
    maxLineBytes: MAX_LINE_BYTES,
    keepEmpty: true,
    onLine: (text, line) => pending.push({ text, line }),
    onOversize: (line) => (oversize = line),
  })
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      splitter.push(chunk)
      yield* pending.splice(0)
      if (oversize !== undefined) throw new Error(`line ${oversize} is longer than ${MAX_LINE_BYTES} bytes`)
    }
  } catch (err) {
    splitter.end()
    yield* pending.splice(0)
    throw err
  } finally {
    input.destroy()
  }
  splitter.end()
  yield* pending.splice(0)
}
