// The system tools the tests run, with the Debian package of each: the global setup stops at once when
// one is missing (scripts/test-setup.sh installs them), rather than a test failing minutes in.
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

export const TEST_TOOLS: ReadonlyArray<{ tool: string; pkg: string; usedBy: string }> = [
  { tool: 'prometheus', pkg: 'prometheus', usedBy: 'test/e2e/prometheus.test.ts' },
  { tool: 'promtool', pkg: 'prometheus', usedBy: 'test/grafana/dashboards.test.ts' },
  { tool: 'tmux', pkg: 'tmux', usedBy: 'test/e2e/dbg-tmux.test.ts' },
  { tool: 'docker-compose', pkg: 'docker-compose', usedBy: 'test/grafana/dashboards.test.ts' },
]

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
export function missingToolsLine(path = process.env.PATH ?? ''): string | undefined {
  const missing = TEST_TOOLS.filter((t) => !onPath(t.tool, path))
  if (missing.length === 0) return undefined
  const list = missing.map((t) => `${t.tool} (Debian package ${t.pkg})`).join(', ')
  return `npm test: missing ${list}; install them with scripts/test-setup.sh (the README's test command)`
}
