// Seeded random streams of the network model. Each stream is keyed by what it is for (a pair's latency,
// a host's region, a connection's jitter), so a draw does not depend on the order hosts appear in.
import { createRng, type Rng } from '../../rng.js'

/** A 32-bit seed from the run's seed and a key (FNV-1a over the key, mixed with the seed). */
export function subSeed(seed: number, ...key: (string | number)[]): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (const part of key) {
    const text = `${part}/`
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i)
      h = Math.imul(h, 0x01000193) >>> 0
    }
  }
  // one round of a 32-bit finaliser spreads nearby keys apart
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  return h >>> 0
}

export function streamFor(seed: number, ...key: (string | number)[]): Rng {
  return createRng(subSeed(seed, ...key))
}

/** A standard normal draw (Box-Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng.next() // (0, 1]: log(0) would be -Infinity
  const v = rng.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** Picks an index by weight. */
export function weightedIndex(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0)
  let x = rng.next() * total
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!
    if (x < 0) return i
  }
  return weights.length - 1
}
