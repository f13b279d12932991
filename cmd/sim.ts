// `psm sim`: the simulator. Parses flags, loads sim.yml + env + flags, runs, flushes on any stop.
import { formatHelp, parseFlags } from '../src/cli/args.js'
import { onInterrupt } from '../src/cli/signals.js'
import { activeClockMode } from '../src/clock/virtual-install.js'
import { checkCommandClock } from '../src/clock/virtual-select.js'
import { NETWORK_FLAGS } from '../src/config/network-flags.js'
import { loadSimConfig } from '../src/config/sim.js'
import { UsageError } from '../src/errors.js'
import { runSim } from '../src/sim/run.js'
import { simTelemetry } from '../src/sim/telemetry.js'
import { createInspectStream, formatInspectStats, parseInspectUrl } from '../src/telemetry/inspect.js'
import { formatTraceReport } from '../src/telemetry/traces/otel.js'

const FLAGS = {
  config: {
    type: 'string',
    value: 'FILE',
    description: 'sim.yml to read (default: the built-in defaults, same as ./sim.yml)',
  },
  duration: {
    type: 'string',
    value: 'DUR',
    description: 'how long to run, e.g. 30s, 5m; 0 runs until Ctrl-C (default 60s)',
  },
  'max-peers': {
    type: 'string',
    value: 'N',
    description: 'AddPeer is refused at N peers (default 20); the network grows toward N one peer per AddPeer period',
  },
  'initial-peers': {
    type: 'string',
    value: 'N',
    description: 'peers started before the first heartbeat, at most --max-peers (default 10)',
  },
  seed: { type: 'string', value: 'N', description: 'repeat the simulator decisions of an earlier run' },
  clock: {
    type: 'string',
    value: 'MODE',
    description:
      'real | virtual (simulated time: repeatable with --seed) | paced (virtual, never ahead of the wall clock) (default real)',
  },
  metrics: {
    type: 'string',
    value: '[HOST:PORT]',
    description: 'serve Prometheus metrics at http://HOST:PORT/metrics (default 127.0.0.1:9464)',
  },
  trace: { type: 'string', value: 'EXPORTER', description: 'otlp | jaeger | file | off (default off)' },
  inspect: {
    type: 'string',
    value: '[ws://HOST:PORT]',
    description: 'stream the machines to a Stately inspector (@statelyai/inspect server; default ws://127.0.0.1:8080)',
  },
  log: {
    type: 'string',
    value: 'FILE|DIR/',
    description: 'write the transition log (.jsonl, .jsonl.gz); a folder: a new DIR/sim-<time>.jsonl.gz',
  },
  dbg: {
    type: 'string',
    value: 'HOST:PORT',
    description: 'stream records to a live `psm dbg --listen` (default port 6831)',
  },
  discovery: {
    type: 'string',
    value: 'BACKEND',
    description: "registry (in-process) or dht (kad-dht provider records); sets sim.yml's discovery.backend",
  },
  ...NETWORK_FLAGS,
  quiet: { type: 'boolean', description: 'print only the first line and the final block' },
  json: { type: 'boolean', description: 'print a JSON summary at the end (stats, seed, decisions)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const SUMMARY = `Runs a simulated pubsub network in this process: peers come and go, topics appear, peak and go
stale, peers befriend each other, join topics and publish, and the simulator checks that messages arrive.
Prints a status block every printInterval (10s). Growth: the sim starts --initial-peers peers, then
AddPeer adds one every periods.AddPeer (3s) and RemovePeer takes one every periods.RemovePeer (50s), so
--max-peers 300 alone takes ~15 minutes to fill: add --initial-peers 300 to start at that size. The first
line and each status block say how fast the network grows and when it reaches its limit.
Ctrl-C, SIGTERM or SIGHUP stop cleanly: every sink is flushed, the final block printed, and the exit code
is 128 + the signal (130, 143, 129); a second signal exits at once.
Env overrides (after sim.yml, before flags): SIM_DURATION, SIM_MAX_PEERS, SIM_METRICS, SIM_AM_DEBUG,
SIM_AM_LOG_LEVEL, PS_AM_DEBUG, PS_AM_LOG_LEVEL, PS_TRACING_HOST, PS_TRACING_AM.
Without a network model (sim.yml's network:, --network, --latency, --bandwidth) peers talk over in-process
pipes; with one every byte pays its latency, bandwidth and loss, and sim_net_* metrics show the traffic.`

export async function main(argv: string[]): Promise<number> {
  // `--metrics` may stand alone: give it an empty value so parseArgs accepts it
  const args = argv.map((a, i) =>
    (a === '--metrics' || a === '--inspect') && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('-'))
      ? `${a}=`
      : a,
  )
  const { flags, positionals } = parseFlags('sim', args, FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp('psm sim [options]', SUMMARY, FLAGS))
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const { metrics, inspect: inspectFlag, ...rest } = flags
  const inspectUrl = inspectFlag === undefined ? null : parseInspectUrl(inspectFlag)
  const config = loadSimConfig({
    path: flags.config,
    env: process.env,
    flags: { ...rest, ...(metrics !== undefined ? { metrics: metrics === '' ? true : metrics } : {}) },
  })
  // sim.yml's checks refused clock+tcp already; this one catches a command run outside the binary
  checkCommandClock(
    config.clock,
    activeClockMode(),
    config.host.transport,
    flags.clock !== undefined ? '--clock' : 'clock',
  )
  const interrupt = onInterrupt()
  const out = (text: string) => process.stdout.write(text)
  const telemetry = await simTelemetry(config, (text) => process.stderr.write(`psm sim: ${text}\n`))
  const inspect = inspectUrl ? await createInspectStream({ url: inspectUrl }) : null
  if (inspect) telemetry.sinks.push(inspect.sink())
  try {
    const summary = await runSim({
      config,
      out: flags.json ? (t) => process.stderr.write(t) : out,
      stop: interrupt.signalled,
      sinks: telemetry.sinks,
      ...(telemetry.traces ? { traces: telemetry.traces } : {}),
      quiet: Boolean(flags.quiet),
    })
    // the inspector's drops have their own line below
    const dropped = Object.entries(summary.droppedRecords).filter(([s, n]) => n > 0 && s !== 'inspect')
    if (dropped.length)
      process.stderr.write(`psm sim: records dropped: ${dropped.map(([s, n]) => `${s} ${n}`).join(', ')}\n`)
    if (summary.traces) process.stderr.write(`psm sim: ${formatTraceReport(summary.traces)}\n`)
    if (inspect) process.stderr.write(`psm sim: ${formatInspectStats(await inspect.close())}\n`)
    if (summary.logFile) {
      process.stderr.write(
        `psm sim: transition log ${summary.logFile} — open it with: npx psm dbg ${summary.logFile}\n`,
      )
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`)
    // stopped by a signal: 128 + its number, after every sink is flushed (src/cli/signals.ts)
    return interrupt.exitCode(0)
  } finally {
    interrupt.dispose()
  }
}
