// `npm run bench:experiment`: experiments/blob.yml (gossipsub-interop's subnet-blob-msg shape: 20 dials per
// node, 98,304-byte messages, 5 ms validation, one message every 12 s from a random node) at 100, 300 and
// 1,000 nodes in virtual time, each run in a fresh child process (`psm experiment run … --no-log`), one
// after the other. One table row per run: wall time, simulated time, peak RSS, delivery ratio and reach,
// p50/p99 over messages of the time to reach 99 % of the subscribers, duplicates per message, exit code,
// CPU seconds (the figure to read on a shared box) and the simulated time the topology's dials took,
// and the load average before and after (the box is shared: a loaded run is slower for reasons not ours).
// Env: BENCH_EXPERIMENT_NODES ("100,300,1000"), BENCH_EXPERIMENT_MSGS (messages per run, 8: the run phase
// is 12 s per message), BENCH_EXPERIMENT_IMPLS ("machine"; "machine,vanilla" interleaves them per size),
// BENCH_EXPERIMENT_SEED (1), BENCH_EXPERIMENT_OUT (the folder the runs are kept in; default a temp folder).
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, stringify } from 'yaml'
import type { Results } from '../src/experiment/analyze.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = join(root, 'bin/psm.js')

function list(env: string | undefined, fallback: string): string[] {
  return (env ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

interface BlobDoc {
  name: string
  seed: number
  nodes: { count: number; implementation: string }[]
  phases: { run: { duration: string } }
}

interface Row {
  nodes: number
  impl: string
  exit: number | null
  wallS: number
  results?: Results
  loadBefore: number
  loadAfter: number
  stderrTail: string
}

function runChild(args: string[]): Promise<{ exit: number | null; wallS: number; stderr: string }> {
  const t0 = performance.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr += d
      const lines = String(d).trim().split('\n')
      process.stderr.write(`  ${lines[lines.length - 1]}\n`)
    })
    child.on('close', (code) => resolve({ exit: code, wallS: (performance.now() - t0) / 1000, stderr }))
  })
}

async function main(): Promise<void> {
  const sizes = list(process.env.BENCH_EXPERIMENT_NODES, '100,300,1000').map(Number)
  const impls = list(process.env.BENCH_EXPERIMENT_IMPLS, 'machine')
  const msgs = Number(process.env.BENCH_EXPERIMENT_MSGS ?? '8')
  const seed = Number(process.env.BENCH_EXPERIMENT_SEED ?? '1')
  const out = process.env.BENCH_EXPERIMENT_OUT ?? mkdtempSync(join(tmpdir(), 'psm-bench-experiment-'))
  mkdirSync(out, { recursive: true })
  const base = parse(readFileSync(join(root, 'experiments/blob.yml'), 'utf8')) as BlobDoc
  const rows: Row[] = []
  for (const nodes of sizes) {
    for (const impl of impls) {
      const doc = structuredClone(base)
      doc.name = `blob-${nodes}-${impl}`
      doc.seed = seed
      doc.nodes[0]!.count = nodes
      doc.nodes[0]!.implementation = impl
      doc.phases.run.duration = `${msgs * 12}s`
      const file = join(out, `${doc.name}.yml`)
      writeFileSync(file, stringify(doc))
      const dir = join(out, doc.name)
      const loadBefore = loadavg()[0]!
      process.stderr.write(`bench:experiment: ${nodes} nodes, ${impl}, ${msgs} messages → ${dir}\n`)
      const r = await runChild(['experiment', 'run', file, '--out', dir, '--no-log'])
      const row: Row = {
        nodes,
        impl,
        exit: r.exit,
        wallS: r.wallS,
        loadBefore,
        loadAfter: loadavg()[0]!,
        stderrTail: r.stderr.trim().split('\n').slice(-1)[0] ?? '',
      }
      try {
        row.results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results
      } catch {
        // a failed run has no results: counted below
      }
      rows.push(row)
    }
  }
  const f = (x: number | null | undefined, d = 0) => (x === null || x === undefined ? '—' : x.toFixed(d))
  const lines = [
    `bench:experiment — experiments/blob.yml, ${msgs} messages of 98,304 bytes, seed ${seed}, virtual time; Node ${process.version}`,
    '',
    '| nodes | impl | exit | wall s | CPU s | sim s | wiring sim s | peak RSS MiB | delivery ratio | reach % mean | t99 p50 ms | t99 p99 ms | duplicates avg | load before/after |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => {
      const s = r.results?.summary
      const m = r.results?.meta as
        | { simMs?: number; setupMs?: number; resources?: { peakRssBytes?: number; cpuMs?: number } }
        | undefined
      return `| ${r.nodes} | ${r.impl} | ${r.exit} | ${f(r.wallS, 1)} | ${f((m?.resources?.cpuMs ?? 0) / 1000, 0)} | ${f((m?.simMs ?? 0) / 1000, 0)} | ${f((m?.setupMs ?? 0) / 1000, 1)} | ${f((m?.resources?.peakRssBytes ?? 0) / 1048576)} | ${f(s?.deliveryRatio, 3)} | ${f(s?.reachPctMean, 1)} | ${f(s?.timeTo99.p50, 1)} | ${f(s?.timeTo99.p99, 1)} | ${f(s?.duplicates.avg, 2)} | ${f(r.loadBefore, 1)} / ${f(r.loadAfter, 1)} |`
    }),
    '',
    `failed runs: ${rows.filter((r) => r.exit !== 0 || !r.results).length} of ${rows.length}`,
  ]
  for (const r of rows) if (r.exit !== 0) lines.push(`  ${r.nodes} ${r.impl}: ${r.stderrTail}`)
  process.stdout.write(`${lines.join('\n')}\n`)
}

await main()
