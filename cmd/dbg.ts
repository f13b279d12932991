// `psm dbg [FILE] [--listen host:port]`: the terminal debugger, offline on a log file or live.
import { formatHelp, hostPortFlag, parseFlags, parseIntFlag } from '../src/cli/args.js'
import { DEFAULT_DBG_ADDRESS, DEFAULT_DBG_PORT } from '../src/config/addresses.js'
import { KEY_HELP } from '../src/dbg/ui/keys.js'
import { UsageError } from '../src/errors.js'

const FLAGS = {
  listen: {
    type: 'string',
    value: 'HOST:PORT',
    description: 'live mode: accept NDJSON records from psm sim --dbg (used when no FILE is given)',
    default: DEFAULT_DBG_ADDRESS,
  },
  machine: { type: 'string', value: 'ID', description: 'open at this machine' },
  tx: {
    type: 'string',
    value: 'SEQ',
    description: 'open at this transition (seq) of the machine (--machine or the first)',
  },
  msg: { type: 'string', value: 'ID', description: 'open the message view of this message id (from a version 2 log)' },
  'max-mem': {
    type: 'string',
    value: 'MB',
    description: 'memory bound; past it the oldest transitions are dropped (shown in the status bar)',
    default: '1024',
  },
  'export-dir': { type: 'string', value: 'DIR', description: "where 'e' writes exported logs", default: '.' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const USAGE = 'psm dbg [FILE] [--listen host:port] [--machine ID] [--tx SEQ] [--msg ID] [--max-mem MB]'

function help(): string {
  const w = Math.max(...KEY_HELP.map(([k]) => k.length)) + 2
  const summary = [
    'Steps through what every machine did, from a recorded log (.jsonl or .jsonl.gz) or live:',
    'without FILE it listens for psm sim --dbg HOST:PORT streams (one or more) and follows the newest.',
  ].join('\n')
  const keys = KEY_HELP.map(([k, what]) => `  ${k.padEnd(w)}${what}`)
  return `${formatHelp(USAGE, summary, FLAGS)}\nkeys:\n${keys.join('\n')}\n`
}

export async function main(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('dbg', argv, FLAGS)
  if (flags.help) {
    process.stdout.write(help())
    return 0
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' (usage: ${USAGE})`)
  const file = positionals[0]
  if (file !== undefined && flags.listen !== undefined) {
    throw new UsageError('give a FILE or --listen, not both')
  }
  const maxMemMb = parseIntFlag('--max-mem', flags['max-mem'] ?? '1024', 128)
  const tx = flags.tx === undefined ? undefined : parseIntFlag('--tx', flags.tx, 0)
  const listen = hostPortFlag('--listen', flags.listen ?? DEFAULT_DBG_ADDRESS, DEFAULT_DBG_PORT)
  // React's development build is slower and keeps a performance entry per render
  process.env.NODE_ENV ??= 'production'
  // Ink reads CI at import and then draws only the last frame; a terminal on stdout means a person
  // is watching, whatever the environment says
  if (process.stdout.isTTY) {
    delete process.env.CI
    delete process.env.CONTINUOUS_INTEGRATION
  }
  const { runDbg } = await import('../src/dbg/run.js')
  return runDbg({
    ...(file !== undefined ? { file } : { listen }),
    ...(flags.machine !== undefined ? { machine: flags.machine } : {}),
    ...(tx !== undefined ? { tx } : {}),
    ...(flags.msg !== undefined ? { msg: flags.msg } : {}),
    maxMemMb,
    exportDir: flags['export-dir'] ?? '.',
  })
}
