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
/** combinations of accepted, added and removed cached per touched list */
const MAX_TAILS = 64

interface Tail {
  accepted: boolean
  added: readonly string[]
  removed: readonly string[]
  bytes: Uint8Array
}

/** Writes the ASCII string `s` (digits, a spelled number); returns the end offset. */
function writeAscii(buf: Buffer, off: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[off++] = s.charCodeAt(i)
  return off
}

/** Writes a number as JSON spells it (non-finite: null); needs MAX_NUMBER_BYTES of room. */
function writeNumber(buf: Buffer, off: number, n: number): number {
  if (!(n >= 0 && n <= 0x7fffffff && (n | 0) === n)) return writeOtherNumber(buf, off, n)
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

/** writeNumber past small non-negative integers */
function writeOtherNumber(buf: Buffer, off: number, n: number): number {
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

  // `,"time":<ms>`, encoded again when the millisecond changes
  const timeChunk = Buffer.alloc(TIME.length + MAX_NUMBER_BYTES)
  timeChunk.set(TIME, 0)
  let timeLen = 0
  let lastTime = Number.NaN

  const writeTime = (buf: Buffer, off: number, time: number): number => {
    if (time !== lastTime) {
      lastTime = time
      timeLen = writeNumber(timeChunk, TIME.length, time)
    }
    for (let i = 0; i < timeLen; i++) buf[off + i] = timeChunk[i]!
    return off + timeLen
  }

  // `,"accepted":…,"added":[…],"removed":[…],"touched":[…],"durationUs":` by the touched list, then
  // accepted and the other two lists (a machine meets few combinations; frozen lists only)
  const tails = new WeakMap<readonly string[], Tail[]>()

  const tailOf = (
    accepted: boolean,
    added: readonly string[],
    removed: readonly string[],
    touched: readonly string[],
  ) => {
    const cacheable = Object.isFrozen(added) && Object.isFrozen(removed) && Object.isFrozen(touched)
    let list: Tail[] | undefined
    if (cacheable) {
      list = tails.get(touched)
      if (list === undefined) {
        list = []
        tails.set(touched, list)
      }
      for (let i = 0; i < list.length; i++) {
        const x = list[i]!
        if (x.accepted === accepted && x.added === added && x.removed === removed) return x.bytes
      }
    }
    const bytes = Buffer.concat([
      accepted ? ACCEPTED : REJECTED,
      listOf(added),
      REMOVED,
      listOf(removed),
      TOUCHED,
      listOf(touched),
      DURATION,
    ])
    if (list !== undefined && list.length < MAX_TAILS) list.push({ accepted, added, removed, bytes })
    return bytes
  }

  /** `,"args":{...}` as recordArgs keeps them; -1 when they do not fit */
  const writeArgs = (buf: Buffer, off: number, end: number, args: object): number => {
    const start = off
    if (off + ARGS.length > end) return -1
    buf.set(ARGS, off)
    off += ARGS.length
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
      const tail = tailOf(accepted, added, removed, touched)
      // the tail after the args: the cached part, the duration and the closing brace and newline
      const tailRoom = tail.length + MAX_NUMBER_BYTES + 2
      if (off + prefix.length + ev.length + TIME.length + 2 * MAX_NUMBER_BYTES + tailRoom > end) return -1
      // set() copies these (tens of bytes) faster than a loop
      buf.set(prefix, off)
      off = writeTime(buf, writeNumber(buf, off + prefix.length, seq), time)
      buf.set(ev, off)
      off += ev.length
      if (args !== null && typeof args === 'object') {
        off = writeArgs(buf, off, end - tailRoom, args)
        if (off < 0) return -1
      }
      buf.set(tail, off)
      off = writeNumber(buf, off + tail.length, durationUs)
      buf[off++] = 125
      buf[off++] = 10
      return off
    },
  }
}
