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
    const args = joinNegativeValues(argv, specs)
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true })
    return { flags: values as ParsedFlags<S>, positionals }
  } catch (err) {
    // node's unknown-option text goes on about positionals after `--`: the flag's name is what matters
    const msg = (err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)).replace(
      /\. To specify a positional argument.*$/,
      '',
    )
    // cmd/psm.ts prefixes `psm <command>: `; the message does not repeat it
    throw new UsageError(`${msg} (see 'psm ${command} --help')`, { command })
  }
}

/**
 * `--max-peers -3` as `--max-peers=-3`: parseArgs calls a value that starts with a dash ambiguous, while a
 * negative number after a flag that takes a value can only be that value, which the flag's own check then
 * judges ("-3 is below the minimum 1") instead of a message about dashes.
 */
function joinNegativeValues(argv: readonly string[], specs: FlagSpecs): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') {
      // everything after the terminator is a positional, as parseArgs reads it
      out.push(...argv.slice(i))
      break
    }
    const next = argv[i + 1]
    const name = a.startsWith('--') ? a.slice(2) : undefined
    if (name !== undefined && specs[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`)
      i++
    } else {
      out.push(a)
    }
  }
  return out
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
