// Which host is at the other end of a raw connection. Both ends of every connection are in this process,
// so the model keeps a registry: a host's peer id and listen addresses (registered by its transport), and
// for TCP the local port of each outbound socket (registered by the dialer), which is what the listener
// sees as the remote address. An inbound TCP connection may be accepted before the dialer has registered
// its port: the listener waits for it, briefly.
import type { Transport } from '@libp2p/interface'
import type { Clock } from '../../clock/clock.js'
import { UnknownHostError } from './errors.js'

// the multiaddr type as libp2p's transports take it (@multiformats/multiaddr is not a direct dependency)
type Multiaddr = Parameters<Transport['dial']>[0]

const P2P = 'p2p'
/** how long an inbound connection waits for its dialer to say who it is */
const WAIT_MS = 5000

export class Endpoints {
  private readonly byPeer = new Map<string, number>()
  private readonly byAddr = new Map<string, number>()
  private readonly byPort = new Map<number, number>()
  private readonly portWaiters = new Map<number, ((host: number) => void)[]>()

  constructor(private readonly clock: Clock) {}

  addPeer(peerId: string, host: number): void {
    this.byPeer.set(peerId, host)
  }
  /** the host a peer id belongs to (its transport registered it), if any */
  hostOfPeer(peerId: string): number | undefined {
    return this.byPeer.get(peerId)
  }

  addListenAddr(addr: Multiaddr, host: number): void {
    this.byAddr.set(withoutPeer(addr), host)
  }

  addOutboundPort(port: number, host: number): void {
    this.byPort.set(port, host)
    const waiters = this.portWaiters.get(port)
    this.portWaiters.delete(port)
    for (const w of waiters ?? []) w(host)
  }

  removeOutboundPort(port: number): void {
    this.byPort.delete(port)
  }

  /** the host listening at a dialled address (by its /p2p peer id, else by the address) */
  dialled(addr: Multiaddr): number {
    const peer = peerOf(addr)
    const host = (peer !== undefined ? this.byPeer.get(peer) : undefined) ?? this.byAddr.get(withoutPeer(addr))
    if (host === undefined) throw new UnknownHostError(`the network model has no host listening at ${addr.toString()}`)
    return host
  }

  /** the host that dialled an inbound connection with this remote address */
  async dialer(remote: Multiaddr, signal?: AbortSignal): Promise<number> {
    const peer = peerOf(remote)
    const known = peer !== undefined ? this.byPeer.get(peer) : undefined
    if (known !== undefined) return known
    const port = tcpPort(remote)
    if (port === undefined)
      throw new UnknownHostError(`the network model cannot tell which host dialled from ${remote.toString()}`)
    const host = this.byPort.get(port)
    if (host !== undefined) return host
    return new Promise<number>((resolve, reject) => {
      const timeout = this.clock.timeoutSignal(WAIT_MS)
      const fail = (): void =>
        reject(new UnknownHostError(`no host of the network model dialled from ${remote.toString()}`))
      timeout.addEventListener('abort', fail, { once: true })
      signal?.addEventListener('abort', fail, { once: true })
      const list = this.portWaiters.get(port) ?? []
      list.push(resolve)
      this.portWaiters.set(port, list)
    })
  }
}

function peerOf(addr: Multiaddr): string | undefined {
  return addr.getComponents().find((c) => c.name === P2P)?.value
}

function withoutPeer(addr: Multiaddr): string {
  return addr
    .getComponents()
    .filter((c) => c.name !== P2P)
    .map((c) => (c.value === undefined ? `/${c.name}` : `/${c.name}/${c.value}`))
    .join('')
}

function tcpPort(addr: Multiaddr): number | undefined {
  const v = addr.getComponents().find((c) => c.name === 'tcp')?.value
  return v === undefined ? undefined : Number(v)
}
