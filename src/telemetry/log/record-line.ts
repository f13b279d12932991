// Writing a record as one JSONL line: the text JSON.stringify gives, built faster for tx records, the
// bulk of every log. A tx line is mostly repeats (machine ids, event names, the recorder's shared
// arrays of state names), so their JSON is kept and reused; only numbers and args are new per event.
// Keys come in the recorder's order (records.ts), the order JSON.stringify gives its records.
import type { PsmRecord, TxRecord } from '../records.js'

/** the string cache is dropped when it grows past this (machine ids and event names are few) */
const MAX_CACHED_STRINGS = 4096

export interface RecordLineWriter {
  /** the record's JSON text (no newline) */
  line(r: PsmRecord): string
}

export function createRecordLineWriter(): RecordLineWriter {
  let strings = new Map<string, string>()
  // only frozen arrays (the recorder's shared ones) are cached: a fresh array would never be met again
  const arrays = new WeakMap<readonly string[], string>()

  const str = (s: string): string => {
    let j = strings.get(s)
    if (j === undefined) {
      j = JSON.stringify(s)
      if (strings.size >= MAX_CACHED_STRINGS) strings = new Map()
      strings.set(s, j)
    }
    return j
  }

  const names = (a: readonly string[]): string => {
    if (a.length === 0) return '[]'
    if (!Object.isFrozen(a)) return JSON.stringify(a)
    let j = arrays.get(a)
    if (j === undefined) {
      j = JSON.stringify(a)
      arrays.set(a, j)
    }
    return j
  }

  const tx = (r: TxRecord): string => {
    let out = `{"kind":"tx","machine":${str(r.machine)},"seq":${num(r.seq)},"time":${num(r.time)},"event":${str(r.event)}`
    if (r.args !== undefined) out += `,"args":${JSON.stringify(r.args)}`
    return `${out},"accepted":${r.accepted},"added":${names(r.added)},"removed":${names(r.removed)},"touched":${names(r.touched)},"durationUs":${num(r.durationUs)}}`
  }

  return { line: (r) => (r.kind === 'tx' ? tx(r) : JSON.stringify(r)) }
}

/** JSON's spelling of a number: non-finite numbers are null. */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null'
}
