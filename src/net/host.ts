// The libp2p host factory: one function builds every host of a run (scenario, simulator, tests),
// so transports, encrypters and muxers are identical across hosts and only the pubsub factory varies.
import { noise } from '@chainsafe/libp2p-noise'
import type { GossipSub, GossipSubComponents } from '@libp2p/gossipsub'
import { type Identify, identify } from '@libp2p/identify'
import type { ComponentLogger, Libp2p, Logger, PrivateKey } from '@libp2p/interface'
import { memory } from '@libp2p/memory'
import { mplex } from '@libp2p/mplex'
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record'
import { plaintext } from '@libp2p/plaintext'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { activeClock } from '../clock/virtual-install.js'
import { type PubsubInit, vanillaPubsub } from '../pubsub/vanilla.js'
import {
  DEFAULT_ENCRYPTER,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_IP_COLOCATION_WEIGHT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MUXER,
  DEFAULT_SIGNING,
  DEFAULT_TRANSPORT,
  type EncrypterKind,
  type MuxerKind,
  type SigningKind,
  TCP_LISTEN_HOST,
  type TransportKind,
} from './constants.js'
import type { HostNetwork } from './model/transport.js'

/** Builds the pubsub service from gossipsub options: `vanillaPubsub`, `machinePubsub`, or a wrapper. */
/** The factory is also told the host's network model handle, when it has one (machinePubsub's `network`). */
export type PubsubFactory = (init: PubsubInit, network?: HostNetwork) => (components: GossipSubComponents) => GossipSub

export interface HostServices extends Record<string, unknown> {
  identify: Identify
  pubsub: GossipSub
}

export type Host = Libp2p<HostServices>

export interface HostOptions {
  /** default 'memory' (listens on /memory/<unique>); 'tcp' listens on 127.0.0.1, a free port */
  transport?: TransportKind
  /** default 'plaintext' */
  encrypter?: EncrypterKind
  /** default 'mplex'; keep it identical on every host of a run */
  muxer?: MuxerKind
  /** default 'unsigned' (StrictNoSign); 'signed' is StrictSign */
  signing?: SigningKind
  /** gossipsub heartbeat interval, default 1000 */
  heartbeatMs?: number
  /** default `vanillaPubsub` */
  pubsub?: PubsubFactory
  /** more gossipsub options, applied over the ones above */
  gossipsub?: PubsubInit
  /** identity; a fresh Ed25519 key when absent */
  privateKey?: PrivateKey
  /** listen addresses instead of the transport's default */
  listen?: string[]
  /** libp2p connection manager's limit: inbound refused and outbound pruned beyond it, default 50 */
  maxConnections?: number
  /** libp2p's periodic ping of every connection; off by default (no ping service on psm hosts) */
  connectionMonitor?: boolean
  /** the network model's handle for this host (`model.host(i)`): its transport is shaped; absent: no model */
  network?: HostNetwork
  /** more libp2p services beside identify and pubsub (e.g. `{ ping: ping(), dht: kadDHT(...) }`) */
  services?: Record<string, (components: never) => unknown>
  /** false: no gossipsub service (a DHT-only host); the `pubsub` service is then absent */
  withPubsub?: boolean
}

let memoryAddrSeq = 0

/** A memory address no other host of this process uses (on a virtual clock, one run owns the process: a counter). */
export function uniqueMemoryAddr(): string {
  memoryAddrSeq++
  if (activeClock()) return `/memory/psm-${memoryAddrSeq}`
  return `/memory/psm-${process.pid}-${memoryAddrSeq}-${Math.random().toString(36).slice(2, 8)}`
}

/**
 * The gossipsub options a host with these options gives its pubsub factory: psm's local defaults
 * (unsigned messages, 1 s heartbeat, no IP-colocation penalty, since every local host shares 127.0.0.1)
 * under `opts.gossipsub`. The factories themselves add nothing: they behave as `gossipsub(init)`.
 */
