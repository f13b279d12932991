// How large a network this box could initialise, estimated from runs at two sizes (bench:dht). Two limits:
// memory (RSS per node, garbage included, against the memory the box has) and time (the joins' CPU
// against the bench's time limit per N). A join's CPU grows with N (more hops and new connections per
// lookup, and every collection marks one shared heap), so the time limit takes a power law through the
// two largest runs: cpu(N) = cpu(n1) × (N / n1)^b. An estimate from two points, said as one.

export interface SizeRun {
  nodes: number
  /** CPU of one self-lookup, ms */
  joinCpuMs: number
  /** RSS per node after init, bytes */
  rssPerNodeBytes: number
}

export interface Capacity {
  /** nodes whose RSS fits in `memoryFraction` of the box's memory */
  byMemory: number
  /** nodes whose joins take at most the time limit of one core; undefined with fewer than two sizes */
  byTime: number | undefined
  /** the exponent b of the fitted CPU per join */
  growth: number | undefined
}

export function estimateCapacity(
  runs: readonly SizeRun[],
  memoryBytes: number,
  timeLimitMs: number,
  memoryFraction = 0.8,
): Capacity | undefined {
  const ok = runs
    .filter((r) => r.nodes > 0 && r.joinCpuMs > 0 && r.rssPerNodeBytes > 0)
    .sort((a, b) => a.nodes - b.nodes)
  const last = ok.at(-1)
  if (!last) return undefined
  const byMemory = Math.floor((memoryBytes * memoryFraction) / last.rssPerNodeBytes)
  const prev = ok.at(-2)
  if (!prev || prev.nodes === last.nodes) return { byMemory, byTime: undefined, growth: undefined }
  const growth = Math.log(last.joinCpuMs / prev.joinCpuMs) / Math.log(last.nodes / prev.nodes)
  const initMs = (n: number) => n * last.joinCpuMs * (n / last.nodes) ** growth
  // the total grows with n (growth > -1 in any real run): the largest n within the limit, by bisection
  let lo = 0
  let hi = Math.max(last.nodes, 1)
  while (initMs(hi) <= timeLimitMs && hi < 1e9) hi *= 2
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (initMs(mid) <= timeLimitMs) lo = mid
    else hi = mid
  }
  return { byMemory, byTime: lo, growth }
}
