// The two measured operations, parsec's: provide (publish provider records for a CID) and retrieve
// (look up providers of a CID until the first one is found). Each returns one Operation row; nothing
// throws: a failure is a row with success false and its error. Hops and peers contacted come from
// kad-dht's query events: a peer learnt from the routing table is hop 1, one named in hop h's answer
// is hop h + 1; a retrieval's hops are those of the peer whose answer held the first provider (0 when
// the retriever held the record itself).
import { EventTypes, type KadDHT, type QueryEvent } from '@libp2p/kad-dht'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { errorMessage } from '../errors.js'
import type { Rng } from '../rng.js'

export type OperationKind = 'provide' | 'retrieve'

export interface Operation {
  kind: OperationKind
  /** the run's round (0-based) */
  round: number
  /** the node's index in the run */
  node: number
  cid: string
  /** simulated ms on a virtual clock, wall ms on the real one */
  durationMs: number
  success: boolean
  error: string | null
  /** sequential query hops: a provide's deepest, a retrieval's to the first provider */
  hops: number
  /** peers a query was sent to */
  peersContacted: number
  /** query errors met on the way (dial failures, timeouts of single peers) */
  queryErrors: number
  /** retrievals: whether the first provider found is the node that provided */
  firstProviderIsPublisher: boolean | null
  /** retrievals: providers found in all */
  providersFound: number
}

/** A CID for `bytes` (CIDv1, raw codec, sha2-256), as IPFS names a blob. */
export async function cidOf(bytes: Uint8Array): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(bytes))
}

/** A random 1 KiB blob from the run's RNG, so that a seed repeats the CIDs. */
export function randomBlob(rng: Rng, size = 1024): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = rng.int(256)
  return out
}

/** A CID derived from a text (a topic name): the same text always gives the same CID. */
export async function cidOfText(text: string): Promise<CID> {
  return cidOf(new TextEncoder().encode(text))
}

class HopTracker {
  private readonly depth = new Map<string, number>()
  peersContacted = 0
  queryErrors = 0
  maxHops = 0

  onEvent(e: QueryEvent): void {
    if (e.type === EventTypes.SEND_QUERY) {
      this.peersContacted++
      const id = e.to.toString()
      if (!this.depth.has(id)) this.depth.set(id, 1)
      this.maxHops = Math.max(this.maxHops, this.depth.get(id)!)
    } else if (e.type === EventTypes.PEER_RESPONSE) {
      const d = this.hopsOf(e.from.toString())
      for (const p of e.closer) {
        const id = p.id.toString()
        const prev = this.depth.get(id)
        if (prev === undefined || prev > d + 1) this.depth.set(id, d + 1)
      }
    } else if (e.type === EventTypes.QUERY_ERROR) {
      this.queryErrors++
    }
  }

  hopsOf(id: string): number {
    return this.depth.get(id) ?? 1
  }
}

export interface OpContext {
  round: number
  node: number
  selfId: string
  timeoutMs: number
  now: () => number
}

/** An operation's row before it ran: not yet a success, nothing contacted. */
export function base(kind: OperationKind, ctx: OpContext, cid: CID): Operation {
  return {
    kind,
    round: ctx.round,
    node: ctx.node,
    cid: cid.toString(),
    durationMs: 0,
    success: false,
    error: null,
    hops: 0,
    peersContacted: 0,
    queryErrors: 0,
    firstProviderIsPublisher: null,
    providersFound: 0,
  }
}

function reason(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timeout'
  return errorMessage(err).split('\n')[0] ?? 'error'
}

/** Publishes provider records for `cid`: success when at least one peer accepted one. */
export async function provide(dht: KadDHT, cid: CID, ctx: OpContext): Promise<Operation> {
  const op = base('provide', ctx, cid)
  const hops = new HopTracker()
  const signal = AbortSignal.timeout(ctx.timeoutMs)
  const t0 = ctx.now()
  let stored = 0
  try {
    for await (const e of dht.provide(cid, { signal })) {
      hops.onEvent(e)
      // the ADD_PROVIDER message is fire-and-forget: a PEER_RESPONSE to it counts as stored
      if (e.type === EventTypes.PEER_RESPONSE && e.messageName === 'ADD_PROVIDER') stored++
    }
    op.success = stored > 0
    if (!op.success) op.error = 'no peer took the provider record'
  } catch (err) {
    op.error = reason(err, signal)
  }
  op.durationMs = ctx.now() - t0
  op.hops = hops.maxHops
  op.peersContacted = hops.peersContacted
  op.queryErrors = hops.queryErrors
  return op
}

/** Looks up providers of `cid` until the first is found (parsec's retrieval). */
export async function retrieve(dht: KadDHT, cid: CID, publisherId: string, ctx: OpContext): Promise<Operation> {
  const op = base('retrieve', ctx, cid)
  const hops = new HopTracker()
  const ctl = new AbortController()
  const timeout = AbortSignal.timeout(ctx.timeoutMs)
  const signal = AbortSignal.any([ctl.signal, timeout])
  const t0 = ctx.now()
  try {
    for await (const e of dht.findProviders(cid, { signal })) {
      hops.onEvent(e)
      if (e.type === EventTypes.PROVIDER && e.providers.length > 0) {
        op.durationMs = ctx.now() - t0
        op.success = true
        op.providersFound = e.providers.length
        op.firstProviderIsPublisher = e.providers[0]!.id.toString() === publisherId
        op.hops = e.from.toString() === ctx.selfId ? 0 : hops.hopsOf(e.from.toString())
        break
      }
    }
    if (!op.success) op.error = 'no provider found'
  } catch (err) {
    op.error = reason(err, timeout)
  } finally {
    ctl.abort()
  }
  if (!op.success) {
    op.durationMs = ctx.now() - t0
    op.hops = hops.maxHops
  }
  op.peersContacted = hops.peersContacted
  op.queryErrors = hops.queryErrors
  return op
}
