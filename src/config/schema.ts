// A small schema language for the YAML config files (sim.yml, bench.yml): typed declarations with
// defaults, strict checks (unknown keys, wrong types, out-of-range values) and one-line messages that
// name the key path. It knows nothing of files: src/config/load.ts adds file names, lines, env and flags.

import { formatMs, parseDuration } from './duration.js'
import { excerpt } from './excerpt.js'
import { formatHostPort, parseHostPort } from './host-port.js'

export type Path = readonly (string | number)[]

/** A value that does not fit its schema; `path` is the key path from the root of the config. */
export class ConfigIssue extends Error {
  override name = 'ConfigIssue'
  constructor(
    readonly path: Path,
    message: string,
  ) {
    super(message)
  }
}

export interface Schema<T> {
  readonly kind: string
  /** what a valid value looks like, for messages: 'a whole number from 1 to 1000' */
  readonly expected: string
  /** the value a missing key takes; `undefined` when the key is required */
  readonly defaultValue: T | undefined
  /** accepts null (an empty value in YAML) */
  readonly nullable?: boolean
  /** checks a value parsed from YAML (or given in code) */
  check(value: unknown, path: Path): T
  /** parses the text of an env variable or a flag */
  fromText(text: string, path: Path): T
}

export type Infer<S> = S extends Schema<infer T> ? T : never

export interface ObjectSchema<T> extends Schema<T> {
  readonly kind: 'object'
  readonly fields: Readonly<Record<string, Schema<unknown>>>
}

export interface ListSchema<T> extends Schema<T[]> {
  readonly kind: 'list'
  readonly item: Schema<T>
}

export function formatPath(path: Path): string {
  let out = ''
  // keys come from the user's file: quoted as short escaped excerpts like any other input
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? excerpt(seg) : `.${excerpt(seg)}`
  return out
}

export function show(value: unknown): string {
  if (typeof value === 'string') return `'${excerpt(value)}'`
  if (value === undefined) return 'nothing'
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  if (Array.isArray(value)) return 'a list'
  return 'a mapping'
}

const fail = (path: Path, message: string): never => {
  throw new ConfigIssue(path, message)
}

// --- numbers -------------------------------------------------------------------------------------

export interface NumberOptions {
  default?: number
  min?: number
  max?: number
  integer?: boolean
}

export function number(opts: NumberOptions = {}): Schema<number> {
  const kindWord = opts.integer ? 'a whole number' : 'a number'
  const range =
    opts.min !== undefined && opts.max !== undefined
      ? ` from ${opts.min} to ${opts.max}`
      : opts.min !== undefined
        ? ` of at least ${opts.min}`
        : opts.max !== undefined
          ? ` of at most ${opts.max}`
          : ''
  const s: Schema<number> = {
    kind: 'number',
    expected: `${kindWord}${range}`,
    defaultValue: opts.default,
    check(value, path) {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, `${show(value)} is not ${kindWord}`)
      const n = value as number
      if (opts.integer && !Number.isInteger(n)) fail(path, `${n} is not a whole number`)
      // a count that must be positive says so (`--max-peers -3`), after the minimum the other checks name
      const positive = opts.integer && opts.min === 1 ? ' (a positive whole number)' : ''
      if (opts.min !== undefined && n < opts.min) fail(path, `${n} is below the minimum ${opts.min}${positive}`)
      if (opts.max !== undefined && n > opts.max) fail(path, `${n} is above the maximum ${opts.max}`)
      return n
    },
    fromText(text, path) {
      const t = text.trim()
      if (!/^-?(\d+(\.\d*)?|\.\d+)(e-?\d+)?$/i.test(t)) return fail(path, `${show(text)} is not ${kindWord}`)
      return s.check(Number(t), path)
    },
  }
  return s
}

export const int = (opts: Omit<NumberOptions, 'integer'> = {}): Schema<number> => number({ ...opts, integer: true })

// --- strings -------------------------------------------------------------------------------------

export function oneOf<const E extends readonly string[]>(values: E, def?: E[number]): Schema<E[number]> {
  const list = values.join(', ')
  const s: Schema<E[number]> = {
    kind: 'enum',
    expected: `one of ${list}`,
    defaultValue: def,
    check(value, path) {
      if (typeof value === 'number') value = String(value) // `level: 1` in a file means the enum value '1'
      if (typeof value !== 'string' || !values.includes(value)) fail(path, `${show(value)} is not one of ${list}`)
      return value as E[number]
    },
    fromText: (text, path) => s.check(text.trim(), path),
  }
  return s
}

