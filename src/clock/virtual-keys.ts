// Host identities from the run's seed: host n's Ed25519 key is derived from (seed, n), so the same
// seed gives the same peer ids, the same ordering of peers in gossipsub's maps, the same run.
import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

/** The 32-byte Ed25519 seed of host n: SHA-256 of "psm-host-key", the run seed and n (both u32 little-endian). */
export function hostKeySeed(seed: number, n: number): Uint8Array {
  const ids = Buffer.alloc(8)
  ids.writeUInt32LE(seed >>> 0, 0)
  ids.writeUInt32LE(n >>> 0, 4)
  return new Uint8Array(createHash('sha256').update('psm-host-key').update(ids).digest())
}

/** Host n's private key for a run with this seed. */
export async function hostKey(seed: number, n: number): Promise<PrivateKey> {
  return generateKeyPairFromSeed('Ed25519', hostKeySeed(seed, n))
}
