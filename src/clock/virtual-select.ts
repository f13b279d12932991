// Which clock a command runs on, read by the dispatcher before the command module loads: `--clock MODE`
// on `psm sim`, `psm scenario`, `psm interop run` (virtual by default there) and `psm experiment run`, else
// `clock:` in the sim.yml given with `--config` or the experiment file (virtual by default). Only the
// clock is read here; the command validates its flags and file fully afterwards (and names any error there).
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { UsageError } from '../errors.js'
import { CLOCK_MODES, CLOCKED_COMMANDS, type ClockMode } from './virtual-mode.js'

function flagValue(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--') break
    if (a === `--${name}`) value = argv[++i]
    else if (a.startsWith(`--${name}=`)) value = a.slice(name.length + 3)
  }
  return value
}

/** The FILE of `experiment run FILE`: the first positional after `run` (flags that take a value skipped). */
function experimentFile(argv: readonly string[]): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--') return argv[i + 1]
    if (a === '--out' || a === '--clock' || a === '--interop') i++
    else if (!a.startsWith('-')) return a
  }
  return undefined
}

/** Parses a clock name; bad values are a usage error naming where they came from. */
export function parseClockMode(where: string, value: unknown): ClockMode {
  if (typeof value !== 'string' || !(CLOCK_MODES as readonly string[]).includes(value)) {
    throw new UsageError(`${where}: '${String(value)}' is not one of ${CLOCK_MODES.join(', ')}`)
  }
  return value as ClockMode
}

/** The clock a command line asks for ('real' for commands without one). */
export function clockModeOf(command: string, argv: readonly string[]): ClockMode {
  if (!CLOCKED_COMMANDS.includes(command)) return 'real'
  // `psm experiment run FILE`: the file's clock, virtual by default; other subcommands need none
  if (command === 'experiment' && argv[0] !== 'run') return 'real'
  // `psm dht run` defaults to the virtual clock; its other subcommands (serve, compare) and runs spread
  // over processes (--procs, TCP) are real
  if (command === 'dht' && argv[0] !== 'run') return 'real'
  const flag = flagValue(argv, 'clock')
  if (flag !== undefined) return parseClockMode('--clock', flag)
  // `psm interop run` simulates a Shadow run: virtual unless asked; `psm interop node` is a real node
  if (command === 'interop') return argv[0] === 'run' ? 'virtual' : 'real'
  // `psm experiment run --interop DIR` is the same run as `psm interop run DIR`
  if (command === 'experiment' && flagValue(argv, 'interop') !== undefined) return 'virtual'
  const fallback: ClockMode =
    command === 'experiment' || (command === 'dht' && !(Number(flagValue(argv, 'procs') ?? 0) > 0)) ? 'virtual' : 'real'
  const config =
    command === 'sim' || command === 'dht'
      ? flagValue(argv, 'config')
      : command === 'experiment'
        ? experimentFile(argv)
        : undefined
  if (config === undefined) return fallback
  let doc: unknown
  try {
    doc = parse(readFileSync(config, 'utf8'))
  } catch {
    // unreadable or not YAML: the command's own config loader reports it
    return fallback
  }
  const value = (doc as Record<string, unknown> | null)?.clock
  if (value === undefined || value === null) return fallback
  return CLOCK_MODES.includes(value as ClockMode) ? (value as ClockMode) : fallback
}

/**
 * Checks a command's clock against its transport and the clock the dispatcher installed: only the real
 * clock runs TCP (real sockets run on wall time), and a command run in-process cannot switch clocks.
 */
export function checkCommandClock(mode: ClockMode, installed: ClockMode, transport: string, flag = '--clock'): void {
  if (mode !== 'real' && transport === 'tcp') {
    throw new UsageError(
      `${flag} ${mode}: needs the memory transport (TCP runs on real sockets and wall time; use --clock real)`,
    )
  }
  if (mode !== installed) {
    throw new UsageError(
      `${flag} ${mode}: the ${installed} clock is installed; the psm binary installs the clock before the command loads`,
    )
  }
}
