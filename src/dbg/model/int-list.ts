// A growable list of 32-bit integers over an Int32Array (per-machine tx indices, checkpoints).

export class IntList {
  data: Int32Array
  length = 0

  constructor(capacity = 16) {
    this.data = new Int32Array(capacity)
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(Math.max(16, Math.ceil(this.data.length * 1.5)))
      next.set(this.data)
      this.data = next
    }
    this.data[this.length++] = v
  }

  get(i: number): number {
    return this.data[i]!
  }

  set(i: number, v: number): void {
    this.data[i] = v
  }

  last(): number | undefined {
    return this.length > 0 ? this.data[this.length - 1] : undefined
  }

  /** Removes the first `n` entries. */
  shift(n: number): void {
    const k = Math.min(n, this.length)
    if (k <= 0) return
    this.data.copyWithin(0, k, this.length)
    this.length -= k
  }

  truncate(n: number): void {
    this.length = Math.max(0, Math.min(n, this.length))
  }

  /** Number of entries <= v in a sorted list. */
  countAtMost(v: number): number {
    let lo = 0
    let hi = this.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.data[mid]! <= v) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  get bytes(): number {
    return this.data.byteLength
  }
}
