// `psm log stats|validate FILE [--json]`: what a transition log holds, and whether it is well formed.
import { formatHelp, parseFlags } from '../src/cli/args.js'
import { InputError, UsageError } from '../src/errors.js'
import { formatStats } from '../src/telemetry/log/log-stats.js'
import { scanLog } from '../src/telemetry/log/reader.js'

const FLAGS = {
  json: { type: 'boolean', description: 'print JSON' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const USAGE = 'psm log stats|validate FILE [--json]'
const SUMMARY = [
  'stats      machines by type, transitions, accepted/refused, activations per state',
  'validate   exit 0 when the log is well formed; exit 2 with the first bad line and why',
  '',
  'FILE is a .jsonl or .jsonl.gz transition log (psm sim --log, psm scenario --log).',
].join('\n')

function msgCount(msgs: Record<string, number>): string {
  const n = Object.values(msgs).reduce((a, b) => a + b, 0)
  return n > 0 ? `, ${n} message marks` : ''
}

export async function main(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('log', argv, FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp(USAGE, SUMMARY, FLAGS))
    return 0
  }
  const [sub, file, ...extra] = positionals
  if (sub !== 'stats' && sub !== 'validate') {
    throw new UsageError(`expected 'stats' or 'validate', got ${sub ? `'${sub}'` : 'nothing'} (usage: ${USAGE})`)
  }
  if (!file) throw new UsageError(`${sub}: a log FILE is required (usage: ${USAGE})`)
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`)
  const { stats, problem } = await scanLog(file)
  if (sub === 'validate') {
    if (problem) {
      if (flags.json) process.stdout.write(`${JSON.stringify({ ok: false, file, ...problem })}\n`)
      throw new InputError(`${file}: line ${problem.line}: ${problem.message}`, { command: 'log validate' })
    }
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ ok: true, file, version: stats.version, lines: stats.lines, machines: stats.machines, txs: stats.txs, msgs: stats.msgs })}\n`
        : `${file}: ok (format version ${stats.version}, ${stats.lines} lines, ${stats.machines} machines, ${stats.txs} transitions${msgCount(stats.msgs)})\n`,
    )
    return 0
  }
  process.stdout.write(flags.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats))
  return 0
}
