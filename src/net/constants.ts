// Defaults of the host factory: cheap local runs unless the caller asks for realism.

export type TransportKind = 'memory' | 'tcp'
export type EncrypterKind = 'plaintext' | 'noise'
export type MuxerKind = 'mplex' | 'yamux'
export type SigningKind = 'unsigned' | 'signed'

export const TRANSPORTS: readonly TransportKind[] = ['memory', 'tcp']
export const ENCRYPTERS: readonly EncrypterKind[] = ['plaintext', 'noise']
export const MUXERS: readonly MuxerKind[] = ['mplex', 'yamux']
export const SIGNINGS: readonly SigningKind[] = ['unsigned', 'signed']

export const DEFAULT_TRANSPORT: TransportKind = 'memory'
export const DEFAULT_ENCRYPTER: EncrypterKind = 'plaintext'
export const DEFAULT_MUXER: MuxerKind = 'mplex'
export const DEFAULT_SIGNING: SigningKind = 'unsigned'
/** gossipsub heartbeat interval */
export const DEFAULT_HEARTBEAT_MS = 1000
/** every host of a local run shares 127.0.0.1: the colocation penalty would break the mesh */
export const DEFAULT_IP_COLOCATION_WEIGHT = 0
/** TCP hosts bind loopback only */
export const TCP_LISTEN_HOST = '127.0.0.1'
/** libp2p's connection manager limit per host: real nodes keep 20–50 connections (libp2p's own default is 300) */
export const DEFAULT_MAX_CONNECTIONS = 50
/** how long stopping a host may take before the run moves on (libp2p keeps ~1 s of timers after stop) */
export const DEFAULT_STOP_TIMEOUT_MS = 5_000
