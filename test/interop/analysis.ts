// The reading half of gossipsub-interop's analyze_message_deliveries.py (libp2p/test-plans), written
// again in TypeScript so a test can read psm's node logs the way upstream does, without Python and
// matplotlib: the same file walk (hosts/<host>/*.stdout), the same per-line rules (JSON lines; "PeerID"
// maps node_id ↔ peer id; "Received Message" with a `time` counts the first copy of an id per file as a
// delivery and later copies as duplicates; lines that are not JSON are skipped), and the same per-message
// figures (time to disseminate, p50, average duplicates over all nodes, reached = deliveries / (nodes − 1)
// capped at 1, an error when a message reached more nodes than exist).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface Delivery {
  /** epoch microseconds, from the line's `time` */
  timeUs: number
  nodeId: number
}

export interface MessageRow {
  id: string
  timeToDisseminateS: number
  p50S: number
  avgDuplicates: number
  reached: number
  deliveries: Delivery[]
}

export interface Analysis {
  nodeIdToPeerId: Map<number, string>
  rows: MessageRow[]
}

/** The log files the analysis reads: every *.stdout under hosts/<host>/, else every file of the folder. */
export function logFiles(folder: string): string[] {
  const entries = readdirSync(folder)
  if (!entries.includes('hosts')) return entries.map((f) => join(folder, f))
  const files: string[] = []
  for (const host of readdirSync(join(folder, 'hosts'))) {
    for (const f of readdirSync(join(folder, 'hosts', host))) {
      if (f.endsWith('.stdout')) files.push(join(folder, 'hosts', host, f))
    }
  }
  return files
}

/**
 * What Python's datetime.fromisoformat accepts for RFC 3339 times (3.11+: a `Z` or ±HH:MM offset, 1 to 9
 * fraction digits, beyond 6 truncated), as epoch microseconds; throws on anything else, as Python would.
 */
export function fromIsoFormat(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/.exec(text)
  if (!m) throw new Error(`Invalid isoformat string: '${text}'`)
  const [, y, mo, d, h, mi, s, frac = '', tz = 'Z'] = m
  const micros = Number(frac.padEnd(6, '0').slice(0, 6))
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  const sign = tz.startsWith('-') ? -1 : 1
  const offsetMin = tz === 'Z' ? 0 : sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)))
  return (base - offsetMin * 60_000) * 1000 + micros
}

interface FileResult {
  nodeId: number
  deliveries: Map<string, Delivery[]>
  duplicates: Map<string, number>
}

function parseLogFile(text: string, peers: Map<number, string>): FileResult {
  let nodeId = -1
  const seen = new Set<string>()
  const deliveries = new Map<string, Delivery[]>()
  const duplicates = new Map<string, number>()
  for (const line of text.split('\n')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      continue
    }
    if (typeof parsed !== 'object' || parsed === null || !('msg' in parsed)) continue
    const p = parsed as Record<string, unknown>
    if (p.msg === 'PeerID') {
      nodeId = p.node_id as number
      peers.set(nodeId, String(p.id ?? ''))
      continue
    }
    if (p.msg === 'Received Message' && 'time' in p) {
      const timeUs = fromIsoFormat(String(p.time))
      const id = typeof p.id === 'string' ? p.id : ''
      if (!id) continue
      if (!seen.has(id)) {
        seen.add(id)
        deliveries.set(id, [...(deliveries.get(id) ?? []), { timeUs, nodeId }])
      } else {
        duplicates.set(id, (duplicates.get(id) ?? 0) + 1)
      }
    }
  }
  return { nodeId, deliveries, duplicates }
}

/** Reads a folder as analyse_message_deliveries does (skipping no messages) and gives its analysis rows. */
export function analyzeFolder(folder: string): Analysis {
  const peers = new Map<number, string>()
  const messages = new Map<string, Delivery[]>()
  const duplicates = new Map<string, number>()
  for (const file of logFiles(folder)) {
    const r = parseLogFile(readFileSync(file, 'utf8'), peers)
    for (const [id, ds] of r.deliveries) messages.set(id, [...(messages.get(id) ?? []), ...ds])
    for (const [id, c] of r.duplicates) duplicates.set(id, (duplicates.get(id) ?? 0) + c)
  }
  const total = peers.size
  const ordered = [...messages.entries()]
    .map(([id, ds]) => [id, [...ds].sort((a, b) => a.timeUs - b.timeUs)] as const)
    .sort((a, b) => a[1][0]!.timeUs - b[1][0]!.timeUs)
  const rows = ordered.map(([id, ds]) => {
    const first = ds[0]!.timeUs
    let reached = ds.length / (total - 1)
    if (reached > 1) {
      if (ds.length > total) throw new Error(`Message ${id} was delivered to more nodes than exist`)
      reached = 1
    }
    return {
      id,
      timeToDisseminateS: (ds[ds.length - 1]!.timeUs - first) / 1e6,
      p50S: (ds[Math.floor(ds.length / 2)]!.timeUs - first) / 1e6,
      avgDuplicates: (duplicates.get(id) ?? 0) / total,
      reached,
      deliveries: ds,
    }
  })
  return { nodeIdToPeerId: peers, rows }
}
