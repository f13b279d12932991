// `psm experiment run FILE [--out DIR]` and `psm experiment compare A B`: parse, call src/experiment, exit.
// Exit 0 after a run (whatever it delivered: the report says), 2 for a bad file or flag, 128+n after a signal.
import { formatHelp, parseFlags } from '../src/cli/args.js'
import { onInterrupt } from '../src/cli/signals.js'
import { activeClockMode } from '../src/clock/virtual-install.js'
import { RealDate } from '../src/clock/virtual-real.js'
import { checkCommandClock } from '../src/clock/virtual-select.js'
import { UsageError } from '../src/errors.js'

const RUN_FLAGS = {
  out: { type: 'string', value: 'DIR', description: 'output folder', default: 'data/experiment-<UTC time>' },
  'no-log': { type: 'boolean', description: 'do not write the transition log (machine groups)' },
  interop: {
    type: 'string',
    value: 'DIR',
    description:
      'run a gossipsub-interop folder instead of FILE (as psm interop run: node logs under OUT/hosts), then write the report',
  },
  clock: { type: 'string', value: 'MODE', description: "override the file's clock: virtual | paced | real" },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const COMPARE_FLAGS = {
  out: { type: 'string', value: 'FILE', description: 'also write the comparison to FILE' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const USAGE = 'psm experiment run FILE [--out DIR] | psm experiment compare A B'
const SUMMARY = `Runs an experiment file (node groups and roles, gossipsub parameters, topology, phases, network
model, clock, seed, attacks; see experiments/ and the README) in this process, and writes DIR/results.json,
DIR/report.md with its SVG charts, the experiment file as run and, for machine groups, the transition log.
compare A B: two runs' tables side by side (A and B are output folders or results.json files), with
B/A ratios, 95% intervals and a verdict per metric.`

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(formatHelp(USAGE, SUMMARY, RUN_FLAGS))
    return sub === undefined ? 2 : 0
  }
  if (sub === 'run') return run(rest)
  if (sub === 'compare') return compare(rest)
  throw new UsageError(`unknown subcommand '${sub}' (known: run, compare)`)
}

async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('experiment', argv, RUN_FLAGS)
  if (flags.help) {
    process.stdout.write(
      formatHelp('psm experiment run FILE | --interop DIR [--out DIR] [--no-log] [--clock MODE]', SUMMARY, RUN_FLAGS),
    )
    return 0
  }
  const [file, extra] = positionals
  if (flags.interop !== undefined) {
    if (file !== undefined) throw new UsageError(`run: give FILE or --interop DIR, not both ('${file}')`)
    return runInteropFolder(flags.interop, flags.out, flags.clock)
  }
  if (file === undefined) throw new UsageError('run: missing the experiment FILE (or --interop DIR)')
  if (extra !== undefined) throw new UsageError(`run: unexpected argument '${extra}'`)
  const { loadExperiment } = await import('../src/experiment/config.js')
  const config = loadExperiment(file)
  if (flags.clock !== undefined) {
    const { parseClockMode } = await import('../src/clock/virtual-select.js')
    config.clock = parseClockMode('--clock', flags.clock)
  }
  checkCommandClock(config.clock, activeClockMode(), 'memory', flags.clock !== undefined ? '--clock' : `${file}: clock`)
  const { defaultOutDir, runAndWrite } = await import('../src/experiment/output.js')
  const outDir = flags.out ?? defaultOutDir(new RealDate())
  const interrupt = onInterrupt()
  const abort = new AbortController()
  void interrupt.signalled.then(() => abort.abort())
  const say = (line: string) => process.stderr.write(`psm experiment: ${line}\n`)
  try {
    const { results, files } = await runAndWrite({
      file,
      outDir,
      config,
      log: flags['no-log'] !== true,
      progress: say,
      signal: abort.signal,
    })
    const s = results.summary
    process.stdout.write(
      `${outDir}: ${files.join(', ')}\n` +
        `messages ${s.messages} · delivery ratio ${s.deliveryRatio ?? '—'} · time to 99% p50 ${s.timeTo99.p50 ?? '—'} ms p99 ${s.timeTo99.p99 ?? '—'} ms · duplicates avg ${s.duplicates.avg ?? '—'}\n`,
    )
    return interrupt.exitCode(0)
  } finally {
    interrupt.dispose()
  }
}

/** `psm experiment run --interop DIR`: the folder's run, then the experiment report of its deliveries. */
async function runInteropFolder(dir: string, out: string | undefined, clock: string | undefined): Promise<number> {
  const { parseClockMode } = await import('../src/clock/virtual-select.js')
  checkCommandClock(parseClockMode('--clock', clock ?? 'virtual'), activeClockMode(), 'memory')
  const { defaultOutDir } = await import('../src/experiment/output.js')
  const { runInteropExperiment } = await import('../src/experiment/interop.js')
  const outDir = out ?? defaultOutDir(new RealDate())
  const interrupt = onInterrupt()
  const abort = new AbortController()
  void interrupt.signalled.then(() => abort.abort())
  const say = (line: string) => process.stderr.write(`psm experiment: ${line}\n`)
  try {
    const { results, charts, failures } = await runInteropExperiment(dir, outDir, { signal: abort.signal, say })
    for (const f of failures) say(`FAILED ${f}`)
    const s = results.summary
    process.stdout.write(
      `${outDir}: hosts/, results.json, report.md, ${charts.join(', ')}\n` +
        `messages ${s.messages} · delivery ratio ${s.deliveryRatio ?? '—'} · time to 99% p50 ${s.timeTo99.p50 ?? '—'} ms p99 ${s.timeTo99.p99 ?? '—'} ms · duplicates avg ${s.duplicates.avg ?? '—'}\n`,
    )
    return interrupt.exitCode(failures.length === 0 ? 0 : 1)
  } finally {
    interrupt.dispose()
  }
}

async function compare(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('experiment', argv, COMPARE_FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp('psm experiment compare A B [--out FILE]', SUMMARY, COMPARE_FLAGS))
    return 0
  }
  const [a, b, extra] = positionals
  if (a === undefined || b === undefined) throw new UsageError('compare: needs two runs, A and B')
  if (extra !== undefined) throw new UsageError(`compare: unexpected argument '${extra}'`)
  const { compareResults, formatComparison, loadResults } = await import('../src/experiment/compare.js')
  const ra = loadResults(a)
  const rb = loadResults(b)
  const text = formatComparison(a, b, ra, rb, compareResults(ra, rb))
  if (flags.out !== undefined) {
    const { writeWhole } = await import('../src/experiment/output.js')
    writeWhole(flags.out, text)
  }
  process.stdout.write(text)
  return 0
}
