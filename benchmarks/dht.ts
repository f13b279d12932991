// `npm run bench:dht`: `psm dht run` at growing N on the virtual clock, each in its own process: init time
// (simulated and wall — py-dht's headline is wall: 10k nodes with k=20 in 28 s on 20 cores of a Ryzen
// 5900X), memory per node (RSS after init, less a 10-node run's, over the extra nodes), retrieve p50/p99
// (simulated ms) and success rates. BENCH_DHT_NODES=100,1000 (default), BENCH_DHT_ROUNDS (default 20),
// BENCH_DHT_NETWORK (a model file; default a 20–80 ms delay range), BENCH_DHT_TIMEOUT (s per N, default 3600),
// BENCH_DHT_HEAP_MB (V8 heap limit of each run, default 12288), BENCH_DHT_MAX_CONNECTIONS (libp2p's limit
// per node, default 5000: no pruning), BENCH_DHT_DISJOINT_PATHS (kad-dht's disjoint paths per query, default
// 1, py-dht's plain Kademlia; kad-dht's own default is alpha), BENCH_DHT_NODE_FLAGS.
// A run that fails or times out is counted and reported, never dropped. Figures go to stdout as markdown.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { estimateCapacity, type SizeRun } from '../src/dht/capacity.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = join(root, 'bin/psm.js')

interface Summary {
  nodes: number
  init: {
    initMs: number
    initWallMs: number
    rssBytes: number
    heapUsedBytes: number
    liveHeapBytes?: number
    meanRoutingTable: number
    meanConnections?: number
    meanPeerStore?: number
    phaseCpuMs?: { start: number; dial: number; join: number }
    failedJoins: number
    joined?: number
  }
  provide: { count: number; successes: number; p50: number | null }
  retrieve: { count: number; successes: number; p50: number | null; p99: number | null; meanHops: number | null }
}

function runOne(nodes: number, rounds: number, timeoutS: number, dir: string): Promise<Summary | string> {
  const args = [bin, 'dht', 'run', '--nodes', String(nodes), '--rounds', String(rounds), '--retrievers', '5']
  args.push('--seed', '1', '--db', 'none', '--json', '--out', join(dir, `n${nodes}`))
  args.push('--max-connections', MAX_CONNECTIONS)
  args.push('--disjoint-paths', DISJOINT_PATHS)
  const network = process.env.BENCH_DHT_NETWORK
  if (network) args.push('--network', network)
  else args.push('--delay-range', '20ms-80ms')
  const heap = `--max-old-space-size=${process.env.BENCH_DHT_HEAP_MB ?? 12288}`
  const flags = [heap, ...NODE_FLAGS]
  process.stderr.write(`bench:dht: node ${flags.join(' ')} ${args.slice(1).join(' ')}\n`)
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...flags, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => {
      err += d
      // the run's progress lines, passed on
      process.stderr.write(d)
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(JSON.parse(out) as Summary)
      else resolve(`exit ${code ?? signal}: ${err.trim().split('\n').slice(-1)[0] ?? ''}`)
    })
  })
}

/**
 * V8 flags of each run (BENCH_DHT_NODE_FLAGS, space-separated, replaces them): a 64 MB young generation
 * (kad-dht's queries make many short-lived promises, streams and abort signals; the default 16 MB
 * semi-space promotes many of them, and old-generation collections took a quarter of the CPU) and short
 * stack traces (libp2p's queues and locks make an AbortError per job and per lock wait; capturing deep
 * async stacks for errors nobody prints is a few per cent of the CPU)
 */
const NODE_FLAGS = (process.env.BENCH_DHT_NODE_FLAGS ?? '--max-semi-space-size=64 --stack-trace-limit=4')
  .split(' ')
  .filter((f) => f !== '')

/**
 * libp2p's connection limit per node (BENCH_DHT_MAX_CONNECTIONS): by default none in effect. Past its limit
 * libp2p's pruner reads the peer-store record of every connected peer on each new connection (quadratic
 * in connections): at 1,000 nodes with a limit of 200 it and its peer-store reads took most of the CPU and
 * no 100 of the 1,000 self-lookups finished in 27 minutes (README, "The DHT: psm dht")
 */
/** kad-dht's disjoint paths per query (BENCH_DHT_DISJOINT_PATHS): 1 by default, py-dht's plain Kademlia */
const DISJOINT_PATHS = process.env.BENCH_DHT_DISJOINT_PATHS ?? '1'

const MAX_CONNECTIONS = process.env.BENCH_DHT_MAX_CONNECTIONS ?? '5000'

