// `psm scenario simple-discovery` at a bounded degree, end to end (the real binary, real hosts and
// gossipsub): every message reaches every host although no host is connected to most others, no host
// exceeds its connection limit, and a run that succeeded exits 0 even with a busy process beside it
// (teardown must not end in exit 13). Correctness only: timing goals live in `npm run bench:scale`.
import { type ChildProcess, spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { runPsm } from '../helpers/cli.js'

const RUN_TIMEOUT_MS = 170_000

function scenario(hosts: number, msgs: number, impl: string, extra: string[] = []): string[] {
  const args = ['scenario', 'simple-discovery', '--hosts', String(hosts), '--msgs', String(msgs)]
  return [...args, '--impl', impl, '--timeout', '150s', '--json', ...extra]
}

describe('psm scenario simple-discovery at a bounded degree', () => {
  it.each(['vanilla', 'machine'])(
    '%s: 60 hosts, each dialling 3 peers and holding at most 8 connections, deliver to all',
    async (impl) => {
      const r = await runPsm(scenario(60, 5, impl, ['--find-limit', '3', '--max-connections', '8']), {
        timeoutMs: RUN_TIMEOUT_MS,
      })
      expect(r.code, r.stderr).toBe(0)
      const res = JSON.parse(r.stdout)
      expect(res.failure).toBeNull()
      expect(res.expected).toBe(59 * 6)
      expect(res.delivered).toBe(res.expected)
      expect(res.connections.max).toBeLessThanOrEqual(8)
      expect(r.stderr).toMatch(/topic ready on every host in \d+ ms \(connections per host: mean [\d.]+, max \d+\)/)
    },
    RUN_TIMEOUT_MS + 10_000,
  )

  describe('under a CPU hog', () => {
    let hog: ChildProcess | undefined
    afterEach(() => {
      if (hog?.pid !== undefined && hog.exitCode === null) hog.kill('SIGKILL')
      hog = undefined
    })

    it(
      'a successful run exits 0 (teardown never turns success into exit 13)',
      async () => {
        // a busy loop beside the scenario: its timers fire late, as on a loaded box
        hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
        for (const impl of ['vanilla', 'machine']) {
          const r = await runPsm(scenario(20, 50, impl), { timeoutMs: RUN_TIMEOUT_MS / 2 })
          expect(r.stderr).not.toMatch(/unsettled top-level await/)
          expect(r.code, `${impl}: ${r.stderr}`).toBe(0)
          const res = JSON.parse(r.stdout)
          expect(res.failure).toBeNull()
          expect(res.delivered).toBe(19 * 51)
          expect(res.stopMs).toBeGreaterThanOrEqual(0)
        }
      },
      RUN_TIMEOUT_MS + 10_000,
    )
  })
})
