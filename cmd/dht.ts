// `psm dht run | compare | serve`: Kademlia DHT lookup measurements (parsec's provide/retrieve schedule on
// py-dht's kind of simulated network), their comparison, and one DHT node behind a lean HTTP API.
import { formatHelp, parseFlags } from '../src/cli/args.js'
import { onInterrupt } from '../src/cli/signals.js'
import { activeClockMode } from '../src/clock/virtual-install.js'
import { checkCommandClock } from '../src/clock/virtual-select.js'
import { NETWORK_FLAGS } from '../src/config/network-flags.js'
import { UsageError } from '../src/errors.js'

const RUN_FLAGS = {
  config: { type: 'string', value: 'FILE', description: 'dht.yml with the run knobs (see README: psm dht)' },
  nodes: { type: 'string', value: 'N', description: 'DHT nodes', default: '30' },
  rounds: { type: 'string', value: 'R', description: 'rounds: one provide and M retrievals each', default: '10' },
  retrievers: { type: 'string', value: 'M', description: 'nodes that look up each provided CID', default: '5' },
  seed: { type: 'string', value: 'S', description: 'seed of every random choice (random when absent)' },
  out: {
    type: 'string',
    value: 'DIR',
    description: 'where report.md and results.json go',
    default: 'data/dht/<run id>',
  },
  db: {
    type: 'string',
    value: 'FILE|URL',
    multiple: true,
    description: 'results database: a .sqlite file or postgres://… (repeat for both; none: skip)',
    default: 'data/dht.sqlite',
  },
  clock: {
    type: 'string',
    value: 'MODE',
    description: 'virtual, paced or real',
    default: 'virtual; real with --procs',
  },
  k: { type: 'string', value: 'K', description: 'k-bucket size', default: '20' },
  alpha: { type: 'string', value: 'A', description: 'query concurrency', default: '3' },
  'disjoint-paths': {
    type: 'string',
    value: 'D',
    description: "S/Kademlia disjoint paths per query (1: py-dht's plain Kademlia)",
    default: 'alpha',
  },
  'init-concurrency': {
    type: 'string',
    value: 'C',
    description: 'self-lookups in flight while joining',
    default: '32',
  },
  'error-rate': { type: 'string', value: 'P', description: 'probability a dial fails (py-dht error rate)' },
  'delay-range': { type: 'string', value: 'MIN-MAX', description: 'one-way latency range per pair, e.g. 20ms-80ms' },
  ...NETWORK_FLAGS,
  'op-timeout': {
    type: 'string',
    value: 'DUR',
    description: 'an operation still running after this fails',
    default: '60s',
  },
  'max-connections': {
    type: 'string',
    value: 'N',
    description:
      "libp2p's connection limit per node (fewer: more dials, where the error rate bites; past it every new connection costs a read of each connected peer's record: raise it for 1,000+ nodes)",
    default: '200',
  },
  procs: { type: 'string', value: 'P', description: 'spread the nodes over P `psm dht serve` processes (TCP)' },
  metrics: { type: 'string', value: 'HOST:PORT', description: 'serve Prometheus summaries while running' },
  impl: {
    type: 'string',
    value: 'IMPL',
    description: "vanilla (kad-dht called directly) or machine (each node's discovery machine drives it)",
    default: 'machine with --log, else vanilla',
  },
  log: {
    type: 'string',
    value: 'FILE|DIR/',
    description:
      "impl machine: the discovery machines' transition log (.jsonl, .jsonl.gz); a folder: DIR/dht-<time>.jsonl.gz",
  },
  quiet: { type: 'boolean', short: 'q', description: 'no progress lines' },
  json: { type: 'boolean', description: 'print the summary as JSON' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const USAGE = 'psm dht run [--config dht.yml] [--nodes N] [--rounds R] [--seed S] [--out DIR] [options]'
const SUMMARY = [
  'run      N kad-dht nodes on the network model; each round one node provides a random CID and M',
  '         others look it up; every operation timed (report.md, results.json, results database)',
  'compare  psm dht compare A B: two runs side by side (results.json or their folders)',
  'serve    psm dht serve [--listen 127.0.0.1:PORT]: one DHT node behind a lean HTTP API',
].join('\n')

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'run') return run(rest)
  if (sub === 'compare') return (await import('./dht-compare.js')).main(rest)
  if (sub === 'serve') return (await import('./dht-serve.js')).main(rest)
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(formatHelp('psm dht run | compare | serve [options]', SUMMARY, { help: RUN_FLAGS.help }))
    return sub === undefined ? 2 : 0
  }
  throw new UsageError(`unknown subcommand '${sub}' (expected run, compare or serve; see 'psm dht --help')`)
}

async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('dht run', argv, RUN_FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp(USAGE, SUMMARY, RUN_FLAGS))
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (usage: ${USAGE})`)
  const { loadDhtConfig } = await import('../src/dht/config.js')
  const config = loadDhtConfig({ path: flags.config, flags })
  checkCommandClock(
    config.clock,
    activeClockMode(),
    config.procs > 0 ? 'tcp' : 'memory',
    flags.clock ? '--clock' : 'clock',
  )
  const { runDhtCommand } = await import('../src/dht/command.js')
  const interrupt = onInterrupt()
  try {
    const outcome = await runDhtCommand({
      config,
      out: flags.out,
      db: flags.db,
      quiet: flags.quiet === true,
      json: flags.json === true,
      stopRequested: () => interrupt.fired,
    })
    process.stdout.write(outcome.text)
    return interrupt.exitCode(outcome.exitCode)
  } finally {
    interrupt.dispose()
  }
}
