// `psm bench [run]`: vanilla vs machine over the bench.yml matrix, with a report.
// `psm bench compare A B`: two results.json files cell by cell.
import { formatHelp, parseFlags } from '../src/cli/args.js'
import { onInterrupt } from '../src/cli/signals.js'
import { loadBenchConfig } from '../src/config/bench.js'
import { RunFailedError, UsageError } from '../src/errors.js'

const RUN_FLAGS = {
  config: { type: 'string', value: 'FILE', description: 'bench.yml to read (default: built in, as in bench.yml)' },
  out: { type: 'string', value: 'DIR', description: 'report directory (default: bench-out/<timestamp>)' },
  hosts: { type: 'string', value: 'N,N', description: 'hosts per run, comma list (env NUM_HOSTS)' },
  msgs: { type: 'string', value: 'N,N', description: 'messages per run, comma list (env RAND_MSGS)' },
  iterations: { type: 'string', value: 'N', description: 'measured runs per implementation and cell' },
  impl: { type: 'string', value: 'LIST', description: 'implementations: vanilla,machine,machine-full' },
  warmup: { type: 'string', value: 'N', description: 'unmeasured runs per implementation first' },
  timeout: { type: 'string', value: 'DURATION', description: 'per-run limit; a run past it is killed and failed' },
  cpus: {
    type: 'string',
    value: 'LIST',
    description: 'pin every run to these CPUs with taskset -c (e.g. 1 or 0-1; needs util-linux)',
  },
  quiet: { type: 'boolean', description: 'no progress line (CI logs)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const COMPARE_FLAGS = {
  metric: {
    type: 'string',
    value: 'KEYS',
    description: 'metrics to compare, comma list, or all',
    default: 'wallMs,cpuMs,peakRssBytes',
  },
  json: { type: 'boolean', description: 'print the rows as JSON' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const RUN_USAGE = 'psm bench [run] [--config bench.yml] [--out DIR] [--hosts 5,10] [--msgs 20,40] [options]'
const RUN_SUMMARY =
  'Runs `psm scenario simple-discovery` for every hosts × msgs cell and implementation, each run in a fresh\n' +
  'process, interleaved; writes bench.md, charts/*.svg and results.json. Exit 0 when every run succeeded,\n' +
  '1 when some failed (they are counted in the report), 2 for bad config or flags; Ctrl-C, SIGTERM or SIGHUP\n' +
  'write a partial report and exit 130, 143 or 129 (128 + the signal).\n' +
  "Compare two reports with 'psm bench compare A B'; rebuild one with 'psm bench report RESULTS'."
const COMPARE_USAGE = 'psm bench compare A B [--metric wallMs,cpuMs] [--json]'
const COMPARE_SUMMARY =
  'Prints, for each metric, implementation and cell, the median of A, of B, B/A with its 95% bootstrap\n' +
  'interval from the raw runs, and a verdict: B slower (higher), faster (lower), or no difference at 95%.\n' +
  'A and B are results.json files or report directories (e.g. from two versions of psm).'

const REPORT_FLAGS = {
  out: {
    type: 'string',
    value: 'DIR',
    description: 'where to write bench.md and charts (default: next to results.json)',
  },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const
const REPORT_USAGE = 'psm bench report RESULTS [--out DIR]'
const REPORT_SUMMARY = 'Rebuilds bench.md and charts/*.svg from a results.json file or report directory.'

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'compare') return compare(argv.slice(1))
  if (argv[0] === 'report') return report(argv.slice(1))
  return run(argv[0] === 'run' ? argv.slice(1) : argv)
}

async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('bench', argv, RUN_FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp(RUN_USAGE, RUN_SUMMARY, RUN_FLAGS))
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (see 'psm bench --help')`)
  const config = loadBenchConfig({ path: flags.config, env: process.env, flags })
  const { runBench } = await import('../src/bench/bench.js')
  const controller = new AbortController()
  // a second signal exits at once (130 for Ctrl-C), without a report
  const interrupt = onInterrupt()
  interrupt.signalled.then(() => {
    process.stderr.write(
      '\nbench: interrupted; stopping the current run and writing a partial report (Ctrl-C again to quit now)\n',
    )
    controller.abort()
  })
  try {
    const outcome = await runBench({
      config,
      quiet: flags.quiet === true,
      progress: process.stderr,
      signal: controller.signal,
      command: ['psm', 'bench', ...argv].join(' '),
    })
    const runs = outcome.results.runs.length
    process.stdout.write(
      `${outcome.complete ? 'report' : 'partial report'}: ${outcome.dir}/bench.md (${runs} runs, ${outcome.failures} failed)\n`,
    )
    if (!outcome.complete) return interrupt.exitCode(130)
    if (outcome.failures > 0) throw new RunFailedError(`${outcome.failures} of ${runs} runs failed (see the report)`)
    return 0
  } finally {
    interrupt.dispose()
  }
}

async function report(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('bench report', argv, REPORT_FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp(REPORT_USAGE, REPORT_SUMMARY, REPORT_FLAGS))
    return 0
  }
  if (positionals.length !== 1) {
    throw new UsageError(`report: needs one results file, got ${positionals.length} (see 'psm bench report --help')`)
  }
  const { readResults, resultsDir } = await import('../src/bench/results.js')
  const { writeReport } = await import('../src/bench/bench.js')
  const source = positionals[0]!
  const dir = flags.out ?? resultsDir(source)
  await writeReport(dir, readResults(source))
  process.stdout.write(`report: ${dir}/bench.md\n`)
  return 0
}

async function compare(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('bench compare', argv, COMPARE_FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp(COMPARE_USAGE, COMPARE_SUMMARY, COMPARE_FLAGS))
    return 0
  }
  if (positionals.length !== 2) {
    throw new UsageError(`compare: needs two results files, got ${positionals.length} (see 'psm bench compare --help')`)
  }
  const [a, b] = positionals as [string, string]
  const { readResults } = await import('../src/bench/results.js')
  const { compareResults, formatComparison } = await import('../src/bench/compare.js')
  const { METRICS, metricByKey } = await import('../src/bench/metrics.js')
  const wanted = (flags.metric ?? COMPARE_FLAGS.metric.default).split(',').map((s) => s.trim())
  const metrics = wanted.includes('all')
    ? METRICS
    : wanted.map((k) => {
        const m = metricByKey(k)
        if (!m)
          throw new UsageError(
            `compare: --metric: unknown metric '${k}' (known: ${METRICS.map((x) => x.key).join(', ')})`,
          )
        return m
      })
  const rows = compareResults(readResults(a), readResults(b), metrics)
  process.stdout.write(
    flags.json ? `${JSON.stringify(rows, null, 1)}\n` : `${formatComparison(rows, metrics, [a, b])}\n`,
  )
  return 0
}
