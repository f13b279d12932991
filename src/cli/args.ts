// Flag parsing for the commands: node's parseArgs in strict mode, errors as UsageError.
import { parseArgs } from 'node:util'
import { parseDuration } from '../config/duration.js'
import { type HostPort, parseHostPort } from '../config/host-port.js'
import { UsageError } from '../errors.js'

export interface FlagSpec {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  /** shown in --help */
  description: string
  /** value name in --help */
  value?: string
  default?: string | boolean
}

export type FlagSpecs = Record<string, FlagSpec>

export type ParsedFlags<S extends FlagSpecs> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['multiple'] extends true ? string[] : string
}

export interface Parsed<S extends FlagSpecs> {
  flags: ParsedFlags<S>
  positionals: string[]
}

export function parseFlags<S extends FlagSpecs>(command: string, argv: readonly string[], specs: S): Parsed<S> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {}
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    }
  }
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true })
    return { flags: values as ParsedFlags<S>, positionals }
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err)
    throw new UsageError(`${command}: ${msg} (see 'psm ${command} --help')`)
  }
}

export function formatHelp(usage: string, summary: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const left = `  ${s.short ? `-${s.short}, ` : ''}--${name}${s.type === 'string' ? ` ${s.value ?? 'VALUE'}` : ''}`
    const def = s.default !== undefined ? ` (default: ${String(s.default)})` : ''
    return [left, `${s.description}${def}`] as const
  })
  const width = Math.max(...rows.map(([l]) => l.length), 10) + 2
  return [`usage: ${usage}`, '', summary, '', 'options:', ...rows.map(([l, r]) => `${l.padEnd(width)}${r}`), ''].join(
    '\n',
  )
}

/** A duration flag (500ms, 30s, 2m, 1h, or a bare number of seconds) in milliseconds. */
export function durationFlag(what: string, value: string): number {
  const ms = parseDuration(value)
  if (ms === undefined) throw new UsageError(`${what}: '${value}' is not a duration (use e.g. 500ms, 30s, 2m, 1h)`)
  return ms
}

export function parseIntFlag(what: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${what}: '${value}' is not a whole number`)
  const n = Number(value)
  if (n < min || n > max) throw new UsageError(`${what}: ${n} is out of range (${min}..${max})`)
  return n
}

/** A host:port flag; 127.0.0.1 when only a port is given, `defaultPort` when only a host is. */
export function hostPortFlag(what: string, value: string, defaultPort: number): HostPort {
  const a = parseHostPort(value, defaultPort)
  if (!a) throw new UsageError(`${what}: '${value}' is not host:port`)
  return a
}
