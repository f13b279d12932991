// A throwaway Postgres cluster for a test: Debian's postgresql binaries (scripts/test-setup.sh installs
// the package), initdb into a temp folder, the server on 127.0.0.1 and a free port, stopped and removed
// at the end. As root, initdb and the server run as the `postgres` user (Postgres refuses root).
import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The folder holding initdb and pg_ctl: Debian's /usr/lib/postgresql/<version>/bin, newest first. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin')
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export interface TestPostgres {
  url: string
  stop(): void
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir()
  if (!bin) throw new Error('postgresql is not installed (Debian package postgresql; scripts/test-setup.sh)')
  const dir = mkdtempSync(join(tmpdir(), 'psm-pg-'))
  const data = join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  const run = (tool: string, args: string[]) => {
    const cmd = asRoot ? 'runuser' : join(bin, tool)
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args
    execFileSync(cmd, argv, { stdio: 'pipe', timeout: 60_000 })
  }
  if (asRoot) {
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0)
    chmodSync(dir, 0o700)
  }
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'psm', '--no-sync'])
  const port = await freePort()
  run('pg_ctl', [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`,
    'start',
  ])
  return {
    url: `postgres://psm@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
