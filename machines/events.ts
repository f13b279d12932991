// Event shapes shared by the six machines.

/** How a machine answers the caller that sent a Multi event (the Go version used channels). */
export interface Reply<T = unknown> {
  resolve(value: T): void
  reject(error: unknown): void
}

/** Arguments of a Multi event: recorded in the transition log (primitives only are kept). */
export type Args = Readonly<Record<string, unknown>>

export interface MultiEvent<N extends string, A extends Args = Args> {
  type: N
  args: A
  reply?: Reply
}

export type AddEvent<S extends string> = { type: `add.${S}`; args?: Args }
export type RemoveEvent<S extends string> = { type: `remove.${S}`; args?: Args }
export type BoolEvents<S extends string> = AddEvent<S> | RemoveEvent<S>

export interface ExceptionEvent {
  type: 'Exception'
  args: { error: string; [k: string]: unknown }
}

/** A no-op implementation: machines declare their work as stubs; src/ binds it with `.provide()`. */
export function stub(): void {}
