// `psm`: the dispatcher. Each command lives in cmd/<name>.ts and exports `main(argv)`.
import { CLOCKED_COMMANDS } from '../src/clock/virtual-mode.js'
import { excerpt } from '../src/config/excerpt.js'
import { errorMessage, PsmError } from '../src/errors.js'

export interface Command {
  summary: string
  load(): Promise<{ main(argv: string[]): Promise<number> }>
}

export const COMMANDS: Record<string, Command> = {
  sim: { summary: 'run the simulator (peers, topics, friends, messages)', load: () => import('./sim.js') },
  scenario: { summary: 'run one scripted scenario (simple-discovery)', load: () => import('./scenario.js') },
  bench: { summary: 'benchmark machine vs vanilla gossipsub; compare reports', load: () => import('./bench.js') },
  dbg: { summary: 'terminal debugger for transition logs, offline or live', load: () => import('./dbg.js') },
  machines: { summary: "print the six machines' derived schemas", load: () => import('./machines.js') },
  log: { summary: 'inspect a transition log: stats, validate', load: () => import('./log.js') },
  dht: { summary: 'Kademlia DHT provide/retrieve measurements (run, compare, serve)', load: () => import('./dht.js') },
  net: { summary: 'show what a network model file means for N hosts', load: () => import('./net.js') },
  experiment: {
    summary: 'run an experiment file (roles, topology, phases, attacks); compare two runs',
    load: () => import('./experiment.js'),
  },
  interop: {
    summary: 'gossipsub-interop: run a test-plans folder in one process, or be one interop node',
    load: () => import('./interop.js'),
  },
}

/** Installs the virtual or paced clock a `sim`/`scenario`/`interop run`/`experiment run` command line asks for. */
async function installCommandClock(name: string, argv: string[]) {
  if (!CLOCKED_COMMANDS.includes(name)) return undefined
  const { clockModeOf } = await import('../src/clock/virtual-select.js')
  const mode = clockModeOf(name, argv)
  if (mode === 'real') return undefined
  const { installClock } = await import('../src/clock/virtual-install.js')
  return installClock(mode)
}

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2
  return [
    'usage: psm <command> [options]',
    '',
    'psm (pubsub machines): libp2p gossipsub driven by explicit state machines.',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    '',
    "Run 'psm <command> --help' for a command's options.",
    '',
  ].join('\n')
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  // `psm help sim` is `psm sim --help`
  if (name === 'help' && rest[0] !== undefined) return run([rest[0], '--help'])
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage())
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-v') {
    const { psmVersion } = await import('../src/version.js')
    process.stdout.write(`${psmVersion()}\n`)
    return 0
  }
  const cmd = COMMANDS[name]
  if (!cmd) {
    process.stderr.write(`psm: unknown command '${excerpt(name)}' (see 'psm --help' for the commands)\n`)
    return 2
  }
  try {
    // the clock goes in before the command module (and libp2p, gossipsub) loads: one place, like the polyfill
    const clock = await installCommandClock(name, rest)
    const mod = await cmd.load()
    const release = clock?.hold()
    try {
      return await mod.main(rest)
    } finally {
      release?.()
    }
  } catch (err) {
    if (err instanceof PsmError) {
      process.stderr.write(`psm ${err.command ?? name}: ${errorMessage(err)}\n`)
      return err.exitCode
    }
    process.stderr.write(`psm ${name}: ${errorMessage(err)}\n`)
    if (process.env.PSM_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`)
    return 1
  }
}
