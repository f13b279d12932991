// Encoding tx records straight into a byte buffer: the file sink's path for the bulk of a log. No record
// object, no string per line: the repeats (a machine's line prefix, an event's name, the recorder's
// shared arrays of state names) are encoded once and copied, numbers and plain ASCII args are written
// byte by byte. The bytes are exactly JSON.stringify's of the record `txRecord` builds from the same
// arguments, and a newline (test/telemetry/log/tx-bytes.test.ts compares them), so readers see no change.
import { MAX_ARG_STRING, type WriteTx } from '../records.js'

/** the caches of machine ids and event names are dropped when they grow past this */
const MAX_CACHED = 4096

export interface TxBytesEncoder {
  /**
   * Writes the tx line of the arguments after `end` (newline included) into `buf` at `off`; returns the
   * offset after it, or -1 when it does not fit before `end` (nothing counts as written then).
   */
  encode(buf: Buffer, off: number, end: number, ...tx: Parameters<WriteTx>): number
}

const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1')
const json = (s: string): Uint8Array => Buffer.from(JSON.stringify(s), 'utf8')

const TIME = ascii(',"time":')
const ARGS = ascii(',"args":{')
const ACCEPTED = ascii(',"accepted":true,"added":')
const REJECTED = ascii(',"accepted":false,"added":')
const REMOVED = ascii(',"removed":')
const TOUCHED = ascii(',"touched":')
const DURATION = ascii(',"durationUs":')
const EMPTY = ascii('[]')
/** the longest number String() spells, e.g. -1.2345678901234567e-308 */
const MAX_NUMBER_BYTES = 25
/** bytes of a line besides its cached chunks, numbers and args */
const FIXED_BYTES = TIME.length + REJECTED.length + REMOVED.length + TOUCHED.length + DURATION.length + 2

/** Copies `src` into `buf` at `off`; returns the end offset (a loop: set() costs more for a few bytes). */
function copy(buf: Buffer, off: number, src: Uint8Array): number {
  for (let i = 0; i < src.length; i++) buf[off + i] = src[i]!
  return off + src.length
}

/** Writes the ASCII string `s` (digits, a spelled number); returns the end offset. */
function writeAscii(buf: Buffer, off: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[off++] = s.charCodeAt(i)
  return off
}

/** Writes a number as JSON spells it (non-finite: null); needs MAX_NUMBER_BYTES of room. */
function writeNumber(buf: Buffer, off: number, n: number): number {
  if (n >= 0 && n <= 0x7fffffff && (n | 0) === n) {
    if (n < 10) {
      buf[off] = 48 + n
      return off + 1
    }
    let len = 1
    for (let p = 10; p <= n; p *= 10) len++
    let i = off + len
    while (n >= 10) {
      const q = (n / 10) | 0
      buf[--i] = 48 + (n - q * 10)
      n = q
    }
    buf[--i] = 48 + n
    return off + len
  }
  if (Number.isSafeInteger(n) && n > 0) {
    // epoch milliseconds: integer, past 2^31
    let len = 1
    for (let p = 10; p <= n; p *= 10) len++
    let i = off + len
    while (n >= 10) {
      const q = Math.floor(n / 10)
      buf[--i] = 48 + (n - q * 10)
      n = q
    }
    buf[--i] = 48 + n
    return off + len
  }
  return writeAscii(buf, off, Number.isFinite(n) ? String(n) : 'null')
}

/**
 * Writes `s` as a JSON string, quotes included; needs 6 bytes per UTF-16 unit and 2 of room. Plain
 * ASCII (no quote, backslash or control character) is copied as is, anything else goes through
 * JSON.stringify and UTF-8.
 */
function writeString(buf: Buffer, off: number, s: string): number {
  const start = off
  buf[off++] = 34
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c > 0x7e || c === 34 || c === 92) return start + buf.write(JSON.stringify(s), start, 'utf8')
    buf[off++] = c
  }
  buf[off++] = 34
  return off
}

/** room a JSON string of `s` may take */
const stringRoom = (s: string): number => 6 * s.length + 2

