// Writes that a crash cannot leave half done: a temp file beside the target, then a rename.
import { renameSync, writeFileSync } from 'node:fs'

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, path)
}
