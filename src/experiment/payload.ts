// The messages an experiment publishes. Bytes 0..7 are the message id (gossipsub-interop's rule: a
// message's id is its first 8 bytes): a u32 number (the run's publish counter; spam numbers have the top
// bit set) and the publishing node's u32 index, big-endian. Byte 8 says whether the message is valid (1)
// or spam that honest validators reject (0). The rest is zero padding up to the message size.

export const SPAM_BIT = 0x8000_0000

export function encodeMessage(number: number, node: number, valid: boolean, size: number): Uint8Array {
  const data = new Uint8Array(Math.max(9, size))
  const view = new DataView(data.buffer)
  view.setUint32(0, number >>> 0)
  view.setUint32(4, node >>> 0)
  data[8] = valid ? 1 : 0
  return data
}

export function isValidPayload(data: Uint8Array): boolean {
  return data.length >= 9 && data[8] === 1
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** The id as 16 hex digits. */
export function msgIdHex(id: Uint8Array): string {
  let s = ''
  for (let i = 0; i < 8 && i < id.length; i++) s += HEX[id[i]!]
  return s
}

/** The number and node a message id holds. */
export function decodeId(msgId: string): { number: number; node: number } {
  return { number: Number.parseInt(msgId.slice(0, 8), 16), node: Number.parseInt(msgId.slice(8, 16), 16) }
}
