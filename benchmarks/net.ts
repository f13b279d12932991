// `npm run bench:net`: gossipsub on the `world` regions model (networks/world.yml: 8 regions, supernode
// 1024/1024 Mbit weight 20, fullnode 50/50 Mbit weight 80). 100 hosts each dial 6 seeded random others,
// join one topic, wait for its mesh to connect every host, then 100 messages from random hosts at 10/s.
// Prints delivery p50/p90/p99, duplicates per message (message copies gossipsub received beyond the
// first, per message), bytes per host, and the CPU cost of shaping: the same run without a model, the
// two interleaved and paired by seed, each in a fresh child process; CPU over the same fixed window from
// the first publish (the publishing plus a drain), so both pay the same heartbeats. The ratio is
// model/none per pair, shown as median and range, with the load average around each run.
// Env: BENCH_NET_HOSTS (100), BENCH_NET_MSGS (100), BENCH_NET_PAIRS (3), BENCH_NET_MODEL (networks/world.yml).
import { spawn } from 'node:child_process'
import { availableParallelism, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { createHost, type Host } from '../src/net/host.js'
import { loadNetworkModel } from '../src/net/model/load.js'
import { stopHosts } from '../src/net/stop-hosts.js'
import { installPolyfills } from '../src/polyfill.js'
import { GossipsubInternals, type RpcLike } from '../src/pubsub/internals.js'
import { median, quantile } from '../src/quantile.js'
import { createRng } from '../src/rng.js'
import { waitForMesh } from '../src/scenario/mesh.js'

const HOSTS = Number(process.env.BENCH_NET_HOSTS ?? 100)
const MSGS = Number(process.env.BENCH_NET_MSGS ?? 100)
const PAIRS = Number(process.env.BENCH_NET_PAIRS ?? 3)
const MODEL = process.env.BENCH_NET_MODEL ?? 'networks/world.yml'
const DIALS = 6
const PUBLISH_EVERY_MS = 100
/** the CPU window: the publishing, then this long for the last messages to arrive */
const DRAIN_MS = 3000
const TOPIC = 'bench-net'
const root = fileURLToPath(new URL('../..', import.meta.url))

interface ChildResult {
  model: string | null
  seed: number
  hosts: number
  msgs: number
  delivered: number
  expected: number
  readyMs: number
  latencyMs: { p50: number; p90: number; p99: number; max: number }
  duplicatesPerMsg: number
  bytesSentPerHost: number
  bytesRecvPerHost: number
  uplinkQueueMsMax: number
  /** CPU (user + system) over the fixed window from the first publish */
  windowCpuMs: number
  windowMs: number
}

async function child(model: string | null, seed: number): Promise<ChildResult> {
  installPolyfills()
  const net = model === null ? undefined : loadNetworkModel(model, { seed })
  const rng = createRng(seed)
  const hosts: Host[] = []
  for (let i = 0; i < HOSTS; i++) hosts.push(await createHost(net ? { network: net.host(i) } : {}))
  const sentAt = new Map<number, number>()
  const latencies: number[] = []
  let copies = 0
  const dec = new TextDecoder()
  for (const h of hosts) {
    // message copies as they arrive in RPCs, before gossipsub drops the duplicates
    const g = new GossipsubInternals(h.services.pubsub)
    g.replace({
      handleReceivedRpc: (from, rpc: RpcLike) => {
        copies += rpc.messages?.length ?? 0
        return g.original.handleReceivedRpc(from, rpc)
      },
    })
    h.services.pubsub.addEventListener('message', (e) => {
      if (e.detail.topic !== TOPIC) return
      const t = sentAt.get(Number(dec.decode(e.detail.data)))
      if (t !== undefined) latencies.push(performance.now() - t)
    })
    h.services.pubsub.subscribe(TOPIC)
  }
  const t0 = performance.now()
  await Promise.all(
    hosts.map(async (h, i) => {
      for (let k = 0; k < DIALS; k++) {
        const j = (i + 1 + rng.int(HOSTS - 1)) % HOSTS
        await h.dial(hosts[j]!.getMultiaddrs()).catch(() => {})
      }
    }),
  )
  await waitForMesh(hosts, TOPIC, performance.now() + 120_000, () => performance.now())
  const readyMs = performance.now() - t0
  // the mesh of the heartbeat after the join settles first: both runs start publishing alike
  await new Promise((r) => setTimeout(r, 1500))
  const copies0 = copies
  const cpu0 = process.cpuUsage()
  const w0 = performance.now()
  const enc = new TextEncoder()
  for (let seq = 0; seq < MSGS; seq++) {
    sentAt.set(seq, performance.now())
    await hosts[rng.int(HOSTS)]!.services.pubsub.publish(TOPIC, enc.encode(String(seq))).catch(() => {})
    await new Promise((r) => setTimeout(r, Math.max(0, w0 + (seq + 1) * PUBLISH_EVERY_MS - performance.now())))
  }
  await new Promise((r) => setTimeout(r, Math.max(0, w0 + MSGS * PUBLISH_EVERY_MS + DRAIN_MS - performance.now())))
  const cpu = process.cpuUsage(cpu0)
  const windowMs = performance.now() - w0
  const expected = MSGS * (HOSTS - 1)
  // late ones still count for delivery, not for the CPU window
  const until = performance.now() + 10_000
  while (latencies.length < expected && performance.now() < until) await new Promise((r) => setTimeout(r, 100))
  const sorted = Float64Array.from(latencies).sort()
  const r1 = (x: number) => Math.round(x * 10) / 10
  let sent = 0
  let recv = 0
  let queueMax = 0
  for (let i = 0; i < HOSTS; i++) {
    const s = net?.stats(i)
    sent += s?.bytesSent ?? 0
    recv += s?.bytesReceived ?? 0
    queueMax = Math.max(queueMax, s?.uplinkQueueMsMax ?? 0)
  }
  const result: ChildResult = {
    model,
    seed,
    hosts: HOSTS,
    msgs: MSGS,
    delivered: latencies.length,
    expected,
    readyMs: Math.round(readyMs),
    latencyMs: {
      p50: r1(quantile(sorted, 0.5)),
      p90: r1(quantile(sorted, 0.9)),
      p99: r1(quantile(sorted, 0.99)),
      max: r1(sorted[sorted.length - 1] ?? 0),
    },
    // every receiver's first copy is the delivery; the publisher receives none of its own
    duplicatesPerMsg: r1((copies - copies0 - latencies.length) / MSGS),
    bytesSentPerHost: Math.round(sent / HOSTS),
    bytesRecvPerHost: Math.round(recv / HOSTS),
    uplinkQueueMsMax: r1(queueMax),
    windowCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    windowMs: Math.round(windowMs),
  }
  await stopHosts(hosts, 5000)
  return result
}

function runChild(model: string | null, seed: number): Promise<ChildResult & { load: [number, number] }> {
  const before = loadavg()[0]!
  const args = [fileURLToPath(import.meta.url), '--child', model ?? '-', String(seed)]
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    c.stdout.on('data', (d) => (out += d))
    c.on('error', reject)
    c.on('close', (code) => {
      try {
        resolve({ ...(JSON.parse(out.trim().split('\n').pop() ?? '') as ChildResult), load: [before, loadavg()[0]!] })
      } catch {
        reject(new Error(`child (${model ?? 'no model'}, seed ${seed}) exited ${code} without a result`))
      }
    })
  })
}