export function createTxBytesEncoder(): TxBytesEncoder {
  // `{"kind":"tx","machine":"ps-0","seq":` by machine id, `,"event":"IncomingRPC"` by event name
  let prefixes = new Map<string, Uint8Array>()
  let events = new Map<string, Uint8Array>()
  // the JSON of the recorder's shared (frozen) name arrays
  const lists = new WeakMap<readonly string[], Uint8Array>()
  let lastMachine = ''
  let lastPrefix = ascii('')

  const prefixOf = (machine: string): Uint8Array => {
    if (machine === lastMachine) return lastPrefix
    let p = prefixes.get(machine)
    if (p === undefined) {
      p = Buffer.concat([ascii('{"kind":"tx","machine":'), json(machine), ascii(',"seq":')])
      if (prefixes.size >= MAX_CACHED) prefixes = new Map()
      prefixes.set(machine, p)
    }
    lastMachine = machine
    lastPrefix = p
    return p
  }

  const eventOf = (event: string): Uint8Array => {
    let e = events.get(event)
    if (e === undefined) {
      e = Buffer.concat([ascii(',"event":'), json(event)])
      if (events.size >= MAX_CACHED) events = new Map()
      events.set(event, e)
    }
    return e
  }

  const listOf = (names: readonly string[]): Uint8Array => {
    if (names.length === 0) return EMPTY
    if (!Object.isFrozen(names)) return Buffer.from(JSON.stringify(names), 'utf8')
    let l = lists.get(names)
    if (l === undefined) {
      l = Buffer.from(JSON.stringify(names), 'utf8')
      lists.set(names, l)
    }
    return l
  }

  /** `,"args":{...}` as recordArgs keeps them; -1 when they do not fit */
  const writeArgs = (buf: Buffer, off: number, end: number, args: object): number => {
    const start = off
    if (off + ARGS.length > end) return -1
    off = copy(buf, off, ARGS)
    let kept = 0
    const obj = args as Record<string, unknown>
    for (const k in obj) {
      if (!Object.hasOwn(obj, k)) continue
      // recordArgs assigns `out[k]`: a `__proto__` key never becomes a property
      if (k === '__proto__') continue
      const v = obj[k]
      let s: string | undefined
      let room: number
      switch (typeof v) {
        case 'number':
        case 'boolean':
          room = MAX_NUMBER_BYTES
          break
        case 'string':
          s = v.length > MAX_ARG_STRING ? `${v.slice(0, MAX_ARG_STRING)}…` : v
          room = stringRoom(s)
          break
        case 'bigint':
          s = v.toString()
          room = s.length + 2
          break
        case 'object':
          if (v !== null) continue
          room = 4
          break
        default:
          continue
      }
      // a comma, a colon and the closing brace
      if (off + 3 + stringRoom(k) + room > end) return -1
      if (kept++ > 0) buf[off++] = 44
      off = writeString(buf, off, k)
      buf[off++] = 58
      if (s !== undefined) off = writeString(buf, off, s)
      else if (typeof v === 'number') off = writeNumber(buf, off, v)
      else off = writeAscii(buf, off, v === null ? 'null' : v ? 'true' : 'false')
    }
    if (kept === 0) return start
    buf[off++] = 125
    return off
  }

  return {
    encode(buf, off, end, machine, seq, time, event, args, accepted, added, removed, touched, durationUs) {
      const prefix = prefixOf(machine)
      const ev = eventOf(event)
      const a = listOf(added)
      const r = listOf(removed)
      const t = listOf(touched)
      if (off + FIXED_BYTES + 3 * MAX_NUMBER_BYTES + prefix.length + ev.length + a.length + r.length + t.length > end)
        return -1
      off = writeNumber(buf, copy(buf, off, prefix), seq)
      off = writeNumber(buf, copy(buf, off, TIME), time)
      off = copy(buf, off, ev)
      if (args !== null && typeof args === 'object') {
        // the tail below takes at most this much room after the args
        off = writeArgs(buf, off, end - (FIXED_BYTES + MAX_NUMBER_BYTES + a.length + r.length + t.length), args)
        if (off < 0) return -1
      }
      off = copy(buf, off, accepted ? ACCEPTED : REJECTED)
      off = copy(buf, off, a)
      off = copy(buf, off, REMOVED)
      off = copy(buf, off, r)
      off = copy(buf, off, TOUCHED)
      off = copy(buf, off, t)
      off = writeNumber(buf, copy(buf, off, DURATION), durationUs)
      buf[off++] = 125
      buf[off++] = 10
      return off
    },
  }
}