const mb = (b: number) => (b / 1024 / 1024).toFixed(0)
const f = (x: number | null | undefined, d = 0) => (x === null || x === undefined ? '–' : x.toFixed(d))

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_DHT_NODES ?? '100,1000').split(',').map(Number)
  const rounds = Number(process.env.BENCH_DHT_ROUNDS ?? 20)
  const timeoutS = Number(process.env.BENCH_DHT_TIMEOUT ?? 3600)
  const dir = mkdtempSync(join(tmpdir(), 'psm-bench-dht-'))
  const load0 = loadavg()
  const base = await runOne(10, 1, timeoutS, dir)
  const baseRss = typeof base === 'string' ? 0 : base.init.rssBytes
  const baseLive = typeof base === 'string' ? undefined : base.init.liveHeapBytes
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')
  const rows: string[] = []
  const done: SizeRun[] = []
  for (const n of sizes) {
    const r = await runOne(n, rounds, timeoutS, dir)
    if (typeof r === 'string') {
      rows.push(`| ${n} | failed: ${r} | | | | | | | | | | | | ${load()} |`)
      continue
    }
    const perNode = baseRss > 0 ? (r.init.rssBytes - baseRss) / (n - 10) : r.init.rssBytes / n
    const live = r.init.liveHeapBytes
    const livePerNode = live !== undefined && baseLive !== undefined ? (live - baseLive) / (n - 10) : undefined
    const joinCpu = r.init.phaseCpuMs ? r.init.phaseCpuMs.join / (r.init.joined ?? n) : undefined
    if (joinCpu !== undefined) done.push({ nodes: n, joinCpuMs: joinCpu, rssPerNodeBytes: perNode })
    rows.push(
      `| ${n} | ${f(r.init.initMs)} | ${f(r.init.initWallMs / 1000, 1)} | ${f(joinCpu)} | ${mb(r.init.rssBytes)} | ${f(perNode / 1024, 0)} | ${livePerNode === undefined ? '–' : f(livePerNode / 1024, 0)} | ${f(r.init.meanConnections, 0)} / ${f(r.init.meanPeerStore, 0)} / ${f(r.init.meanRoutingTable, 0)} | ${f(r.retrieve.p50)} | ${f(r.retrieve.p99)} | ${r.retrieve.successes}/${r.retrieve.count} | ${r.provide.successes}/${r.provide.count} | ${r.init.failedJoins} | ${load()} |`,
    )
  }
  rmSync(dir, { recursive: true, force: true })
  const load1 = loadavg()
  const cap = estimateCapacity(done, totalmem(), timeoutS * 1000)
  const capacity = cap
    ? [
        `Largest N this box fits (an estimate from the runs above, not a run): memory ${cap.byMemory} nodes (RSS per node of the largest run, garbage included, in 80% of ${mb(totalmem())} MB; raise BENCH_DHT_HEAP_MB to use it)` +
          (cap.byTime !== undefined && cap.growth !== undefined
            ? `; time ${cap.byTime} nodes (their joins within the ${timeoutS} s limit per N on one core, CPU per join growing as N^${cap.growth.toFixed(2)} between the two largest runs).`
            : '; time: needs two sizes.'),
        '',
      ]
    : []
  process.stdout.write(
    [
      `# bench:dht — ${cpus().length} cores, load average ${load0.map((x) => x.toFixed(2)).join(' ')} at start, ${load1.map((x) => x.toFixed(2)).join(' ')} at end`,
      '',
      `virtual clock · ${rounds} rounds × (1 provide + 5 retrievals) · k 20 · alpha 3 · ${process.env.BENCH_DHT_NETWORK ?? 'delay range 20–80 ms'} · disjoint paths ${DISJOINT_PATHS} · max connections ${MAX_CONNECTIONS} · seed 1 · node ${NODE_FLAGS.join(' ')}`,
      '',
      'RSS per node: RSS after init less a 10-node run’s, over the extra nodes (garbage not yet collected included: V8 lets the heap grow to its limit); live heap per node: the same with the heap in use after a full GC. CPU per join: CPU of the self-lookup phase over the nodes.',
      '',
      '| nodes | init (simulated ms) | init (wall s) | CPU per join (ms) | RSS after init (MB) | RSS per node (KB) | live heap per node (KB) | connections / peer store / routing table per node | retrieve p50 (sim ms) | retrieve p99 (sim ms) | retrievals ok | provides ok | failed joins | load after |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      ...capacity,
      'py-dht (its README): 10,000 nodes, k = 20, initialised in 28 s wall on 20 cores (Ryzen 5900X) — its',
      'routing tables are computed, not built by lookups over a network; ours are real kad-dht joins.',
      '',
    ].join('\n'),
  )
}

await main()
