// `psm interop node`: one gossipsub-interop node in its own process, as test-specs/implementation.md
// asks of an implementation, so JS gossipsub can be one of the binaries of a real Shadow run:
// - its node id from `nodeN` (the hostname Shadow gives it) or a flag; its key by interop's rule;
// - TCP port 9000 (go-libp2p's interop node listens there on every interface; psm binds only the
//   address its own hostname `node<id>` resolves to, which is where peers dial it); a peer is dialled
//   at the address its hostname resolves to, port 9000, with the peer id its node id implies;
// - noise and yamux, which the go and rust interop nodes speak; unsigned messages without author
//   (go's StrictNoSign + NoAuthor);
// - stdout is the interop log (PeerID, then "Received Message" per receive, duplicates included),
//   stderr is for diagnostics; the real clock, counted from process start.
// For tests on one machine, the listen host, the peer host template and one port per node are flags.
import { lookup } from 'node:dns/promises'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { type GossipsubOpts, TopicValidatorResult } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { errorMessage, InputError } from '../errors.js'
import { createHost, type Host, type PubsubFactory } from '../net/host.js'
import { stopHosts } from '../net/stop-hosts.js'
import { machinePubsub } from '../pubsub/machine.js'
import { vanillaPubsub } from '../pubsub/vanilla.js'
import { sleep } from '../sleep.js'
import { mapGossipSubParams } from './gossipsub-params.js'
import { interopGossipsubOptions, interopKey, messageData, messageIdOf, messageKey } from './ids.js'
import { peerIdLine, receivedLine } from './node-log.js'
import { type ExperimentParams, parseParams } from './params.js'
import type { InteropImpl } from './run.js'
import { runScript } from './script.js'

/** go-libp2p's interop node listens and is dialled on this TCP port */
export const INTEROP_PORT = 9000
export const DEFAULT_PEER_HOST = 'node{id}'
/** how long a connect keeps retrying while the peer is not listening yet */
export const DEFAULT_CONNECT_RETRY_MS = 10_000
const CONNECT_RETRY_EVERY_MS = 200
const STOP_TIMEOUT_MS = 5_000

export interface InteropNodeOptions {
  paramsFile: string
  nodeId: number
  impl?: InteropImpl
  /** IPv4 address to listen on (default: what this node's own peer host resolves to, where peers dial it) */
  listenHost?: string
  /** how to reach node <id>: a host name or address, `{id}` replaced by the node id (default node{id}) */
  peerHost?: string
  /** TCP port (default 9000) */
  port?: number
  /** node i listens on port + i and dials node j on port + j: several nodes on one address */
  portPerNode?: boolean
  connectRetryMs?: number
  /** stdout: interop log lines */
  write: (line: string) => void
  /** stderr: one diagnostic line */
  diag: (line: string) => void
  signal?: AbortSignal
}

export interface InteropNodeResult {
  peerId: string
  failures: string[]
  received: number
}

export function readParamsFile(path: string): ExperimentParams {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new InputError(`${path}: cannot read the params file: ${code === 'ENOENT' ? 'no such file' : (code ?? err)}`)
  }
  return parseParams(text, path)
}

export async function runInteropNode(opts: InteropNodeOptions): Promise<InteropNodeResult> {
  const t0 = performance.now()
  const params = readParamsFile(opts.paramsFile)
  const { nodeId, signal } = opts
  const port = opts.port ?? INTEROP_PORT
  const portOf = (id: number) => port + (opts.portPerNode ? id : 0)
  const hostOf = (id: number) => (opts.peerHost ?? DEFAULT_PEER_HOST).replaceAll('{id}', String(id))
  let listenHost = opts.listenHost
  if (listenHost === undefined) {
    try {
      listenHost = (await lookup(hostOf(nodeId), { family: 4 })).address
    } catch {
      throw new InputError(
        `cannot resolve ${hostOf(nodeId)}, the address peers dial this node at: give --listen-host (and --peer-host)`,
      )
    }
  }
  const key = await interopKey(nodeId)
  const peerId = key.publicKey.toString()
  opts.write(peerIdLine(Date.now(), peerId, nodeId))
  const failures: string[] = []
  let received = 0
  let host: Host | undefined
  const need = (): Host => {
    if (host === undefined) throw new Error('an instruction before initGossipSub')
    return host
  }
  const factory: PubsubFactory =
    opts.impl === 'vanilla' ? vanillaPubsub : (init) => machinePubsub({ ...init, id: `ps-${nodeId}`, parent: null })

  const onReceive = (rpcMsg: { data?: Uint8Array; topic: string }) => {
    received++
    const key = messageKey(rpcMsg.data)
    opts.write(receivedLine(Date.now(), messageIdOf(rpcMsg.data) || key, rpcMsg.topic))
    return key
  }

  try {
    await runScript(
      params.script,
      nodeId,
      {
        async initGossipSub(p) {
          if (host !== undefined) throw new Error('initGossipSub a second time')
          const mapped = mapGossipSubParams(p)
          for (const name of mapped.unmapped)
            opts.diag(
              `GossipSubParams.${name}: @libp2p/gossipsub 17.1.1 has no option for it; its built-in value applies`,
            )
          // peers dial this node from the start: it cannot wait to emulate HeartbeatInitialDelay
          if (mapped.startDelayMs > 0)
            opts.diag('GossipSubParams.HeartbeatInitialDelay: gossipsub 17.1.1 uses its fixed 100 ms')
          const gossipsub: Partial<GossipsubOpts> = {
            ...mapped.options,
            ...interopGossipsubOptions,
            fastMsgIdFn: onReceive,
          }
          host = await createHost({
            transport: 'tcp',
            encrypter: 'noise',
            muxer: 'yamux',
            pubsub: factory,
            gossipsub,
            privateKey: key,
            listen: [`/ip4/${listenHost}/tcp/${portOf(nodeId)}`],
            // go's interop node has no connection manager
            maxConnections: 10_000,
          })
        },
        async connect(target) {
          const name = hostOf(target)
          const targetId = (await interopKey(target)).publicKey.toString()
          const until = performance.now() + (opts.connectRetryMs ?? DEFAULT_CONNECT_RETRY_MS)
          for (;;) {
            try {
              const { address } = await lookup(name, { family: 4 })
              await need().dial(multiaddr(`/ip4/${address}/tcp/${portOf(target)}/p2p/${targetId}`))
              return
            } catch (err) {
              if (performance.now() >= until || signal?.aborted) {
                failures.push(`connect to node ${target} (${name}): ${errorMessage(err).split('\n')[0]}`)
                opts.diag(`FAILED ${failures[failures.length - 1]}`)
                return
              }
              await sleep(CONNECT_RETRY_EVERY_MS, signal)
            }
          }
        },
        subscribe(topic) {
          need().services.pubsub.subscribe(topic)
        },
        setValidationDelay(topic, delayMs) {
          need().services.pubsub.topicValidators.set(topic, async () => {
            await sleep(delayMs)
            return TopicValidatorResult.Accept
          })
        },
        async publish(id, size, topic) {
          try {
            await need().services.pubsub.publish(topic, messageData(id, size))
          } catch (err) {
            failures.push(`publish message ${id}: ${errorMessage(err).split('\n')[0]}`)
            opts.diag(`FAILED ${failures[failures.length - 1]}`)
          }
        },
        waitUntil: (ms) => sleep(Math.max(0, t0 + ms - performance.now()), signal),
      },
      signal,
    )
  } finally {
    if (host) await stopHosts([host], STOP_TIMEOUT_MS)
  }
  return { peerId, failures, received }
}
