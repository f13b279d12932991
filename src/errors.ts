// Named errors and the exit codes they map to: 2 bad input, 1 a run failed.

export interface PsmErrorOptions {
  /** the words after `psm` the message is given under, when more precise than the command (`log validate`) */
  command?: string
}

export class PsmError extends Error {
  override name = 'PsmError'
  readonly exitCode: number = 1
  readonly command: string | undefined

  constructor(message: string, opts: PsmErrorOptions = {}) {
    super(message)
    this.command = opts.command
  }
}

/** Unknown command or flag, a bad flag value. */
export class UsageError extends PsmError {
  override name = 'UsageError'
  override readonly exitCode = 2
}

/** A bad config, file or value: the message names what and where. */
export class InputError extends PsmError {
  override name = 'InputError'
  override readonly exitCode = 2
}

/** A run that did not do what it had to (undelivered messages, timeouts). */
export class RunFailedError extends PsmError {
  override name = 'RunFailedError'
  override readonly exitCode = 1
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
