// `npm run bench:sim`: the simulator with 100 peers for 60 s on the default periods, in a child
// process: CPU %, event-loop delay p99, peak RSS, messages received/missed, transitions/s.
// BENCH_SIM_DURATION shortens it (e.g. 20s); the log is written so that transitions are counted.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = join(root, 'bin/psm.js')
const config = join(root, 'benchmarks/sim-100.yml')

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'psm-bench-sim-'))
  const duration = process.env.BENCH_SIM_DURATION ?? '60s'
  const args = [bin, 'sim', '--config', config, '--duration', duration, '--seed', '1', '--json', '--quiet']
  if (process.env.BENCH_SIM_LOG !== '0') args.push('--log', join(dir, 'sim.jsonl.gz'))
  process.stderr.write(`bench:sim: node ${args.slice(1).join(' ')}\n`)
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let text = ''
    child.stdout.on('data', (d) => (text += d))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`psm sim exited ${code}`))))
  })
  rmSync(dir, { recursive: true, force: true })
  const s = JSON.parse(out) as {
    elapsedMs: number
    transitions: number
    stats: { peers: number; msgsSent: number; msgsRecv: number; msgsMiss: number; connections: number }
    process: { cpuPercent: number; peakRssBytes: number; eventLoopDelayP99Ms: number }
  }
  const report = {
    peers: s.stats.peers,
    seconds: Number((s.elapsedMs / 1000).toFixed(1)),
    cpuPercent: s.process.cpuPercent,
    eventLoopDelayP99Ms: s.process.eventLoopDelayP99Ms,
    peakRssMiB: Math.round(s.process.peakRssBytes / 2 ** 20),
    msgsSent: s.stats.msgsSent,
    msgsRecv: s.stats.msgsRecv,
    msgsMiss: s.stats.msgsMiss,
    connections: s.stats.connections,
    transitions: s.transitions,
    transitionsPerSec: Math.round(s.transitions / (s.elapsedMs / 1000)),
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
}

await main()
