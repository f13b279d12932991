// One operation sent to a pubsub host actor: carries the operation's input (which the transition
// record must not see) and settles the caller, like the reply channels of the Go version.
import type { Reply } from '../../machines/events.js'

export class Call<I = void, T = void> implements Reply<T> {
  /** the work began (in the machine's action, or inline when the actor could not run it now) */
  taken = false
  done = false
  ok = false
  value: T | undefined = undefined
  error: unknown = undefined

  constructor(readonly input: I) {}

  resolve(value: T): void {
    this.done = true
    this.ok = true
    this.value = value
  }

  reject(error: unknown): void {
    this.done = true
    this.error = error
  }

  /** The result of a synchronous operation: its value, or its error thrown. */
  unwrap(): T {
    if (!this.ok) throw this.error
    return this.value as T
  }
}

/** A call whose caller awaits a promise. */
export class AsyncCall<I = void, T = void> extends Call<I, T> {
  readonly promise: Promise<T>
  private settle!: (v: T) => void
  private fail!: (e: unknown) => void

  constructor(input: I) {
    super(input)
    this.promise = new Promise<T>((resolve, reject) => {
      this.settle = resolve
      this.fail = reject
    })
  }

  override resolve(value: T): void {
    super.resolve(value)
    this.settle(value)
  }

  override reject(error: unknown): void {
    super.reject(error)
    this.fail(error)
  }
}
