// Shadow network graphs in GML, as gossipsub-interop writes them (networkx's generate_gml): a `graph`
// with `directed 1`, `node [ id label host_bandwidth_up "1024 Mbit" host_bandwidth_down ... ]` and
// `edge [ source target latency "25 ms" packet_loss 0.0 ]`. Parsed into plain data; every problem is an
// InputError naming the file and line.
import { InputError } from '../../errors.js'
import { LATENCY_EXPECTED, parseLatency, parseRate, RATE_EXPECTED } from './units.js'

export interface GmlNode {
  id: number
  label: string
  /** bits per second, when the node says */
  upBps?: number
  downBps?: number
}

export interface GmlEdge {
  source: number
  target: number
  latencyMs: number
  loss: number
}

export interface GmlGraph {
  directed: boolean
  nodes: GmlNode[]
  edges: GmlEdge[]
}

type GmlValue = number | string | GmlList
interface GmlEntry {
  key: string
  value: GmlValue
  line: number
}
interface GmlList {
  entries: GmlEntry[]
  line: number
}

interface Token {
  kind: 'word' | 'number' | 'string' | 'open' | 'close'
  text: string
  line: number
}

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = []
  let line = 1
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '\n') {
      line++
      i++
    } else if (/\s/.test(c)) {
      i++
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++ // a comment to the end of the line
    } else if (c === '[' || c === ']') {
      tokens.push({ kind: c === '[' ? 'open' : 'close', text: c, line })
      i++
    } else if (c === '"') {
      const start = line
      const end = text.indexOf('"', i + 1)
      if (end < 0) throw new InputError(`${file}:${start}: not valid GML: a string is not closed`)
      const body = text.slice(i + 1, end)
      tokens.push({ kind: 'string', text: body, line: start })
      line += body.split('\n').length - 1
      i = end + 1
    } else {
      const m = /^[^\s[\]"]+/.exec(text.slice(i, i + 256))!
      const word = m[0]
      const kind = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(word) ? 'number' : 'word'
      if (kind === 'word' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) {
        throw new InputError(`${file}:${line}: not valid GML: unexpected '${word}'`)
      }
      tokens.push({ kind, text: word, line })
      i += word.length
    }
  }
  return tokens
}

function parseList(tokens: Token[], at: { i: number }, file: string, line: number, nested: boolean): GmlList {
  const entries: GmlEntry[] = []
  for (;;) {
    const key = tokens[at.i]
    if (key === undefined) {
      if (nested) throw new InputError(`${file}:${line}: not valid GML: '[' opened here is never closed`)
      return { entries, line }
    }
    if (key.kind === 'close') {
      if (!nested) throw new InputError(`${file}:${key.line}: not valid GML: ']' without a matching '['`)
      at.i++
      return { entries, line }
    }
    if (key.kind !== 'word')
      throw new InputError(`${file}:${key.line}: not valid GML: expected a key, got '${key.text}'`)
    const value = tokens[at.i + 1]
    if (value === undefined || value.kind === 'close') {
      throw new InputError(`${file}:${key.line}: not valid GML: key '${key.text}' has no value`)
    }
    at.i += 2
    if (value.kind === 'open') {
      entries.push({ key: key.text, value: parseList(tokens, at, file, value.line, true), line: key.line })
    } else if (value.kind === 'number') {
      entries.push({ key: key.text, value: Number(value.text), line: key.line })
    } else {
      entries.push({ key: key.text, value: value.text, line: key.line })
    }
  }
}

/** Parses a Shadow GML graph; throws InputError with file and line. */
export function parseGml(text: string, file: string): GmlGraph {
  const tokens = tokenize(text, file)
  const root = parseList(tokens, { i: 0 }, file, 1, false)
  const graphEntry = root.entries.find((e) => e.key === 'graph')
  if (!graphEntry || typeof graphEntry.value !== 'object') {
    throw new InputError(`${file}:1: not a GML graph: no 'graph [ ... ]'`)
  }
  const graph = graphEntry.value
  const directedEntry = graph.entries.find((e) => e.key === 'directed')
  const nodes: GmlNode[] = []
  const byId = new Set<number>()
  for (const e of graph.entries.filter((x) => x.key === 'node')) {
    const node = readNode(e, file)
    if (byId.has(node.id)) throw new InputError(`${file}:${e.line}: node id ${node.id} is used twice`)
    byId.add(node.id)
    nodes.push(node)
  }
  if (nodes.length === 0) throw new InputError(`${file}:${graphEntry.line}: the graph has no nodes`)
  const edges = graph.entries.filter((x) => x.key === 'edge').map((e) => readEdge(e, file, byId))
  return { directed: directedEntry?.value === 1, nodes, edges }
}

function fields(e: GmlEntry, file: string, what: string): Map<string, GmlEntry> {
  if (typeof e.value !== 'object') throw new InputError(`${file}:${e.line}: ${what} must be '${what} [ ... ]'`)
  return new Map(e.value.entries.map((x) => [x.key, x]))
}

function readNode(e: GmlEntry, file: string): GmlNode {
  const f = fields(e, file, 'node')
  const id = f.get('id')
  if (id === undefined || typeof id.value !== 'number' || !Number.isInteger(id.value)) {
    throw new InputError(`${file}:${e.line}: node has no whole-number 'id'`)
  }
  const label = f.get('label')
  const node: GmlNode = { id: id.value, label: typeof label?.value === 'string' ? label.value : String(id.value) }
  for (const [key, prop] of [
    ['host_bandwidth_up', 'upBps'],
    ['host_bandwidth_down', 'downBps'],
  ] as const) {
    const entry = f.get(key)
    if (entry === undefined) continue
    const bps = parseRate(entry.value)
    if (bps === undefined)
      throw new InputError(`${file}:${entry.line}: ${key} ${show(entry.value)} is not ${RATE_EXPECTED}`)
    node[prop] = bps
  }
  return node
}

function readEdge(e: GmlEntry, file: string, ids: Set<number>): GmlEdge {
  const f = fields(e, file, 'edge')
  const end = (key: 'source' | 'target'): number => {
    const x = f.get(key)
    if (x === undefined || typeof x.value !== 'number') throw new InputError(`${file}:${e.line}: edge has no '${key}'`)
    if (!ids.has(x.value)) throw new InputError(`${file}:${x.line}: edge ${key} ${x.value} is not a node id`)
    return x.value
  }
  const source = end('source')
  const target = end('target')
  const lat = f.get('latency')
  if (lat === undefined) throw new InputError(`${file}:${e.line}: edge ${source} → ${target} has no 'latency'`)
  const latencyMs = parseLatency(lat.value)
  if (latencyMs === undefined)
    throw new InputError(`${file}:${lat.line}: latency ${show(lat.value)} is not ${LATENCY_EXPECTED}`)
  const lossEntry = f.get('packet_loss')
  const loss = lossEntry === undefined ? 0 : lossEntry.value
  if (typeof loss !== 'number' || loss < 0 || loss > 1) {
    throw new InputError(`${file}:${lossEntry?.line ?? e.line}: packet_loss ${show(loss)} is not a number from 0 to 1`)
  }
  return { source, target, latencyMs, loss }
}

function show(v: GmlValue): string {
  return typeof v === 'object' ? 'a list' : typeof v === 'string' ? `"${v}"` : String(v)
}
