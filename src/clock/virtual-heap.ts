// A binary min-heap of timers ordered by (due time, insertion sequence): the next timer to fire is
// found in O(1), inserted and removed (also from the middle, for clearTimeout) in O(log n), and two
// timers due at the same instant fire in the order they were scheduled, so a run is deterministic.

export interface HeapNode {
  due: number
  seq: number
  /** position in the heap, -1 when not in it */
  heapIndex: number
}

function before(a: HeapNode, b: HeapNode): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq)
}

export class TimerHeap<T extends HeapNode> {
  private readonly items: T[] = []

  get size(): number {
    return this.items.length
  }

  peek(): T | undefined {
    return this.items[0]
  }

  push(node: T): void {
    node.heapIndex = this.items.length
    this.items.push(node)
    this.up(node.heapIndex)
  }

  pop(): T | undefined {
    const top = this.items[0]
    if (top !== undefined) this.remove(top)
    return top
  }

  /** Removes a node wherever it is; a node not in the heap is ignored. */
  remove(node: T): void {
    const i = node.heapIndex
    if (i < 0 || this.items[i] !== node) return
    const last = this.items.pop() as T
    node.heapIndex = -1
    if (last === node) return
    this.items[i] = last
    last.heapIndex = i
    this.down(i)
    this.up(last.heapIndex)
  }

  private up(i: number): void {
    const items = this.items
    const node = items[i] as T
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = items[p] as T
      if (!before(node, parent)) break
      items[i] = parent
      parent.heapIndex = i
      i = p
    }
    items[i] = node
    node.heapIndex = i
  }

  private down(i: number): void {
    const items = this.items
    const n = items.length
    const node = items[i] as T
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && before(items[r] as T, items[l] as T) ? r : l
      const child = items[c] as T
      if (!before(child, node)) break
      items[i] = child
      child.heapIndex = i
      i = c
    }
    items[i] = node
    node.heapIndex = i
  }
}
