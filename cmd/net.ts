// `psm net show FILE [--hosts N] [--seed S] [--json]`: what a network model file means for N hosts.
import { formatHelp, parseFlags, parseIntFlag } from '../src/cli/args.js'
import { UsageError } from '../src/errors.js'
import { describeModel, formatDescription } from '../src/net/model/describe.js'
import { loadNetworkModel } from '../src/net/model/load.js'

const FLAGS = {
  hosts: { type: 'string', value: 'N', description: 'how many hosts to place', default: '100' },
  seed: { type: 'string', value: 'S', description: 'the seed placements and per-pair draws come from', default: '1' },
  json: { type: 'boolean', description: 'print JSON' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const USAGE = 'psm net show FILE [--hosts N] [--seed S] [--json]'
const SUMMARY = [
  'show   hosts per region / graph node / matrix row and per bandwidth class, and the one-way',
  '       latency over all host pairs (min, p50, p99, max)',
  '',
  'FILE is a network model: a .yml model (see networks/), an oar-p2p latency matrix (.txt) or a',
  'Shadow graph (.gml).',
].join('\n')

export async function main(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('net', argv, FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp(USAGE, SUMMARY, FLAGS))
    return 0
  }
  const [sub, file, ...extra] = positionals
  if (sub !== 'show') throw new UsageError(`expected 'show', got ${sub ? `'${sub}'` : 'nothing'} (usage: ${USAGE})`)
  if (!file) throw new UsageError(`show: a model FILE is required (usage: ${USAGE})`)
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`)
  const hosts = parseIntFlag('--hosts', flags.hosts ?? '100', 1, 100_000)
  const seed = parseIntFlag('--seed', flags.seed ?? '1', 0, 0xffffffff)
  const description = describeModel(loadNetworkModel(file, { seed }), hosts)
  process.stdout.write(flags.json ? `${JSON.stringify(description)}\n` : formatDescription(description))
  return 0
}