export interface StringOptions {
  default?: string
  /** a test the value must pass, with the words for what it must look like */
  pattern?: RegExp
  expected?: string
  nonEmpty?: boolean
}

export function string(opts: StringOptions = {}): Schema<string> {
  const expected = opts.expected ?? (opts.nonEmpty ? 'a non-empty string' : 'a string')
  const s: Schema<string> = {
    kind: 'string',
    expected,
    defaultValue: opts.default,
    check(value, path) {
      if (typeof value !== 'string') return fail(path, `${show(value)} is not ${expected}`)
      if (opts.nonEmpty && value.trim() === '') fail(path, `is empty; expected ${expected}`)
      if (opts.pattern && !opts.pattern.test(value)) fail(path, `${show(value)} is not ${expected}`)
      return value
    },
    fromText: (text, path) => s.check(text, path),
  }
  return s
}

/** `host:port` (a bare port means 127.0.0.1:port); the value kept is the normalised `host:port`. */
export function hostPort(def?: string): Schema<string> {
  const expected = 'host:port (e.g. 127.0.0.1:9464)'
  const s: Schema<string> = {
    kind: 'hostPort',
    expected,
    defaultValue: def,
    check(value, path) {
      if (typeof value === 'number') value = String(value)
      if (typeof value !== 'string') return fail(path, `${show(value)} is not ${expected}`)
      const a = parseHostPort(value)
      if (!a) return fail(path, `${show(value)} is not ${expected}`)
      return formatHostPort(a)
    },
    fromText: (text, path) => s.check(text, path),
  }
  return s
}

// --- booleans ------------------------------------------------------------------------------------

const TRUE_WORDS = ['1', 'true', 'yes', 'on']
const FALSE_WORDS = ['0', 'false', 'no', 'off']

export function boolean(def?: boolean): Schema<boolean> {
  return {
    kind: 'boolean',
    expected: 'true or false',
    defaultValue: def,
    check(value, path) {
      if (typeof value !== 'boolean') fail(path, `${show(value)} is not true or false`)
      return value as boolean
    },
    fromText(text, path) {
      const t = text.trim().toLowerCase()
      if (TRUE_WORDS.includes(t)) return true
      if (FALSE_WORDS.includes(t)) return false
      return fail(path, `${show(text)} is not true or false (use 1/0, true/false, yes/no, on/off)`)
    },
  }
}

// --- durations -----------------------------------------------------------------------------------

export interface DurationOptions {
  /** a duration text ('30s') or milliseconds */
  default?: string | number
  /** milliseconds */
  min?: number
  max?: number
}

/** A duration written `500ms`, `30s`, `2m`, `1h`, or a bare number of seconds; the value is milliseconds. */
export function duration(opts: DurationOptions = {}): Schema<number> {
  const expected = 'a duration (e.g. 500ms, 30s, 2m, 1h; a bare number is seconds)'
  const toMs = (value: unknown, path: Path): number => {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value * 1000)
    if (typeof value === 'string') {
      const ms = parseDuration(value)
      if (ms !== undefined) return ms
    }
    return fail(path, `${show(value)} is not ${expected}`)
  }
  const s: Schema<number> = {
    kind: 'duration',
    expected,
    defaultValue: opts.default === undefined ? undefined : toMs(opts.default, []),
    check(value, path) {
      const ms = toMs(value, path)
      const given = typeof value === 'number' ? `${value}s` : String(value).trim()
      if (opts.min !== undefined && ms < opts.min) fail(path, `${given} is below the minimum ${formatMs(opts.min)}`)
      if (opts.max !== undefined && ms > opts.max) fail(path, `${given} is above the maximum ${formatMs(opts.max)}`)
      return ms
    },
    fromText: (text, path) => s.check(text, path),
  }
  return s
}

// --- nullable ------------------------------------------------------------------------------------

/** The inner schema, or `null` (written `null`, `~` or an empty value in YAML; `none` or '' in env/flags). */
export function nullable<T>(inner: Schema<T>, def: T | null = null): Schema<T | null> {
  return {
    kind: inner.kind,
    expected: `${inner.expected}, or null`,
    defaultValue: def,
    nullable: true,
    check: (value, path) => (value === null ? null : inner.check(value, path)),
    fromText: (text, path) => (text.trim() === '' || text.trim() === 'none' ? null : inner.fromText(text, path)),
  }
}

