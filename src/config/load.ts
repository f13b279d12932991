// Loads a config: a YAML file checked against a schema (defaults fill missing keys), then env overrides,
// then flag overrides, then checks across keys. Each problem is one line naming where it came from
// (file and line, env variable or flag) and the key path: InputError, or UsageError for a flag.
import { readFileSync, statSync } from 'node:fs'
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml'
import { InputError, UsageError } from '../errors.js'
import { excerpt } from './excerpt.js'
import { ConfigIssue, formatPath, type Path, type Schema, schemaAt, setAt } from './schema.js'

export interface Override<T> {
  /** the env variable (`SIM_MAX_PEERS`) or flag name without dashes (`max-peers`) */
  name: string
  /** the dotted key path it sets */
  path: string
  /** turns the text (or a boolean flag) into the key's value; by default the key's schema parses the text */
  parse?: (value: string | boolean, path: Path) => unknown
  /** further keys implied by this one (`--metrics=host:port` also sets the address); may throw ConfigIssue */
  implies?: (config: T, value: unknown, given: string | boolean) => void
}

/** A rule across keys, e.g. initial peers must not exceed the peer limit; returns a message when broken. */
export interface Check<T> {
  paths: readonly string[]
  test(config: T): string | undefined
}

export type FlagValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>

export interface LoadOptions<T> {
  /** shown in messages when no file is read: 'sim.yml' */
  name: string
  /** the file to read; without it (and without `text`) the schema's defaults are the config */
  file?: string
  /** YAML text instead of a file (embedded defaults, tests) */
  text?: string
  env?: Readonly<Record<string, string | undefined>>
  envOverrides?: readonly Override<T>[]
  flags?: FlagValues
  flagOverrides?: readonly Override<T>[]
  checks?: readonly Check<T>[]
}

/**
 * The largest config file read: the repository's sim.yml is 5 KB, so 1 MiB leaves room for any real
 * config (a network model inline included) while a stray log or binary given as --config is refused at
 * once instead of parsed for seconds.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024

type OriginKind = 'default' | 'file' | 'env' | 'flag'
interface Origin {
  kind: OriginKind
  where: string
}
const RANK: Record<OriginKind, number> = { default: 0, file: 1, env: 2, flag: 3 }

export function loadConfig<T>(schema: Schema<T>, opts: LoadOptions<T>): T {
  const source = readSource(opts)
  const origins = new Map<string, Origin>()
  let config: T
  if (source === undefined) {
    config = checkOrThrow(schema, {}, (issue) => new InputError(`${opts.name} defaults: ${describe(issue)}`))
  } else {
    config = checkFile(schema, source.name, source.text, origins)
  }
  applyOverrides(schema, config, 'env', opts.env ?? {}, opts.envOverrides ?? [], origins)
  applyOverrides(schema, config, 'flag', opts.flags ?? {}, opts.flagOverrides ?? [], origins)
  for (const check of opts.checks ?? []) {
    const message = check.test(config)
    if (message === undefined) continue
    const blamed = check.paths
      .map((p) => origins.get(p) ?? { kind: 'default' as const, where: `${source?.name ?? opts.name} defaults` })
      .reduce((a, b) => (RANK[b.kind] > RANK[a.kind] ? b : a))
    const text = `${blamed.where}: ${message}`
    throw blamed.kind === 'flag' ? new UsageError(text) : new InputError(text)
  }
  return config
}

function readSource(opts: { name: string; file?: string; text?: string }): { name: string; text: string } | undefined {
  if (opts.text !== undefined) {
    const name = opts.file ?? opts.name
    if (Buffer.byteLength(opts.text) > MAX_CONFIG_BYTES) throw tooLarge(name, Buffer.byteLength(opts.text))
    return { name, text: opts.text }
  }
  if (opts.file === undefined) return undefined
  try {
    // the size first, so a huge file is neither read nor parsed
    const stat = statSync(opts.file)
    if (stat.isFile() && stat.size > MAX_CONFIG_BYTES) throw tooLarge(opts.file, stat.size)
    return { name: opts.file, text: readFileSync(opts.file, 'utf8') }
  } catch (err) {
    if (err instanceof InputError) throw err
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? String(err))
    throw new InputError(`${opts.file}: cannot read the config: ${why}`)
  }
}

function tooLarge(name: string, bytes: number): InputError {
  const n = (x: number) => x.toLocaleString('en-US')
  return new InputError(`${name}: the config is ${n(bytes)} bytes, over the limit of ${n(MAX_CONFIG_BYTES)} (1 MiB)`)
}

function describe(issue: ConfigIssue): string {
  return issue.path.length > 0 ? `${formatPath(issue.path)}: ${issue.message}` : issue.message
}

function checkOrThrow<T>(schema: Schema<T>, value: unknown, toError: (issue: ConfigIssue) => Error): T {
  try {
    return schema.check(value, [])
  } catch (err) {
    if (err instanceof ConfigIssue) throw toError(err)
    throw err
  }
}

function checkFile<T>(schema: Schema<T>, name: string, text: string, origins: Map<string, Origin>): T {
  const lineCounter = new LineCounter()
  // yaml's own duplicate-key check compares each key with every earlier one of its mapping (quadratic:
  // 250 KB of keys took 4.4 s, 500 KB 24 s); duplicateKey below does the same check with a set, linearly
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false })
  const parseError = doc.errors[0]
  if (parseError) {
    const line = lineCounter.linePos(parseError.pos[0]).line
    const msg = (parseError.message.split('\n')[0] ?? parseError.code).replace(/ at line \d+, column \d+:?$/, '')
    throw new InputError(`${name}${line ? `:${line}` : ''}: not valid YAML: ${excerpt(msg, 120)}`)
  }
  if (doc.contents === null) {
    // an empty file is a mistake (a truncated copy, the wrong path), never a silent run on the defaults
    throw new InputError(`${name}: the config is empty (leave out the file to run on the built-in defaults)`)
  }
  const dup = duplicateKey(doc.contents)
  if (dup) {
    const line = dup.start !== undefined ? lineCounter.linePos(dup.start).line : undefined
    throw new InputError(`${name}${line ? `:${line}` : ''}: ${formatPath(dup.path)}: the key is given twice`)
  }
  const value: unknown = doc.toJS()
  const config = checkOrThrow(schema, value, (issue) => {
    const line = lineAt(doc, lineCounter, issue.path)
    return new InputError(`${name}${line ? `:${line}` : ''}: ${describe(issue)}`)
  })
  recordFileOrigins(doc, lineCounter, name, origins)
  return config
}

/** The first key given twice in one mapping, anywhere in the document: one pass, a set per mapping. */
function duplicateKey(root: unknown): { path: Path; start: number | undefined } | undefined {
  const stack: Array<{ node: unknown; path: Path }> = [{ node: root, path: [] }]
  while (stack.length > 0) {
    const { node, path } = stack.pop()!
    if (isMap(node)) {
      const seen = new Set<unknown>()
      for (const pair of node.items) {
        const key: unknown = isScalar(pair.key) ? pair.key.value : pair.key
        const seg = typeof key === 'string' || typeof key === 'number' ? key : String(key)
        if (seen.has(key)) return { path: [...path, seg], start: isScalar(pair.key) ? pair.key.range?.[0] : undefined }
        seen.add(key)
        stack.push({ node: pair.value, path: [...path, seg] })
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) stack.push({ node: item, path: [...path, i] })
    }
  }
  return undefined
}

