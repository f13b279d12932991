// Search: machine ids (the machine list), and transitions by machine, event, args and log text.
import type { MachineTrack } from './machine-track.js'
import type { DbgModel } from './model.js'
import { childrenIndex } from './tree.js'

export function machineMatches(machines: readonly MachineTrack[], query: string): MachineTrack[] {
  const q = query.toLowerCase()
  if (q === '') return []
  const kids = childrenIndex(machines)
  const out: MachineTrack[] = []
  const seen = new Set<number>()
  const walk = (t: MachineTrack): void => {
    if (seen.has(t.index)) return
    seen.add(t.index)
    if (t.id.toLowerCase().includes(q)) out.push(t)
    for (const c of kids.get(t.id) ?? []) walk(c)
  }
  for (const r of kids.get(null) ?? []) walk(r)
  for (const t of machines) walk(t)
  return out
}

/**
 * The next (dir 1) or previous (dir -1) transition after / before absolute index `from` that matches
 * `query`: its machine id or event name (case-insensitive), its args (message ids, topics, peer names:
 * the args' JSON text, case-sensitive as ids are) or a log line it wrote. Wraps around the ends.
 * Returns the absolute index, or -1. Linear in the txs held, with no allocation per tx: a million are
 * a few milliseconds.
 */
export function findTx(model: DbgModel, query: string, from: number, dir: 1 | -1): number {
  const s = model.store
  if (query === '' || s.length === 0) return -1
  const q = query.toLowerCase()
  const machineHit = new Uint8Array(model.machines.length)
  for (const t of model.machines) if (t.id.toLowerCase().includes(q)) machineHit[t.index] = 1
  const eventHit = new Uint8Array(model.events.length)
  model.events.forEach((e, i) => {
    if (e.toLowerCase().includes(q)) eventHit[i] = 1
  })
  const logHit = new Set<number>()
  for (const g of model.logKeys()) {
    if (model.logsOf(g).some((l) => l.text.toLowerCase().includes(q))) logHit.add(g)
  }
  // the args' JSON text as stored: ids, topics and names need no escaping, and `ps-7"` ends a value
  const needle = Buffer.from(query, 'utf8')
  const bytes = Buffer.from(s.argBytes.buffer, s.argBytes.byteOffset, s.argLength)
  // slot of the args byte at `at`: the first slot whose args end past it
  const slotOfByte = (at: number): number => {
    let lo = 0
    let hi = s.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (s.argsEnd[mid]! > at) hi = mid
      else lo = mid + 1
    }
    return lo
  }
  const argsStart = (slot: number): number => (slot === 0 ? 0 : s.argsEnd[slot - 1]!)
  const hit = (slot: number): boolean =>
    machineHit[s.machine[slot]!] === 1 || eventHit[s.event[slot]!] === 1 || logHit.has(slot + s.base)
  // first hit in slots [a, b) going up, or (b, a] going down
  const scan = (a: number, b: number): number => {
    if (dir > 0) {
      let best = -1
      if (a < b) {
        const i = bytes.indexOf(needle, argsStart(a))
        if (i >= 0) {
          const slot = slotOfByte(i)
          if (slot < b) best = slot
        }
      }
      const end = best >= 0 ? best : b
      for (let k = a; k < end; k++) if (hit(k)) return k
      return best
    }
    let best = -1
    if (a > b) {
      const endByte = s.argsEnd[a]! - needle.length
      const i = endByte >= 0 ? bytes.lastIndexOf(needle, endByte) : -1
      if (i >= 0) {
        const slot = slotOfByte(i)
        if (slot > b) best = slot
      }
    }
    const stop = best >= 0 ? best : b
    for (let k = a; k > stop; k--) if (hit(k)) return k
    return best
  }
  const cur = from - s.base
  let slot: number
  if (dir > 0) {
    slot = scan(Math.max(0, cur + 1), s.length)
    if (slot < 0) slot = scan(0, Math.min(s.length, Math.max(0, cur + 1)))
  } else {
    slot = scan(Math.min(s.length - 1, cur - 1), -1)
    if (slot < 0) slot = scan(s.length - 1, Math.max(-1, cur - 1))
  }
  return slot < 0 ? -1 : slot + s.base
}
