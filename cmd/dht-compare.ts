// `psm dht compare A B`: two `psm dht run` results (results.json or their folders) side by side.
import { formatHelp, parseFlags } from '../src/cli/args.js'
import { compareDht, formatDhtComparison, loadResults } from '../src/dht/compare.js'
import { UsageError } from '../src/errors.js'

const FLAGS = {
  json: { type: 'boolean', description: 'print the comparison as JSON' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const
const USAGE = 'psm dht compare A B [--json]'

export async function main(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('dht compare', argv, FLAGS)
  if (flags.help) {
    process.stdout.write(
      formatHelp(USAGE, 'Compares run B with run A: latency ratios B/A with 95% intervals, success rates.', FLAGS),
    )
    return 0
  }
  if (positionals.length !== 2)
    throw new UsageError(`expected two runs A and B (usage: ${USAGE})`, { command: 'dht compare' })
  const a = loadResults(positionals[0]!)
  const b = loadResults(positionals[1]!)
  process.stdout.write(
    flags.json
      ? `${JSON.stringify(compareDht(a.results, b.results))}\n`
      : formatDhtComparison(a.path, b.path, a.results, b.results),
  )
  return 0
}
