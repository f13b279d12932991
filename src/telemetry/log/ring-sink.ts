// An in-memory sink keeping the newest records in a bounded ring (tests, the live debugger's buffer).
import type { PsmRecord, Sink } from '../records.js'

export interface RingSink extends Sink {
  /** the kept records, oldest first */
  records(): PsmRecord[]
}

export function createRingSink(capacity = 10_000): RingSink {
  if (capacity < 1) throw new RangeError('ring capacity must be at least 1')
  const buf: Array<PsmRecord | undefined> = new Array(capacity)
  let next = 0
  let size = 0
  let overwritten = 0
  return {
    name: 'ring',
    write(r) {
      if (size === capacity) overwritten++
      else size++
      buf[next] = r
      next = (next + 1) % capacity
    },
    dropped: () => overwritten,
    records() {
      const out: PsmRecord[] = []
      const start = (next - size + capacity) % capacity
      for (let i = 0; i < size; i++) out.push(buf[(start + i) % capacity]!)
      return out
    },
    close: async () => {},
  }
}
