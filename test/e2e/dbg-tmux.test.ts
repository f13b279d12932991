// `psm dbg FILE` in a real terminal (tmux): what a user sees after each key, and a clean exit that
// restores the terminal.
import { afterEach, describe, expect, it } from 'vitest'
import { startTmux, type Tmux } from '../dbg/tmux.js'

const FIXTURE = 'test/fixtures/simple-discovery.jsonl'
let session: Tmux | undefined
afterEach(() => session?.kill())

/** Runs psm dbg, then reports its exit code and whether the terminal is back in cooked mode. */
function run(args: string): Tmux {
  session = startTmux(
    `node bin/psm.js dbg ${args}; echo "EXIT=$?"; stty -a | grep -oE -- '(-)?icanon|(-)?echo ' | tr '\\n' ' '; echo; sleep 60`,
  )
  return session
}

describe('psm dbg in a terminal', () => {
  it('opens a log, steps, switches views and quits with q, restoring the terminal', async () => {
    const t = run(FIXTURE)
    let s = await t.waitFor((x) => x.includes('machines 12'))
    expect(s).toContain('tx 1/40 of ps-0')
    expect(s).toContain('PAUSED')
    t.keys('Down', 'Down', 'Right', 'Right')
    s = await t.waitFor((x) => x.includes('tx 2/9 of ps-0-disc-bf-foobar'))
    expect(s).toMatch(/\+● Start/)
    expect(s).toMatch(/\+● BootstrapChecking/)
    expect(s).toMatch(/event\s+add\.Start/)
    t.keys('Right')
    s = await t.waitFor((x) => /event\s+done\.checkReady/.test(x))
    expect(s).toMatch(/-○ BootstrapChecking/)
    t.keys('m')
    s = await t.waitFor((x) => x.includes('matrix: ps-0-disc-bf-foobar'))
    t.keys('m')
    s = await t.waitFor((x) => x.includes('rain: ps-0-disc-bf-foobar'))
    expect(s).toMatch(/▶\s+3 \S+ done\.checkReady/)
    t.keys('?')
    s = await t.waitFor((x) => x.includes('psm dbg — keys'))
    t.keys('Escape')
    await t.waitFor((x) => !x.includes('psm dbg — keys'))
    t.keys('q')
    s = await t.waitFor((x) => x.includes('EXIT='))
    expect(s).toContain('EXIT=0')
    // the alternate screen is gone and the tty is cooked again
    expect(s).not.toContain('machines 12')
    expect(s).toMatch(/(^|\s)icanon\b/m)
    expect(s).toMatch(/(^|\s)echo\b/m)
    expect(s).not.toMatch(/-icanon|-echo\b/)
  })

  it('quits on ctrl-c too, and opens at --machine and --tx', async () => {
    const t = run(`${FIXTURE} --machine ps-2-disc --tx 5`)
    const s = await t.waitFor((x) => x.includes('tx 5/8 of ps-2-disc'))
    expect(s).toMatch(/seq\s+5/)
    t.keys('C-c')
    expect(await t.waitFor((x) => x.includes('EXIT='))).toContain('EXIT=0')
  })

  it('says in one line that a file is not a psm log, exit 2', async () => {
    const t = run('package.json')
    const s = await t.waitFor((x) => x.includes('EXIT='))
    expect(s).toContain('psm dbg: package.json: not a psm log (line 1 is not JSON)')
    expect(s).toContain('EXIT=2')
  })
})
