// Versions of psm and of what it runs on, for reports and --version.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function pkgVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url)
    const path = require.resolve(`${name}/package.json`)
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
  } catch {
    // packages whose `exports` hide package.json (libp2p, @libp2p/*): walk up from the entry point
    try {
      let dir = dirname(fileURLToPath(import.meta.resolve(name)))
      for (let i = 0; i < 8; i++, dir = dirname(dir)) {
        const file = join(dir, 'package.json')
        if (!existsSync(file)) continue
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string }
        if (pkg.name === name) return pkg.version
      }
    } catch {}
    return 'unknown'
  }
}

function ownPackage(): { version: string } {
  // src/version.ts sits one level below the package root, dist/src/version.js two
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version: string }
      if (pkg.name === 'psm') return pkg
    } catch {}
  }
  return { version: 'unknown' }
}

export function psmVersion(): string {
  return ownPackage().version
}

export function stackVersions(): Record<string, string> {
  return {
    psm: psmVersion(),
    node: process.versions.node,
    libp2p: pkgVersion('libp2p'),
    gossipsub: pkgVersion('@libp2p/gossipsub'),
    xstate: pkgVersion('xstate'),
  }
}
