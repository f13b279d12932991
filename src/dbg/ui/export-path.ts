// Where `e` writes: a new file named after the machine and the cursor, never over an existing one.
import { existsSync } from 'node:fs'
import { isAbsolute, join, relative } from 'node:path'

export function exportPath(dir: string, machineId: string, upTo: number): string {
  const base = `${machineId.replace(/[^A-Za-z0-9._-]+/g, '_')}-to-${upTo}`
  let path = join(dir, `${base}.jsonl`)
  for (let i = 1; existsSync(path); i++) path = join(dir, `${base}-${i}.jsonl`)
  return path
}

/** A path as short as it can be said: relative to the current directory when inside it. */
export function shortPath(p: string): string {
  const r = relative(process.cwd(), p)
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p
}