/** The line of the deepest node found along a key path (the key itself for mapping entries). */
export function lineAt(doc: Document, lines: LineCounter, path: Path): number | undefined {
  let node: unknown = doc.contents
  let line: number | undefined
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg)
      if (!pair) return line
      const start = isScalar(pair.key) ? pair.key.range?.[0] : undefined
      if (start !== undefined) line = lines.linePos(start).line
      node = pair.value
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg]
      const start = (item as { range?: [number, number, number] } | undefined)?.range?.[0]
      if (start === undefined) return line
      line = lines.linePos(start).line
      node = item
    } else {
      return line
    }
  }
  return line
}

function recordFileOrigins(doc: Document, lines: LineCounter, name: string, origins: Map<string, Origin>): void {
  const walk = (node: unknown, prefix: string): void => {
    if (!isMap(node)) return
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue
      const path = prefix ? `${prefix}.${String(pair.key.value)}` : String(pair.key.value)
      const start = pair.key.range?.[0]
      origins.set(path, { kind: 'file', where: start !== undefined ? `${name}:${lines.linePos(start).line}` : name })
      walk(pair.value, path)
    }
  }
  walk(doc.contents, '')
}

function applyOverrides<T>(
  schema: Schema<T>,
  config: T,
  kind: 'env' | 'flag',
  values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>,
  overrides: readonly Override<T>[],
  origins: Map<string, Origin>,
): void {
  for (const o of overrides) {
    const raw = values[o.name]
    if (raw === undefined || (kind === 'env' && raw === '')) continue // an empty env variable counts as unset
    const where = kind === 'env' ? o.name : `--${o.name}`
    const path = o.path.split('.')
    const keySchema = schemaAt(schema, o.path)
    const given: string | boolean = Array.isArray(raw) ? raw.join(',') : (raw as string | boolean)
    const fail = (err: unknown): never => {
      if (!(err instanceof ConfigIssue)) throw err
      const text = `${where}: ${describe(err)}`
      throw kind === 'flag' ? new UsageError(text) : new InputError(text)
    }
    let value: unknown
    try {
      if (o.parse) value = keySchema.check(o.parse(given, path), path)
      else if (typeof given === 'boolean') value = keySchema.check(given, path)
      else value = keySchema.fromText(given, path)
    } catch (err) {
      fail(err)
    }
    setAt(config, o.path, value)
    const origin = { kind, where }
    origins.set(o.path, origin)
    if (o.implies) {
      // keys the hook changes are blamed on this override too
      const before: unknown = JSON.parse(JSON.stringify(config))
      try {
        o.implies(config, value, given)
      } catch (err) {
        fail(err)
      }
      markChanged(before, config, '', origins, origin)
    }
  }
}

function markChanged(before: unknown, after: unknown, prefix: string, origins: Map<string, Origin>, o: Origin): void {
  if (after && typeof after === 'object' && !Array.isArray(after)) {
    for (const [k, v] of Object.entries(after)) {
      markChanged((before as Record<string, unknown>)?.[k], v, prefix ? `${prefix}.${k}` : k, origins, o)
    }
  } else if (JSON.stringify(before) !== JSON.stringify(after)) {
    origins.set(prefix, o)
  }
}
