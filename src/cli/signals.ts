// Ctrl-C handling for long commands: the first SIGINT/SIGTERM asks for a clean stop (flush every
// sink), a second one exits at once with 130.

export interface Interrupt {
  /** resolves on the first signal */
  readonly signalled: Promise<NodeJS.Signals>
  /** true once a signal arrived */
  readonly fired: boolean
  dispose(): void
}

export function onInterrupt(onSecond: () => void = () => process.exit(130)): Interrupt {
  let fired = false
  let resolve!: (s: NodeJS.Signals) => void
  const signalled = new Promise<NodeJS.Signals>((r) => (resolve = r))
  const handler = (sig: NodeJS.Signals) => {
    if (fired) {
      onSecond()
      return
    }
    fired = true
    resolve(sig)
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    signalled,
    get fired() {
      return fired
    },
    dispose() {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
