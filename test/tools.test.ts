// The test prerequisites: the global setup's one-line check, and the one setup command that the README
// gives and .ci/run calls installs every tool it checks.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { missingToolsLine, TEST_TOOLS } from './tools.js'

const ROOT = join(import.meta.dirname, '..')

describe('test prerequisites', () => {
  it('names each missing tool and its Debian package on one line', () => {
    const empty = mkdtempSync(join(tmpdir(), 'psm-nobin-'))
    expect(missingToolsLine(empty, false)).toBe(
      'npm test: missing prometheus (Debian package prometheus), promtool (Debian package prometheus), ' +
        'tmux (Debian package tmux), docker-compose (Debian package docker-compose), initdb (Debian package postgresql); ' +
        "install them with scripts/test-setup.sh (the README's test command)",
    )
    const some = mkdtempSync(join(tmpdir(), 'psm-somebin-'))
    for (const t of ['prometheus', 'promtool', 'tmux', 'initdb']) {
      writeFileSync(join(some, t), '#!/bin/sh\n')
      chmodSync(join(some, t), 0o755)
    }
    // a file that is not executable does not count
    writeFileSync(join(some, 'docker-compose'), '')
    expect(missingToolsLine(`${empty}:${some}`, false)).toMatch(
      /^npm test: missing docker-compose \(Debian package docker-compose\);/,
    )
    chmodSync(join(some, 'docker-compose'), 0o755)
    expect(missingToolsLine(`${empty}:${some}`, false)).toBeUndefined()
  })

  it('the README and .ci/run use scripts/test-setup.sh, which installs every package the check names', () => {
    const script = readFileSync(join(ROOT, 'scripts/test-setup.sh'), 'utf8')
    for (const t of TEST_TOOLS) {
      expect(script).toContain(`command -v ${t.tool} `)
      expect(script).toContain(`packages+=(${t.pkg})`)
    }
    expect(script).toMatch(/apt-get install -y -qq --no-install-recommends/)
    expect(script).toMatch(/\nnpm ci --no-audit --no-fund\nnpm test -- "\$@"\n$/)
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('scripts/test-setup.sh')
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^scripts\/test-setup\.sh /m)
  })
})