export function hostPubsubInit(opts: HostOptions = {}): PubsubInit {
  const signing = opts.signing ?? DEFAULT_SIGNING
  const init = opts.gossipsub ?? {}
  return {
    globalSignaturePolicy: signing === 'signed' ? 'StrictSign' : 'StrictNoSign',
    heartbeatInterval: opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    ...init,
    scoreParams: { IPColocationFactorWeight: DEFAULT_IP_COLOCATION_WEIGHT, ...init.scoreParams },
  }
}

/** Creates and starts a host. */
export async function createHost(opts: HostOptions = {}): Promise<Host> {
  const transport = opts.transport ?? DEFAULT_TRANSPORT
  const encrypter = opts.encrypter ?? DEFAULT_ENCRYPTER
  const muxer = opts.muxer ?? DEFAULT_MUXER
  const factory = opts.pubsub ?? vanillaPubsub
  const base = transport === 'tcp' ? tcp() : memory()
  const listen = opts.listen ?? [transport === 'tcp' ? `/ip4/${TCP_LISTEN_HOST}/tcp/0` : uniqueMemoryAddr()]
  const host = await createLibp2p<HostServices>({
    // libp2p's default makes a `debug` logger (with its error, trace and scope closures) per component and
    // per stream, enabled or not: ~7% of the live heap of a 1,000-host run. Silent unless DEBUG asks.
    ...(process.env.DEBUG ? {} : { logger: SILENT_LOGGER }),
    ...(opts.privateKey ? { privateKey: opts.privateKey } : {}),
    addresses: { listen },
    transports: [opts.network ? opts.network.wrapTransport(base) : base],
    connectionEncrypters: [encrypter === 'noise' ? noise() : plaintext()],
    streamMuxers: [muxer === 'yamux' ? yamux() : mplex()],
    // every host of a run dials from the same address: libp2p's per-address inbound rate limit would refuse them
    connectionManager: {
      inboundConnectionThreshold: Number.MAX_SAFE_INTEGER,
      maxIncomingPendingConnections: 1000,
      maxConnections: opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    },
    connectionMonitor: { enabled: opts.connectionMonitor ?? false },
    services: {
      ...(opts.services as Record<string, never>),
      identify: identify(),
      ...(opts.withPubsub === false ? {} : { pubsub: factory(hostPubsubInit(opts), opts.network) }),
    } as never,
  })
  await storeSelfRecord(host, opts.privateKey)
  return host
}

/**
 * Seals the host's signed peer record once and keeps it in its peer store. libp2p 3 never stores its own
 * record, so identify (4.1.14) seals a fresh one for every identify response it sends: an Ed25519 signature
 * and a key import per connection end, ~4% of the CPU of a 100-host start-up. A psm host's listen
 * addresses are fixed once it has started, so one record serves every response.
 */
async function storeSelfRecord(host: Host, privateKey: PrivateKey | undefined): Promise<void> {
  const multiaddrs = host.getMultiaddrs().map((ma) => ma.decapsulateCode(CODE_P2P))
  if (multiaddrs.length === 0) return
  const key = privateKey ?? (host as unknown as { components?: { privateKey?: PrivateKey } }).components?.privateKey
  if (!key) return
  const envelope = await RecordEnvelope.seal(new PeerRecord({ peerId: host.peerId, multiaddrs }), key)
  await host.peerStore.patch(host.peerId, { peerRecordEnvelope: envelope.marshal() })
}

/** the multiaddr protocol code of `/p2p/<id>` */
const CODE_P2P = 421

const silent: Logger = Object.assign(() => {}, {
  error: () => {},
  trace: () => {},
  enabled: false,
  newScope: (): Logger => silent,
})

/** One shared logger that says nothing, for every component of every host (libp2p's `logger` option). */
export const SILENT_LOGGER: ComponentLogger = { forComponent: () => silent }
