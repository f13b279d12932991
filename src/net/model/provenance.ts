// What a run writes in its log header about its network model, so the run can be reproduced: the model
// file's path and sha256, or the inline section itself, plus the hashes of the matrix, graph and shadow
// files it names, and the seed every draw of the model comes from.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { NetworkSection } from '../../config/network.js'
import type { NetworkLogEntry } from '../../telemetry/records.js'

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

/** A number that JSON cannot hold (an unlimited rate) is written as a string. */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)),
  )
}

/** Call after the model loaded (the files were read and parsed once already). */
export function networkLogEntry(source: string | NetworkSection, seed: number): NetworkLogEntry {
  if (typeof source === 'string') return { file: source, sha256: sha256(source), seed }
  const files: Record<string, string> = {}
  for (const f of [source.matrix, source.graph, source.shadow]) if (f !== null) files[f] = sha256(f)
  return {
    inline: jsonSafe(source) as Record<string, unknown>,
    ...(Object.keys(files).length > 0 ? { files } : {}),
    seed,
  }
}

/** One line for `psm log stats` and the like. */
export function formatNetworkEntry(e: NetworkLogEntry): string {
  const where = e.file !== undefined ? `${e.file} (sha256 ${e.sha256?.slice(0, 16)}…)` : 'inline model'
  const files = Object.entries(e.files ?? {}).map(([f, h]) => `${f} (sha256 ${h.slice(0, 16)}…)`)
  return `${where}${files.length ? ` naming ${files.join(', ')}` : ''}, seed ${e.seed}`
}