const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`

async function parent(): Promise<void> {
  process.stderr.write(
    `bench:net: ${HOSTS} hosts × ${MSGS} msgs at ${1000 / PUBLISH_EVERY_MS}/s, ${MODEL} vs no model, ${PAIRS} pairs\n`,
  )
  const pairs: Array<{
    model: ChildResult & { load: [number, number] }
    none: ChildResult & { load: [number, number] }
  }> = []
  for (let p = 0; p < PAIRS; p++) {
    const seed = p + 1
    // alternate which goes first, so drift in the machine's load hits both alike
    const first = p % 2 === 0
    const a = await runChild(first ? MODEL : null, seed)
    const b = await runChild(first ? null : MODEL, seed)
    const [model, none] = first ? [a, b] : [b, a]
    pairs.push({ model, none })
    for (const [name, r] of [
      ['model', model],
      ['none', none],
    ] as const) {
      process.stderr.write(
        `  seed ${seed} ${name.padEnd(5)} delivered ${r.delivered}/${r.expected}  ready ${r.readyMs} ms  p50 ${r.latencyMs.p50} p90 ${r.latencyMs.p90} p99 ${r.latencyMs.p99} ms  dup/msg ${r.duplicatesPerMsg}  cpu ${r.windowCpuMs} ms / ${r.windowMs} ms  load ${r.load[0].toFixed(1)}→${r.load[1].toFixed(1)}\n`,
      )
    }
  }
  const med = (f: (r: ChildResult) => number, side: 'model' | 'none') => median(pairs.map((p) => f(p[side])))
  const ratios = pairs.map((p) => p.model.windowCpuMs / p.none.windowCpuMs).sort((x, y) => x - y)
  // a starved event loop stretches the window past its planned length: CPU per wall second of it too
  const share = (r: ChildResult) => r.windowCpuMs / r.windowMs
  const shares = pairs.map((p) => share(p.model) / share(p.none)).sort((x, y) => x - y)
  const loads = pairs.flatMap((p) => [...p.model.load, ...p.none.load])
  const row = (label: string, f: (r: ChildResult) => number, fmt: (x: number) => string) =>
    `${label.padEnd(26)}${fmt(med(f, 'model')).padStart(14)}${fmt(med(f, 'none')).padStart(14)}`
  const ms = (x: number) => `${x} ms`
  const lines = [
    `medians of ${PAIRS} pairs (${HOSTS} hosts × ${MSGS} msgs)`,
    `${''.padEnd(26)}${'model'.padStart(14)}${'no model'.padStart(14)}`,
    row('delivery p50', (r) => r.latencyMs.p50, ms),
    row('delivery p90', (r) => r.latencyMs.p90, ms),
    row('delivery p99', (r) => r.latencyMs.p99, ms),
    row('duplicates per message', (r) => r.duplicatesPerMsg, String),
    row('bytes sent per host', (r) => r.bytesSentPerHost, kib),
    row('bytes received per host', (r) => r.bytesRecvPerHost, kib),
    row('uplink queueing max', (r) => r.uplinkQueueMsMax, ms),
    row('mesh ready', (r) => r.readyMs, ms),
    row('CPU in the window', (r) => r.windowCpuMs, ms),
    `CPU model/none per pair: median ${median(ratios).toFixed(2)}, range ${ratios[0]!.toFixed(2)}–${ratios[ratios.length - 1]!.toFixed(2)} (${ratios.map((x) => x.toFixed(2)).join(', ')})`,
    `CPU share of the window model/none per pair: median ${median(shares).toFixed(2)}, range ${shares[0]!.toFixed(2)}–${shares[shares.length - 1]!.toFixed(2)}`,
    `load average (1 min) around the runs: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${availableParallelism()} cores`,
    '',
  ]
  process.stdout.write(`\n${lines.join('\n')}`)
}

const [mode, model, seed] = process.argv.slice(2)
const main =
  mode === '--child'
    ? () =>
        child(model === '-' ? null : model!, Number(seed)).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`))
    : parent
main()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    process.stderr.write(`bench:net: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
