// `npm run bench:quick`: simple-discovery at 20 hosts × 100 msgs, vanilla and machine interleaved,
// 5 runs each, every run `psm scenario ... --json` in a fresh child process. Prints the medians and the
// machine/vanilla ratio of wall time, CPU and peak RSS. Aim: each ratio <= 1.05.
import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median } from '../src/quantile.js'

const HOSTS = Number(process.env.BENCH_HOSTS ?? 20)
const MSGS = Number(process.env.BENCH_MSGS ?? 100)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const IMPLS = ['vanilla', 'machine'] as const
type Impl = (typeof IMPLS)[number]

interface RunResult {
  wallMs: number
  cpuMs: number
  peakRssBytes: number
  readyMs: number
  publishMs: number
  heapAllocatedBytes: number
  latencyMs: { p50: number; p99: number }
  transitions: number
  failure: string | null
}

const METRICS = ['wallMs', 'cpuMs', 'peakRssBytes', 'readyMs', 'publishMs', 'heapAllocatedBytes'] as const

// dist/benchmarks/quick.js → the package root is two levels up
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const bin = join(root, 'bin', 'psm.js')

function runOnce(impl: Impl, seed: number): Promise<RunResult> {
  const args = [bin, 'scenario', 'simple-discovery', '--hosts', String(HOSTS), '--msgs', String(MSGS)]
  args.push('--impl', impl, '--seed', String(seed), '--timeout', '120s', '--json')
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(line) as RunResult)
      } catch {
        reject(new Error(`${impl} run failed: ${err?.message ?? ''} ${stderr.trim().split('\n').pop() ?? ''}`))
      }
    })
  })
}

const fmt = (metric: string, v: number) =>
  metric.endsWith('Bytes') ? `${(v / 1024 / 1024).toFixed(1)} MB` : `${Math.round(v)} ms`

async function main(): Promise<void> {
  const results: Record<Impl, RunResult[]> = { vanilla: [], machine: [] }
  process.stderr.write(`bench:quick: simple-discovery ${HOSTS} hosts × ${MSGS} msgs, ${RUNS} runs per impl\n`)
  for (let i = 0; i < RUNS; i++) {
    // alternate which implementation goes first, so drift in machine load hits both alike
    const order: Impl[] = i % 2 === 0 ? ['vanilla', 'machine'] : ['machine', 'vanilla']
    for (const impl of order) {
      const r = await runOnce(impl, i + 1)
      if (r.failure !== null) throw new Error(`${impl} run ${i + 1} failed: ${r.failure}`)
      results[impl].push(r)
      process.stderr.write(
        `  run ${i + 1} ${impl.padEnd(7)} wall ${r.wallMs} ms  cpu ${r.cpuMs} ms  rss ${fmt('peakRssBytes', r.peakRssBytes)}  transitions ${r.transitions}\n`,
      )
    }
  }
  const rows: string[] = []
  rows.push(`${'metric'.padEnd(20)}${'vanilla'.padStart(12)}${'machine'.padStart(12)}${'ratio'.padStart(8)}`)
  const ratios: Record<string, number> = {}
  for (const m of METRICS) {
    const v = median(results.vanilla.map((r) => r[m]))
    const x = median(results.machine.map((r) => r[m]))
    ratios[m] = x / v
    rows.push(`${m.padEnd(20)}${fmt(m, v).padStart(12)}${fmt(m, x).padStart(12)}${(x / v).toFixed(3).padStart(8)}`)
  }
  const lat = (impl: Impl, k: 'p50' | 'p99') => median(results[impl].map((r) => r.latencyMs[k]))
  rows.push(
    `${'latency p50'.padEnd(20)}${`${lat('vanilla', 'p50')} ms`.padStart(12)}${`${lat('machine', 'p50')} ms`.padStart(12)}`,
  )
  rows.push(
    `${'latency p99'.padEnd(20)}${`${lat('vanilla', 'p99')} ms`.padStart(12)}${`${lat('machine', 'p99')} ms`.padStart(12)}`,
  )
  process.stdout.write(
    `\nmedians of ${RUNS} runs (machine/vanilla ratio; aim <= 1.05 for wall, cpu, rss)\n${rows.join('\n')}\n`,
  )
  const over = (['wallMs', 'cpuMs', 'peakRssBytes'] as const).filter((m) => (ratios[m] ?? 0) > 1.05)
  process.stdout.write(over.length === 0 ? 'all ratios within 1.05\n' : `above 1.05: ${over.join(', ')}\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:quick: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
})
