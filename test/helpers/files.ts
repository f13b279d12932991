// Test helpers: files written to a temp folder that is removed after the file's tests, and the error
// a call throws.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

/** Returns a writer of numbered files `<prefix>-<n>.yml` in a temp folder removed after the tests. */
export function tempFiles(prefix: string): (text: string) => string {
  const dir = mkdtempSync(join(tmpdir(), `psm-${prefix}-`))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  let n = 0
  return (text) => {
    const path = join(dir, `${prefix}-${n++}.yml`)
    writeFileSync(path, text)
    return path
  }
}

/** The error `f` throws; fails the test when it throws none. */
export function errorOf(f: () => unknown): Error {
  try {
    f()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected an error')
}
