// `npm run bench:scale`: how start-up and delivery scale with the number of hosts. simple-discovery at
// 100, 200, 500 and 1,000 hosts × 20 messages, vanilla and machine, each run in a fresh child process
// (`psm scenario … --json`), one after the other. Prints one table row per run: readiness, publish
// time, latency p50/p99, peak RSS, heap allocated, GC share of CPU, connections per host, stop time,
// all delivered, exit code, and the load average before and after the run (the box is shared: a
// loaded run is slower for reasons that are not ours). Aims: 100 hosts ready ≤ 3 s; 1,000 hosts ready
// on the real clock ≤ 60 s.
// Env: BENCH_SCALE_HOSTS (e.g. "100,200"), BENCH_SCALE_IMPLS ("vanilla,machine"), BENCH_SCALE_MSGS
// (20), BENCH_SCALE_TIMEOUT (per run, "300s"), BENCH_SCALE_HEAP_MB (the child's heap limit: 8,192 MB, or
// 1.7 MB per host up to 20,000), BENCH_SCALE_CLOCK (real | virtual | paced, default real),
// BENCH_SCALE_NETWORK (a model file for every run, e.g. networks/world.yml), BENCH_SCALE_JSON=1 adds one
// JSON line per run on stderr. `npm run bench:scale-virtual` is this bench on the virtual clock and the
// world model at 100, 1,000, 3,000 and 10,000 hosts × 100 messages: there the timeout is simulated time,
// and the table's sim-s/wall-s says how much faster than real time the run went.
import { spawn } from 'node:child_process'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = join(root, 'bin/psm.js')

interface Row {
  hosts: number
  impl: string
  exit: number | null
  result?: {
    readyMs: number
    publishMs: number
    wallMs: number
    /** simulated duration on a virtual clock (absent on the real clock) */
    simMs?: number
    stopMs: number
    cpuMs: number
    gcPauseMs: number
    peakRssBytes: number
    heapAllocatedBytes: number
    latencyMs: { p50: number; p99: number }
    connections: { mean: number; max: number }
    delivered: number
    expected: number
    failure: string | null
  }
  loadBefore: number
  loadAfter: number
}

function list(env: string | undefined, fallback: string): string[] {
  return (env ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

interface RunOptions {
  msgs: number
  timeout: string
  clock: string
  network: string | undefined
}

async function runOne(hosts: number, impl: string, o: RunOptions): Promise<Row> {
  const loadBefore = loadavg()[0]!
  // room above Node's default heap limit: a 1,000-host run holds a few GB, the 10,000-host one peaked at
  // 11.8 GB RSS; BENCH_SCALE_HEAP_MB overrides
  const heapMb = Number(process.env.BENCH_SCALE_HEAP_MB ?? Math.min(20_000, Math.max(8192, hosts * 1.7)))
  const args = [`--max-old-space-size=${Math.round(heapMb)}`, bin, 'scenario', 'simple-discovery']
  args.push('--hosts', String(hosts), '--msgs', String(o.msgs), '--impl', impl, '--timeout', o.timeout, '--json')
  args.push('--clock', o.clock)
  if (o.network !== undefined) args.push('--network', o.network)
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] })
    let text = ''
    child.stdout.on('data', (d) => (text += d))
    child.on('error', reject)
    child.on('close', (c) => resolve({ code: c, out: text }))
  })
  const row: Row = { hosts, impl, exit: code, loadBefore, loadAfter: loadavg()[0]! }
  try {
    row.result = JSON.parse(out) as Row['result']
  } catch {
    // no JSON: the child died before printing; the row shows its exit code alone
  }
  return row
}

const s = (ms: number) => (ms / 1000).toFixed(1)
const mib = (b: number) => String(Math.round(b / 2 ** 20))

function format(rows: Row[]): string {
  const head = [
    'hosts',
    'impl',
    'exit',
    'wall s',
    'sim s',
    'sim-s/wall-s',
    'ready s',
    'publish s',
    'p50 ms',
    'p99 ms',
    'rss MiB',
    'heap alloc MiB',
    'GC %',
    'conns mean/max',
    'stop s',
    'all delivered',
    'load before/after',
  ]
  const lines = rows.map((r) => {
    const x = r.result
    const load = `${r.loadBefore.toFixed(1)}/${r.loadAfter.toFixed(1)}`
    if (!x) return [String(r.hosts), r.impl, String(r.exit), ...Array(13).fill('-'), load]
    return [
      String(r.hosts),
      r.impl,
      String(r.exit),
      s(x.wallMs),
      x.simMs === undefined ? '-' : s(x.simMs),
      x.simMs === undefined || x.wallMs <= 0 ? '-' : (x.simMs / x.wallMs).toFixed(2),
      s(x.readyMs),
      s(x.publishMs),
      String(x.latencyMs.p50),
      String(x.latencyMs.p99),
      mib(x.peakRssBytes),
      mib(x.heapAllocatedBytes),
      x.cpuMs > 0 ? ((100 * x.gcPauseMs) / x.cpuMs).toFixed(0) : '-',
      `${x.connections.mean}/${x.connections.max}`,
      s(x.stopMs),
      x.failure === null ? 'yes' : `no (${x.delivered}/${x.expected}: ${x.failure})`,
      load,
    ]
  })
  const all = [head, ...lines]
  const widths = head.map((_, i) => Math.max(...all.map((l) => (l[i] ?? '').length)))
  const fmt = (l: string[]) => `| ${l.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  return [fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n')
}

async function main(): Promise<void> {
  const hostCounts = list(process.env.BENCH_SCALE_HOSTS, '100,200,500,1000').map(Number)
  const bad = hostCounts.find((h) => !Number.isInteger(h) || h < 2)
  if (bad !== undefined) {
    process.stderr.write(`bench:scale: BENCH_SCALE_HOSTS: '${bad}' is not a whole number >= 2\n`)
    process.exit(2)
  }
  const impls = list(process.env.BENCH_SCALE_IMPLS, 'vanilla,machine')
  const msgs = Number(process.env.BENCH_SCALE_MSGS ?? '20')
  const timeout = process.env.BENCH_SCALE_TIMEOUT ?? '300s'
  const clock = process.env.BENCH_SCALE_CLOCK ?? 'real'
  const network = process.env.BENCH_SCALE_NETWORK || undefined
  const where = `${clock} clock${network ? `, ${network}` : ''}`
  const rows: Row[] = []
  for (const hosts of hostCounts) {
    for (const impl of impls) {
      process.stderr.write(
        `bench:scale: ${hosts} hosts × ${msgs} msgs, ${impl}, ${where} (load ${loadavg()[0]!.toFixed(1)})\n`,
      )
      const row = await runOne(hosts, impl, { msgs, timeout, clock, network })
      if (process.env.BENCH_SCALE_JSON === '1') process.stderr.write(`${JSON.stringify(row)}\n`)
      rows.push(row)
    }
  }
  process.stdout.write(`${format(rows)}\n`)
}

await main()
