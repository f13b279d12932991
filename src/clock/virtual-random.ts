// Seeded replacements for every random source a psm run reaches, installed with the virtual clock so
// the same seed repeats a run: Math.random (gossipsub's shuffles and tracer, libp2p's ids),
// crypto.getRandomValues (@libp2p/crypto and @noble's randomBytes, nanoid) and node:crypto's
// randomBytes, randomFillSync, randomFill, randomInt, randomUUID and generateKeyPairSync for x25519 and
// ed25519 (noise's ephemeral keys). Math.random draws from one mulberry32 stream derived from the run's
// seed and the byte sources from another, so a byte source a library starts using does not shift the
// Math.random draws that gossipsub's choices depend on.
// This makes keys and nonces predictable: it is for simulations only, never for a real network.
import nodeCrypto from 'node:crypto'
import { syncBuiltinESMExports } from 'node:module'
import { createRng, type Rng } from '../rng.js'

interface Streams {
  math: Rng
  bytes: Rng
}

let streams: Streams | undefined

/** Derives the streams of a run from its seed (call again to restart them). */
export function seedRandom(seed: number): void {
  const s = seed >>> 0
  streams = { math: createRng(s ^ 0x5eed0001), bytes: createRng(s ^ 0x5eed0002) }
}

function fill(view: Uint8Array): void {
  const rng = (streams as Streams).bytes
  for (let i = 0; i < view.length; i += 4) {
    let w = Math.floor(rng.next() * 4294967296)
    for (let j = i; j < Math.min(i + 4, view.length); j++) {
      view[j] = w & 0xff
      w >>>= 8
    }
  }
}

function bytesOf(buf: ArrayBufferView, offset = 0, size?: number): Uint8Array {
  const len = size ?? buf.byteLength - offset
  return new Uint8Array(buf.buffer, buf.byteOffset + offset, len)
}

function getRandomValues<T extends ArrayBufferView | null>(arr: T): T {
  if (arr === null || !ArrayBuffer.isView(arr))
    throw new TypeError('getRandomValues: an integer typed array is required')
  fill(bytesOf(arr))
  return arr
}

function randomBytes(size: number, cb?: (err: Error | null, buf: Buffer) => void): Buffer | undefined {
  const buf = Buffer.alloc(size)
  fill(buf)
  if (cb) {
    queueMicrotask(() => cb(null, buf))
    return undefined
  }
  return buf
}

function randomFillSync<T extends ArrayBufferView>(buf: T, offset = 0, size?: number): T {
  fill(bytesOf(buf, offset, size))
  return buf
}

function randomFill(buf: ArrayBufferView, ...rest: unknown[]): void {
  const cb = rest.pop() as (err: Error | null, buf: ArrayBufferView) => void
  randomFillSync(buf, ...(rest as [number?, number?]))
  queueMicrotask(() => cb(null, buf))
}

function randomInt(a: number, b?: number | ((err: Error | null, n: number) => void), c?: unknown): unknown {
  const [min, max] = typeof b === 'number' ? [a, b] : [0, a]
  const n = min + Math.floor((streams as Streams).bytes.next() * (max - min))
  const cb =
    typeof b === 'function' ? b : typeof c === 'function' ? (c as (err: Error | null, n: number) => void) : undefined
  if (!cb) return n
  queueMicrotask(() => cb(null, n))
  return undefined
}

function randomUUID(): string {
  const b = randomBytes(16) as Buffer
  b[6] = ((b[6] as number) & 0x0f) | 0x40
  b[8] = ((b[8] as number) & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

// PKCS#8 DER prefixes of a raw 32-byte X25519 / Ed25519 private key
const PKCS8_PREFIX: Record<string, Buffer> = {
  x25519: Buffer.from('302e020100300506032b656e04220420', 'hex'),
  ed25519: Buffer.from('302e020100300506032b657004220420', 'hex'),
}
const realGenerateKeyPairSync = nodeCrypto.generateKeyPairSync

type KeyEncoding = Parameters<nodeCrypto.KeyObject['export']>[0]

/** generateKeyPairSync for x25519 (noise's ephemeral keys) and ed25519 from the seeded stream; others unchanged. */
function generateKeyPairSync(
  type: string,
  options?: { publicKeyEncoding?: KeyEncoding; privateKeyEncoding?: KeyEncoding },
): unknown {
  const prefix = PKCS8_PREFIX[type]
  if (!prefix) return (realGenerateKeyPairSync as (t: string, o?: unknown) => unknown)(type, options)
  const raw = randomBytes(32) as Buffer
  const privateKey = nodeCrypto.createPrivateKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'pkcs8' })
  const publicKey = nodeCrypto.createPublicKey(privateKey)
  return {
    publicKey: options?.publicKeyEncoding ? publicKey.export(options.publicKeyEncoding) : publicKey,
    privateKey: options?.privateKeyEncoding ? privateKey.export(options.privateKeyEncoding) : privateKey,
  }
}

/** Replaces the process's random sources with seeded streams (seed 0 until seedRandom is called). */
export function installSeededRandom(seed = 0): void {
  seedRandom(seed)
  Math.random = () => (streams as Streams).math.next()
  Object.defineProperty(globalThis.crypto, 'getRandomValues', {
    value: getRandomValues,
    configurable: true,
    writable: true,
  })
  const c = nodeCrypto as unknown as Record<string, unknown>
  // node:crypto's own getRandomValues and webcrypto are fixed getters over globalThis.crypto, patched above
  const replacements = { randomBytes, randomFillSync, randomFill, randomInt, randomUUID, generateKeyPairSync }
  for (const [name, value] of Object.entries(replacements)) {
    Object.defineProperty(c, name, { value, configurable: true, writable: true, enumerable: true })
  }
  // `import { randomBytes } from 'node:crypto'` sees the replacements too
  syncBuiltinESMExports()
}