// --- lists ---------------------------------------------------------------------------------------

export interface ListOptions<T> {
  default?: readonly T[]
  minItems?: number
  maxItems?: number
  unique?: boolean
}

/** A YAML sequence; from env or flags a comma-separated list (`5,10,20`). */
export function list<T>(item: Schema<T>, opts: ListOptions<T> = {}): ListSchema<T> {
  const s: ListSchema<T> = {
    kind: 'list',
    item,
    expected: `a list of ${item.expected}`,
    defaultValue: opts.default ? [...opts.default] : undefined,
    check(value, path) {
      if (!Array.isArray(value)) return fail(path, `${show(value)} is not ${s.expected}`)
      const out = value.map((v, i) => item.check(v, [...path, i]))
      if (opts.minItems !== undefined && out.length < opts.minItems) {
        fail(path, `has ${out.length} item(s); at least ${opts.minItems} needed`)
      }
      if (opts.maxItems !== undefined && out.length > opts.maxItems) {
        fail(path, `has ${out.length} items; at most ${opts.maxItems} allowed`)
      }
      if (opts.unique) {
        const seen = new Set<string>()
        out.forEach((v, i) => {
          const key = JSON.stringify(v)
          if (seen.has(key)) fail([...path, i], `${show(v)} is listed twice`)
          seen.add(key)
        })
      }
      return out
    },
    fromText(text, path) {
      const parts = text.trim() === '' ? [] : text.split(',')
      // parse items from text, then run the list checks (count, uniqueness) on the result
      return s.check(
        parts.map((p, i) => item.fromText(p.trim(), [...path, i])),
        path,
      )
    },
  }
  return s
}

// --- objects -------------------------------------------------------------------------------------

type Fields = Record<string, Schema<unknown>>
type ObjectOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> }

/** A mapping with known keys: unknown keys are errors, missing keys take their defaults. */
export function object<F extends Fields>(fields: F): ObjectSchema<ObjectOf<F>> {
  const known = Object.keys(fields)
  const s: ObjectSchema<ObjectOf<F>> = {
    kind: 'object',
    fields,
    expected: 'a mapping of keys',
    get defaultValue() {
      // an object's default is its fields' defaults; undefined when some field is required
      try {
        return s.check({}, [])
      } catch {
        return undefined
      }
    },
    check(value, path) {
      if (value === null || value === undefined) value = {}
      if (typeof value !== 'object' || Array.isArray(value))
        return fail(path, `${show(value)} is not a mapping of keys`)
      const input = value as Record<string, unknown>
      for (const key of Object.keys(input)) {
        if (!Object.hasOwn(fields, key)) fail([...path, key], `unknown key (known keys here: ${known.join(', ')})`)
      }
      const out: Record<string, unknown> = {}
      for (const [key, field] of Object.entries(fields)) {
        const at = [...path, key]
        if (Object.hasOwn(input, key)) {
          const v = input[key]
          if (v === null && field.kind !== 'object' && !field.nullable) {
            fail(at, `has no value; expected ${field.expected}`)
          }
          out[key] = field.check(v, at)
        } else if (field.kind === 'object') {
          out[key] = field.check({}, at)
        } else if (field.defaultValue !== undefined) {
          out[key] = structuredClone(field.defaultValue)
        } else {
          fail(at, `is missing; expected ${field.expected}`)
        }
      }
      return out as ObjectOf<F>
    },
    fromText: (text, path) => fail(path, `${show(text)}: a mapping cannot be set from text`),
  }
  return s
}

// --- paths ---------------------------------------------------------------------------------------

/** The schema of the key at a dotted path (`limits.maxPeers`). */
export function schemaAt(root: Schema<unknown>, dotted: string): Schema<unknown> {
  let at: Schema<unknown> = root
  for (const key of dotted.split('.')) {
    const fields = (at as Partial<ObjectSchema<unknown>>).fields
    const next = fields && Object.hasOwn(fields, key) ? fields[key] : undefined
    if (!next) throw new Error(`no key '${dotted}' in the schema`) // a programming error, not a user's
    at = next
  }
  return at
}

export function setAt(config: unknown, dotted: string, value: unknown): void {
  const keys = dotted.split('.')
  const last = keys.pop()!
  let at = config as Record<string, unknown>
  for (const key of keys) at = at[key] as Record<string, unknown>
  at[last] = value
}
