// The clock must be installed before libp2p and gossipsub load (gossipsub reads Date.now() at import):
// everything the dispatcher loads before a command module — its static imports, the clock selector and
// the installer, and their static imports — must reach no package but yaml and Node's built-ins.
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Static `import ... from 'x'` / `export ... from 'x'` specifiers (not `import('x')`, not type-only imports). */
function staticImports(file: string): string[] {
  const src = readFileSync(file, 'utf8')
  const out: string[] = []
  for (const m of src.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) out.push(m[1] as string)
  for (const m of src.matchAll(/^import\s+'([^']+)'/gm)) out.push(m[1] as string)
  return out
}

function reach(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const todo = [...entries]
  while (todo.length) {
    const file = todo.pop() as string
    if (files.has(file)) continue
    files.add(file)
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) todo.push(join(dirname(file), spec.replace(/\.js$/, '.ts')))
      else packages.add(spec)
    }
  }
  return { files, packages }
}

describe('load order', () => {
  it('the dispatcher and the clock reach no package but yaml and node built-ins before the command loads', () => {
    const { files, packages } = reach(
      ['cmd/psm.ts', 'src/clock/virtual-select.ts', 'src/clock/virtual-install.ts'].map((f) => join(root, f)),
    )
    expect(files.size).toBeGreaterThan(5)
    const foreign = [...packages].filter((p) => !p.startsWith('node:') && p !== 'yaml')
    expect(foreign).toEqual([])
  })

  it('a command module does reach libp2p statically (so the check above is not vacuous)', () => {
    const { packages } = reach([join(root, 'cmd/scenario.ts')])
    expect([...packages]).toContain('libp2p')
  })
})
