// gossipsub-interop's identity and message-id rules (test-specs/implementation.md):
// - a node's Ed25519 key is seeded by its node id, little-endian, in an otherwise zero 32-byte seed
//   (the spec writes an i32 into bytes 0..3, go-libp2p a u64 into 0..7: the same seed for ids < 2^31);
// - a message's id is its first 8 bytes read as a big-endian u64, logged in base 10;
// - a published message is messageSizeBytes long, its id in those first 8 bytes.
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { Message } from '@libp2p/gossipsub'
import type { PrivateKey } from '@libp2p/interface'

/** The 32-byte Ed25519 seed of interop node `id`. */
export function interopKeySeed(id: number): Uint8Array {
  const seed = new Uint8Array(32)
  new DataView(seed.buffer).setBigUint64(0, BigInt(id), true)
  return seed
}

export function interopKey(id: number): Promise<PrivateKey> {
  return generateKeyPairFromSeed('Ed25519', interopKeySeed(id))
}

/** The id of a message's data in base 10 ('' for data shorter than 8 bytes, which carries none). */
export function messageIdOf(data: Uint8Array | undefined): string {
  if (data === undefined || data.length < 8) return ''
  return new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, false).toString()
}

/**
 * The id gossipsub dedups by: the interop id, or for data too short to carry one (a foreign node's
 * message; go-libp2p's interop node would fail on it) the data itself in hex, so they do not collide.
 */
export function messageKey(data: Uint8Array | undefined): string {
  const id = messageIdOf(data)
  return id !== '' ? id : `short:${Buffer.from(data ?? []).toString('hex')}`
}

/** A message of `size` bytes (at least 8) whose first 8 bytes are `id`, big-endian. */
export function messageData(id: number, size: number): Uint8Array {
  const data = new Uint8Array(size)
  new DataView(data.buffer).setBigUint64(0, BigInt(id), false)
  return data
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** go-libp2p's interop node takes RPCs up to 10 MiB (WithMaxMessageSize(10 << 20)); gossipsub 17.1.1's default is 4 MiB */
export const INTEROP_MAX_RPC_BYTES = 10 * 1024 * 1024

/**
 * gossipsub options that make the message id the interop one: `msgIdFn` gives its base-10 text as bytes
 * and `msgIdToStrFn` turns those back into the text, so gossipsub's msgIdStr is the id the logs print.
 */
export const interopMsgIdOptions = {
  msgIdFn: (msg: Message): Uint8Array => encoder.encode(messageKey(msg.data)),
  msgIdToStrFn: (id: Uint8Array): string => decoder.decode(id),
}

/**
 * Everything an interop node sets besides GossipSubParams, as go-libp2p's does: interop message ids,
 * 10 MiB RPCs, and publishing to a topic without peers is not an error (the message reaches nobody).
 * Messages are unsigned without author: the host factory's default (StrictNoSign).
 */
export const interopGossipsubOptions = {
  ...interopMsgIdOptions,
  maxInboundDataLength: INTEROP_MAX_RPC_BYTES,
  allowPublishToZeroTopicPeers: true,
}
