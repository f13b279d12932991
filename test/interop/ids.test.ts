// Interop's identity and message-id rules against upstream's own check: jvm-libp2p's NodeKeyTest
// (libp2p/test-plans gossipsub-interop) hashes ">id:peerid\n" for node ids 0..9999 and expects the SHA-256
// its go and rust nodes give; psm must give the same, or its nodes would not be found by the others.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { interopKey, interopKeySeed, messageData, messageIdOf, messageKey } from '../../src/interop/ids.js'

describe('interop node keys', () => {
  it('node id n seeds the key little-endian in the first bytes', () => {
    expect([...interopKeySeed(258).slice(0, 4)]).toEqual([2, 1, 0, 0])
    expect(
      interopKeySeed(258)
        .slice(4)
        .every((b) => b === 0),
    ).toBe(true)
  })

  it('gives the peer ids of go, rust and jvm for nodes 0..9999 (NodeKeyTest hash)', async () => {
    const h = createHash('sha256')
    for (let id = 0; id < 10_000; id++) {
      const key = await interopKey(id)
      h.update(`>${id}:${key.publicKey.toString()}\n`)
    }
    expect(h.digest('hex')).toBe('11395ea896d00ca25f7f648ebb336488ee092096a5498d90d76b92eaec27867a')
  })
})

describe('interop message ids', () => {
  it('are the first 8 bytes, big-endian, in base 10', () => {
    const data = new Uint8Array(64)
    data.set([1, 2, 3, 4, 5, 6, 7, 8])
    expect(messageIdOf(data)).toBe(BigInt('0x0102030405060708').toString())
    expect(messageData(2 ** 40 + 5, 64).length).toBe(64)
    expect(messageIdOf(messageData(2 ** 40 + 5, 64))).toBe(String(2 ** 40 + 5))
    expect(messageIdOf(messageData(31, 8))).toBe('31')
    // bytes after the first 8 do not change the id
    const other = messageData(31, 100)
    other[50] = 7
    expect(messageKey(other)).toBe('31')
  })

  it('gives data shorter than 8 bytes its own key, not a shared empty one', () => {
    expect(messageIdOf(new Uint8Array([1, 2]))).toBe('')
    expect(messageKey(new Uint8Array([1, 2]))).not.toBe(messageKey(new Uint8Array([1, 3])))
  })
})
