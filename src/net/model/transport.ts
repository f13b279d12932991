// Wraps a libp2p transport factory (memory(), tcp()) so every raw connection it makes or accepts is
// shaped by the model: dial() and the listener hand the upgrader a shaped connection instead of the raw
// one. Nothing of the transport is forked: the wrapper is a Proxy that overrides dial and createListener
// and passes everything else (filters, capabilities, lifecycle) through.
import type {
  CreateListenerOptions,
  DialTransportOptions,
  Listener,
  MultiaddrConnection,
  PeerId,
  Transport,
  Upgrader,
} from '@libp2p/interface'
import { NetworkDialError } from './errors.js'
import type { NetworkModel } from './model.js'
import { override } from './override.js'
import { shapedConnection } from './shaped-conn.js'

type Multiaddr = Parameters<Transport['dial']>[0]
type Data = Parameters<MultiaddrConnection['send']>[0]

/** What a host needs from the model: HostOptions.network. */
export interface HostNetwork {
  readonly model: NetworkModel
  /** this host's index in the model (its row of a matrix, its region draw, its bandwidth class) */
  readonly host: number
  wrapTransport<C extends { peerId: PeerId }>(factory: (components: C) => Transport): (components: C) => Transport
}

export function hostNetwork(model: NetworkModel, host: number): HostNetwork {
  return {
    model,
    host,
    wrapTransport: (factory) => (components) => {
      model.endpoints.addPeer(components.peerId.toString(), host)
      return shapedTransport(factory(components), model, host)
    },
  }
}

function shapedTransport(inner: Transport, model: NetworkModel, host: number): Transport {
  const shape = (maConn: MultiaddrConnection, remote: number): MultiaddrConnection =>
    shapedConnection(maConn, (deliver) => model.pipe<Data>(host, remote, deliver))

  const dial = async (
    ma: Multiaddr,
    options: DialTransportOptions,
  ): Promise<Awaited<ReturnType<Transport['dial']>>> => {
    if (model.dialFails(host)) {
      throw new NetworkDialError(
        `network model: dial from host ${host} to ${ma.toString()} failed (dialFailure ${model.spec.dialFailure})`,
      )
    }
    const remote = model.endpoints.dialled(ma)
    const upgrader = override(options.upgrader, {
      upgradeOutbound: (maConn: MultiaddrConnection, opts: Parameters<Upgrader['upgradeOutbound']>[1]) => {
        const port = localTcpPort(maConn)
        if (port !== undefined) {
          model.endpoints.addOutboundPort(port, host)
          maConn.addEventListener('close', () => model.endpoints.removeOutboundPort(port), { once: true })
        }
        return options.upgrader.upgradeOutbound(shape(maConn, remote), opts)
      },
    })
    return inner.dial(ma, { ...options, upgrader })
  }

  const createListener = (options: CreateListenerOptions): Listener => {
    const upgrader = override(options.upgrader, {
      upgradeInbound: async (maConn: MultiaddrConnection, opts: Parameters<Upgrader['upgradeInbound']>[1]) => {
        let remote: number
        try {
          remote = await model.endpoints.dialer(maConn.remoteAddr, opts.signal)
        } catch (err) {
          maConn.abort(err as Error)
          throw err
        }
        return options.upgrader.upgradeInbound(shape(maConn, remote), opts)
      },
    })
    const listener = inner.createListener({ ...options, upgrader })
    listener.addEventListener('listening', () => {
      for (const addr of listener.getAddrs()) model.endpoints.addListenAddr(addr, host)
    })
    return listener
  }

  return override(inner, { dial, createListener })
}

/**
 * The local port of an outbound TCP connection: the port the listener sees as the remote address. Read
 * from @libp2p/tcp's `socket` member (not part of the MultiaddrConnection interface; absent on memory).
 */
function localTcpPort(maConn: MultiaddrConnection): number | undefined {
  const socket = (maConn as unknown as { socket?: { localPort?: unknown } }).socket
  return typeof socket?.localPort === 'number' ? socket.localPort : undefined
}
