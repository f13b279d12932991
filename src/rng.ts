// A seeded PRNG (mulberry32), shared by the simulator, scenarios, the bench and the debugger: every random
// choice draws from one, so a seed repeats them.

export interface Rng {
  /** uniform in [0, 1) */
  next(): number
  /** uniform integer in [0, n) */
  int(n: number): number
  /** uniform in [min, max) */
  range(min: number, max: number): number
  /** a random element, or undefined for an empty list */
  pick<T>(xs: readonly T[]): T | undefined
  readonly seed: number
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    seed,
    next,
    int: (n) => Math.floor(next() * n),
    range: (min, max) => min + next() * (max - min),
    pick: (xs) => (xs.length === 0 ? undefined : xs[Math.floor(next() * xs.length)]),
  }
}

/** A seed when none is given: random, printed so that a run can be repeated. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32) >>> 0
}
