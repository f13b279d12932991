// The DHT discovery backend: a topic is advertised as a provider record of a CID derived from the topic
// (kad-dht `provide`) and found with `findProviders` — the second backend behind src/discovery/types.ts,
// beside the in-process registry. A lookup that fails or times out rejects; the discovery machine turns
// that into an Exception and a TopicDiscovered with nothing found (its args carry the error), and the
// bootstrap flow retries.
//
// TTL: kad-dht keeps provider records for its own validity (48 h by default) and re-provides them
// itself; `ttlMs` only paces the discovery machine's refreshes, which provide again.
import type { PeerId } from '@libp2p/interface'
import { EventTypes, type KadDHT } from '@libp2p/kad-dht'
import { cidOfText } from '../dht/ops.js'
import type { Discovery, FoundPeer } from './types.js'

/** What the last lookup of a topic did: the discovery machine logs it with TopicDiscovered. */
export type DhtLookup = {
  via: 'dht'
  lookupMs: number
  peersContacted: number
  providers: number
  error?: string
}

export interface DhtDiscoveryOptions {
  /** a provide or lookup still running after this fails (default 10 s) */
  timeoutMs?: number
}

/** Whether sim peer `n` runs its DHT as a server (answers queries, stores records; a bootstrap peer). */
export function isDhtServer(n: number, every: number): boolean {
  return n % every === 0
}

/** The CID a topic is advertised under. */
export function topicCid(namespace: string) {
  return cidOfText(`psm/topic/${namespace}`)
}

export class DhtDiscovery implements Discovery {
  private readonly timeoutMs: number
  private readonly lookups = new Map<string, DhtLookup>()

  constructor(
    private readonly dht: KadDHT,
    private readonly self: PeerId,
    opts: DhtDiscoveryOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000
  }

  async advertise(namespace: string, _ttlMs: number): Promise<void> {
    const cid = await topicCid(namespace)
    for await (const _ of this.dht.provide(cid, { signal: AbortSignal.timeout(this.timeoutMs) })) {
      // drained: the records go out as the query runs
    }
  }

  async findPeers(namespace: string, limit: number): Promise<FoundPeer[]> {
    const cid = await topicCid(namespace)
    const self = this.self.toString()
    const found = new Map<string, FoundPeer>()
    const t0 = performance.now()
    let peersContacted = 0
    const ctl = new AbortController()
    const signal = AbortSignal.any([ctl.signal, AbortSignal.timeout(this.timeoutMs)])
    try {
      for await (const e of this.dht.findProviders(cid, { signal })) {
        if (e.type === EventTypes.SEND_QUERY) peersContacted++
        if (e.type !== EventTypes.PROVIDER) continue
        for (const p of e.providers) {
          const id = p.id.toString()
          if (id !== self && !found.has(id)) found.set(id, { id: p.id, multiaddrs: p.multiaddrs })
        }
        if (limit > 0 && found.size >= limit) break
      }
    } catch (err) {
      this.lookups.set(namespace, {
        via: 'dht',
        lookupMs: Math.round(performance.now() - t0),
        peersContacted,
        providers: found.size,
        error: signal.aborted && !ctl.signal.aborted ? 'timeout' : String((err as Error)?.message ?? err),
      })
      // what was found before the failure is still worth dialling
      if (found.size === 0) throw err
    } finally {
      ctl.abort()
    }
    if (!this.lookups.get(namespace)?.error) {
      this.lookups.set(namespace, {
        via: 'dht',
        lookupMs: Math.round(performance.now() - t0),
        peersContacted,
        providers: found.size,
      })
    }
    const out = [...found.values()]
    return limit > 0 ? out.slice(0, limit) : out
  }

  /** The last lookup of `namespace` (consumed: each TopicDiscovered logs its own). */
  lookupInfo(namespace: string): DhtLookup | undefined {
    const l = this.lookups.get(namespace)
    this.lookups.delete(namespace)
    return l
  }
}
