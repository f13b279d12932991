// The system tools the tests run, with the Debian package of each: the global setup stops at once when
// one is missing (scripts/test-setup.sh installs them), rather than a test failing minutes in.
import { accessSync, constants, existsSync, readdirSync } from 'node:fs'
import { delimiter, join } from 'node:path'

export const TEST_TOOLS: ReadonlyArray<{ tool: string; pkg: string; usedBy: string; dirs?: () => string[] }> = [
  { tool: 'prometheus', pkg: 'prometheus', usedBy: 'test/e2e/prometheus.test.ts' },
  { tool: 'promtool', pkg: 'prometheus', usedBy: 'test/grafana/dashboards.test.ts' },
  { tool: 'tmux', pkg: 'tmux', usedBy: 'test/e2e/dbg-tmux.test.ts' },
  { tool: 'docker-compose', pkg: 'docker-compose', usedBy: 'test/grafana/dashboards.test.ts' },
  // Debian keeps the server tools off PATH, in /usr/lib/postgresql/<version>/bin
  { tool: 'initdb', pkg: 'postgresql', usedBy: 'test/dht/db.test.ts', dirs: postgresBinDirs },
]

/** Debian's postgresql server folders (/usr/lib/postgresql/<version>/bin). */
export function postgresBinDirs(root = '/usr/lib/postgresql'): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root).map((v) => join(root, v, 'bin'))
}

function onPath(tool: string, path: string): boolean {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue
    try {
      accessSync(join(dir, tool), constants.X_OK)
      return true
    } catch {}
  }
  return false
}

/** One line naming each missing tool and its Debian package, or undefined when all are on `path`. */
export function missingToolsLine(path = process.env.PATH ?? '', extraDirs = true): string | undefined {
  const where = (t: (typeof TEST_TOOLS)[number]) => (extraDirs && t.dirs ? [path, ...t.dirs()].join(delimiter) : path)
  const missing = TEST_TOOLS.filter((t) => !onPath(t.tool, where(t)))
  if (missing.length === 0) return undefined
  const list = missing.map((t) => `${t.tool} (Debian package ${t.pkg})`).join(', ')
  return `npm test: missing ${list}; install them with scripts/test-setup.sh (the README's test command)`
}
