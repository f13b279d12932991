// `psm interop run DIR`: every node of a gossipsub-interop folder in this one process, each a psm host
// (machine-driven or vanilla gossipsub) with interop's peer key and message ids, on psm's network model
// of graph.gml + shadow.yaml, running its part of params.json's script. On a virtual clock (the default
// the dispatcher installs) the run takes its CPU time, not Shadow's ten simulated minutes.
// What the nodes see is kept as Deliveries (src/experiment/deliveries.ts) and, with an output folder,
// written as Shadow would leave a run: hosts/node<i>/*.stdout in interop's log format, beside copies of
// the three input files, so upstream's analyze_message_deliveries.py reads it unchanged.
import { setMaxListeners } from 'node:events'
import { appendFileSync, copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { type GossipsubOpts, TopicValidatorResult } from '@libp2p/gossipsub'
import { activeClock, activeClockMode } from '../clock/virtual-install.js'
import type { ClockMode } from '../clock/virtual-mode.js'
import { seedRandom } from '../clock/virtual-random.js'
import { realPerformanceNow } from '../clock/virtual-real.js'
import { errorMessage, InputError } from '../errors.js'
import type { Deliveries, NodeInfo } from '../experiment/deliveries.js'
import { DEFAULT_STOP_TIMEOUT_MS } from '../net/constants.js'
import { createHost, type Host, type PubsubFactory } from '../net/host.js'
import { stopHosts } from '../net/stop-hosts.js'
import { machinePubsub } from '../pubsub/machine.js'
import { vanillaPubsub } from '../pubsub/vanilla.js'
import { sleep } from '../sleep.js'
import { INTEROP_FILES, loadInteropFolder } from './folder.js'
import { mapGossipSubParams } from './gossipsub-params.js'
import { interopGossipsubOptions, interopKey, messageData, messageIdOf, messageKey } from './ids.js'
import { nodeLogPath, peerIdLine, receivedLine } from './node-log.js'
import { runScript } from './script.js'
import { type DeliverySummary, summarizeDeliveries } from './summary.js'

export const INTEROP_IMPLS = ['machine', 'vanilla'] as const
export type InteropImpl = (typeof INTEROP_IMPLS)[number]

export interface InteropRunOptions {
  dir: string
  /** output folder: hosts/node<i>/*.stdout, the input files, results.json */
  out?: string
  impl?: InteropImpl
  seed?: number
  /** simulated seconds between progress lines (default 10) */
  progressEverySec?: number
  progress?: (line: string) => void
  /** a line for each thing of the folder psm cannot honour exactly (an unmapped parameter) */
  warn?: (line: string) => void
  /** stops the run early (Ctrl-C): scripts stop, what was seen is still written */
  signal?: AbortSignal
}

export interface InteropRunResult {
  deliveries: Deliveries
  summary: DeliverySummary
  /** instructions that failed (a dial, a publish), one line each */
  failures: string[]
  clock: ClockMode
  /** simulated (virtual clock) or wall (real clock) milliseconds from start to the end of the scripts */
  simMs: number
  wallMs: number
  interrupted: boolean
  /** the results.json written, when an output folder was given */
  resultsFile?: string
}

interface NodeState {
  host?: Host
  /** the node's host once initGossipSub made it; undefined when its script ended without one */
  ready: Promise<Host | undefined>
  resolve: (h: Host | undefined) => void
  /** message keys this node has (received or published): later copies are duplicates */
  seen: Set<string>
  /** log lines not yet appended to the node's stdout file (a first receipt waits there for its sender) */
  pending: (string | PendingReceive)[]
}

interface PendingReceive {
  epochMs: number
  id: string
  topic: string
  from?: string
}

const lineOf = (x: string | PendingReceive): string =>
  typeof x === 'string' ? x : receivedLine(x.epochMs, x.id, x.topic, x.from)

/** Checks an output folder before the run: a new or empty place, never the input folder itself. */
export function prepareOut(dir: string, out: string): void {
  if (resolve(out) === resolve(dir)) throw new InputError(`--out ${out}: is the input folder; give another one`)
  if (existsSync(join(out, 'hosts')))
    throw new InputError(`--out ${out}: already holds hosts/ (a run's logs); give a new folder`)
  mkdirSync(join(out, 'hosts'), { recursive: true })
  for (const f of INTEROP_FILES) copyFileSync(join(dir, f), join(out, f))
}

export async function runInterop(opts: InteropRunOptions): Promise<InteropRunResult> {
  const seed = opts.seed ?? 1
  const impl = opts.impl ?? 'machine'
  const progress = opts.progress ?? (() => {})
  const warn = opts.warn ?? (() => {})
  const signal = opts.signal
  // every node's script waits on it
  if (signal) setMaxListeners(0, signal)
  if (activeClock()) seedRandom(seed)
  const folder = loadInteropFolder(opts.dir, seed)
  const { params, model, nodes: n, labels } = folder
  const out = opts.out
  if (out !== undefined) {
    prepareOut(opts.dir, out)
    for (let i = 0; i < n; i++) mkdirSync(dirname(join(out, nodeLogPath(i))), { recursive: true })
  }

  const wall0 = realPerformanceNow()
  const t0 = performance.now()
  const epoch0 = Date.now()
  const now = () => performance.now() - t0
  const keys = await Promise.all(Array.from({ length: n }, (_, i) => interopKey(i)))
  const peerIds = keys.map((k) => k.publicKey.toString()) // an Ed25519 key's text is its peer id
  const indexOf = new Map(peerIds.map((p, i) => [p, i]))
  const nodes: NodeInfo[] = peerIds.map((peerId, i) => ({
    index: i,
    name: `ps-${i}`,
    peerId,
    group: 'nodes',
    role: 'node',
    region: labels[i]!,
  }))
  const deliveries: Deliveries = { nodes, publishes: [], receives: [], subscribers: {} }
  /** node i's first receipt of a message (its receive and log line) until gossipsub says who sent it */
  const firstReceipt = new Map<string, { at: number; line: PendingReceive }>()
  const failures: string[] = []
  const warned = new Set<string>()

  const state: NodeState[] = peerIds.map((peerId, i) => {
    let resolveHost!: (h: Host | undefined) => void
    const ready = new Promise<Host | undefined>((r) => (resolveHost = r))
    return { ready, resolve: resolveHost, seen: new Set(), pending: [peerIdLine(epoch0, peerId, i)] }
  })

  const flush = () => {
    if (out === undefined) {
      for (const s of state) s.pending.length = 0
      return
    }
    state.forEach((s, i) => {
      if (s.pending.length === 0) return
      appendFileSync(join(out, nodeLogPath(i)), s.pending.map(lineOf).join(''))
      s.pending.length = 0
    })
  }

  // every message a node receives passes gossipsub's fastMsgIdFn first, duplicates included (it is how
  // gossipsub finds them): the one public hook that sees them all, in simulated time
  const onReceive = (i: number) => (rpcMsg: { data?: Uint8Array; topic: string }) => {
    const key = messageKey(rpcMsg.data)
    const s = state[i]!
    const duplicate = s.seen.has(key)
    s.seen.add(key)
    const at = now()
    deliveries.receives.push({ msgId: key, topic: rpcMsg.topic, node: i, timeMs: at, duplicate })
    const line = { epochMs: epoch0 + at, id: messageIdOf(rpcMsg.data) || key, topic: rpcMsg.topic }
    if (!duplicate) firstReceipt.set(`${i}/${key}`, { at: deliveries.receives.length - 1, line })
    s.pending.push(line)
    return key
  }

  const factory = (i: number): PubsubFactory =>
    impl === 'machine' ? (init) => machinePubsub({ ...init, id: `ps-${i}`, parent: null }) : vanillaPubsub

  const actionsOf = (i: number) => {
    const s = state[i]!
    const host = (): Host => s.host!
    return {
      async initGossipSub(p: Parameters<typeof mapGossipSubParams>[0]) {
        const mapped = mapGossipSubParams(p)
        for (const name of mapped.unmapped) {
          if (warned.has(name)) continue
          warned.add(name)
          warn(
            `${params.file}: GossipSubParams.${name}: @libp2p/gossipsub 17.1.1 has no option for it; its built-in value applies`,
          )
        }
        if (mapped.startDelayMs > 0) await sleep(mapped.startDelayMs, signal)
        if (signal?.aborted) return
        const gossipsub: Partial<GossipsubOpts> = {
          ...mapped.options,
          ...interopGossipsubOptions,
          fastMsgIdFn: onReceive(i),
        }
        const h = await createHost({
          pubsub: factory(i),
          gossipsub,
          privateKey: keys[i]!,
          network: model.host(i),
          // go-libp2p's interop node has no connection manager: never prune what the script connects
          maxConnections: n + 16,
        })
        h.services.pubsub.addEventListener('gossipsub:message', (e) => {
          const k = `${i}/${e.detail.msgId}`
          const first = firstReceipt.get(k)
          if (first === undefined) return
          firstReceipt.delete(k)
          const peer = e.detail.propagationSource.toString()
          // the log line gets it while it waits to be written (it is, unless a flush came in between)
          first.line.from = peer
          const from = indexOf.get(peer)
          if (from !== undefined) deliveries.receives[first.at]!.from = from
        })
        s.host = h
        s.resolve(h)
      },
      async connect(t: number) {
        const target = await state[t]!.ready
        if (signal?.aborted) return
        const addr = target?.getMultiaddrs()[0]
        try {
          if (target === undefined) throw new Error('it has no host (its initGossipSub failed)')
          if (addr === undefined) throw new Error('it has no listen address')
          await host().dial(addr)
        } catch (err) {
          failures.push(`node ${i}: connect to node ${t}: ${errorMessage(err).split('\n')[0]}`)
        }
      },
      subscribe(topic: string) {
        host().services.pubsub.subscribe(topic)
        const subs = deliveries.subscribers[topic] ?? []
        deliveries.subscribers[topic] = subs
        if (!subs.includes(i)) subs.push(i)
      },
      setValidationDelay(topic: string, delayMs: number) {
        host().services.pubsub.topicValidators.set(topic, async () => {
          await sleep(delayMs)
          return TopicValidatorResult.Accept
        })
      },
      async publish(id: number, size: number, topic: string) {
        const data = messageData(id, size)
        const key = messageKey(data)
        s.seen.add(key)
        deliveries.publishes.push({ msgId: key, topic, node: i, timeMs: now(), bytes: size })
        try {
          await host().services.pubsub.publish(topic, data)
        } catch (err) {
          failures.push(`node ${i}: publish message ${id}: ${errorMessage(err).split('\n')[0]}`)
        }
      },
      waitUntil: (ms: number) => sleep(Math.max(0, ms - now()), signal),
    }
  }

  progress(
    `${n} nodes (${impl} gossipsub, ${activeClockMode()} clock), ${params.script.length} instructions from ${params.file}`,
  )
  let done = 0
  const every = (opts.progressEverySec ?? 10) * 1000
  const ticker = setInterval(() => {
    flush()
    progress(
      `t=${(now() / 1000).toFixed(0)} s (${((realPerformanceNow() - wall0) / 1000).toFixed(0)} s wall): ${deliveries.publishes.length} published, ${deliveries.receives.length} receives, ${done}/${n} scripts done`,
    )
  }, every)
  ticker.unref()
  try {
    await Promise.all(
      state.map((_, i) =>
        runScript(params.script, i, actionsOf(i), signal)
          .catch((err) => {
            failures.push(`node ${i}: ${errorMessage(err).split('\n')[0]}`)
          })
          .finally(() => {
            done++
            // nodes waiting to connect to this one go on (and fail) rather than wait for ever
            state[i]!.resolve(state[i]!.host)
          }),
      ),
    )
  } finally {
    clearInterval(ticker)
  }
  const simMs = now()
  flush()
  const hosts = state.flatMap((s) => (s.host ? [s.host] : []))
  const stop = await stopHosts(hosts, DEFAULT_STOP_TIMEOUT_MS)
  if (stop.unfinished > 0) progress(`${stop.unfinished} of ${hosts.length} hosts had not stopped after ${stop.ms} ms`)
  const summary = summarizeDeliveries(deliveries)
  const result: InteropRunResult = {
    deliveries,
    summary,
    failures,
    clock: activeClockMode(),
    simMs: Math.round(simMs),
    wallMs: Math.round(realPerformanceNow() - wall0),
    interrupted: signal?.aborted ?? false,
  }
  if (out !== undefined) {
    const file = join(out, 'results.json')
    const { deliveries: d, ...rest } = result
    writeFileSync(`${file}.tmp`, `${JSON.stringify({ ...rest, deliveries: d }, null, 1)}\n`)
    renameSync(`${file}.tmp`, file)
    result.resultsFile = file
  }
  return result
}
