// Live: `psm dbg --listen` in a real terminal (tmux) while `psm sim --dbg` streams into it: machines
// appear as the simulation runs, the debugger outlives the sim, and quits cleanly.
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { startTmux, type Tmux } from '../dbg/tmux.js'

let session: Tmux | undefined
afterEach(() => session?.kill())

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

describe('psm dbg --listen', () => {
  it('shows the machines of a running psm sim --dbg, and keeps running after it ends', async () => {
    const port = await freePort()
    session = startTmux(`node bin/psm.js dbg --listen 127.0.0.1:${port}; echo "EXIT=$?"; sleep 60`, 130, 36)
    const t = session
    await t.waitFor((x) => x.includes('waiting for machines'))
    const sim = promisify(execFile)(
      process.execPath,
      [
        'bin/psm.js',
        'sim',
        '--config',
        'test/fixtures/sim-fast.yml',
        '--duration',
        '4s',
        '--quiet',
        '--dbg',
        `127.0.0.1:${port}`,
      ],
      { timeout: 60_000 },
    )
    // machines appear while the sim runs
    let s = await t.waitFor((x) => /machines \d{2,}/.test(x) && x.includes('sim-p0') && x.includes('ps-0-disc'))
    expect(s).toContain('TAIL')
    expect(s).toMatch(/client 1 \(127\.0\.0\.1:\d+\) connected|machines/)
    await sim
    s = await t.waitFor((x) => x.includes('client 1') && x.includes('closed'))
    // finished machines are marked disconnected; the debugger is still there
    expect(s).toContain('⌁')
    t.keys('v', 'Home')
    s = await t.waitFor((x) => x.includes('PAUSED'))
    expect(s).toMatch(/tx 1\/\d+ of sim/)
    t.keys('q')
    expect(await t.waitFor((x) => x.includes('EXIT='))).toContain('EXIT=0')
  })
})
