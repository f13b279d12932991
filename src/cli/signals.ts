// Stop signals for long commands. SIGINT (Ctrl-C), SIGTERM (a container stop, a plain `kill`) and SIGHUP
// (the terminal went away) are handled alike: the first asks for a clean stop (flush every sink, print the
// final block) and the command then exits with 128 + the signal's number, as a shell reports a process
// killed by it (130 SIGINT, 143 SIGTERM, 129 SIGHUP); a second signal exits at once with its own code.
import { constants } from 'node:os'

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
export type StopSignal = (typeof STOP_SIGNALS)[number]

/** The exit code after a stop by `signal`: 128 + its number (130, 143, 129). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0)
}

export interface Interrupt {
  /** resolves on the first signal */
  readonly signalled: Promise<NodeJS.Signals>
  /** true once a signal arrived */
  readonly fired: boolean
  /** the first signal, once one arrived */
  readonly signal: NodeJS.Signals | undefined
  /** the exit code for a run stopped by the first signal, or `otherwise` when none came */
  exitCode(otherwise: number): number
  dispose(): void
}

export function onInterrupt(
  onSecond: (signal: NodeJS.Signals) => void = (s) => process.exit(signalExitCode(s)),
): Interrupt {
  let first: NodeJS.Signals | undefined
  let resolve!: (s: NodeJS.Signals) => void
  const signalled = new Promise<NodeJS.Signals>((r) => (resolve = r))
  const handler = (sig: NodeJS.Signals) => {
    if (first !== undefined) {
      onSecond(sig)
      return
    }
    first = sig
    resolve(sig)
  }
  for (const s of STOP_SIGNALS) process.on(s, handler)
  return {
    signalled,
    get fired() {
      return first !== undefined
    },
    get signal() {
      return first
    },
    exitCode: (otherwise) => (first === undefined ? otherwise : signalExitCode(first)),
    dispose() {
      for (const s of STOP_SIGNALS) process.off(s, handler)
    },
  }
}
