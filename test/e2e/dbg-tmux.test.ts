// `psm dbg FILE` in a real terminal (tmux): what a user sees after each key, and a clean exit that
// restores the terminal.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { startTmux, type Tmux } from '../dbg/tmux.js'
import { runPsm } from '../helpers/cli.js'

const FIXTURE = 'test/fixtures/simple-discovery.jsonl'
let session: Tmux | undefined
afterEach(() => session?.kill())
const dir = mkdtempSync(join(tmpdir(), 'psm-dbg-tmux-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

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
    // a capture can catch a frame half drawn: wait for its last line too
    let s = await t.waitFor((x) => x.includes('machines 12') && x.includes('PAUSED'))
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
    // the stty line follows EXIT= a moment later: a capture between the two would see no mode at all
    s = await t.waitFor((x) => /EXIT=\d+\s*\n\s*\S/.test(x))
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

  it('follows a message: jump to a PublishMessage, its message view, the slowest hop, search its id, quit', async () => {
    // a version 2 log recorded by the real binary over a modelled network
    const log = join(dir, 'recorded.jsonl')
    const rec = await runPsm([
      'scenario',
      'simple-discovery',
      '--hosts',
      '4',
      '--msgs',
      '3',
      '--impl',
      'machine',
      '--latency',
      '20ms',
      '--log',
      log,
    ])
    expect(rec.code, rec.stderr).toBe(0)
    const publish = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"kind":"msg"'))
      .map((l) => JSON.parse(l) as { mark: string; id: string; machine: string })
      .find((m) => m.mark === 'publish')!
    const id = publish.id

    const t = run(log)
    let s = await t.waitFor((x) => x.includes('machines 12') && x.includes('12 machines'))
    // jump to the first PublishMessage: search matches event names, enter goes to the next transition
    t.keys('/')
    await t.waitFor((x) => x.includes('enter next transition'))
    t.keys('-l', 'PublishMessage')
    await t.waitFor((x) => x.includes('/  PublishMessage_'))
    t.keys('Enter')
    s = await t.waitFor((x) => x.includes("'PublishMessage': PublishMessage of"))
    expect(s).toMatch(/event\s+PublishMessage/)
    expect(s).toMatch(/msgId=/)
    expect(s).toContain('── messages (1) · o: message view')
    expect(s).toMatch(/publish\s+on foobar: \S+/)
    // the log pane at the default level: where the publish went
    expect(s).toMatch(/info\s+published/)
    expect(s).toMatch(/on foobar to \d peers?: ps-\d/)
    // the message view: the publisher first, every other host as a first delivery, nobody missed
    t.keys('o')
    s = await t.waitFor((x) => /message \S+ on foobar/.test(x))
    const shown = s.match(/message (\S+) on foobar/)![1]!
    expect(shown).toBe(id)
    expect(s).toMatch(new RegExp(`published by ${publish.machine} · reached 3/3 subscribers · 99% in \\d`))
    expect(s).toMatch(/▶ ps-\d\s+\+0\.0ms\s+hop —\s+publish\s+PublishMessage #\d+/)
    expect(
      s.match(/└ ps-\d\s+← ps-\d\s+\+\d+(\.\d)?ms\s+hop \d+(\.\d)?ms\s+first\s+(◀ slowest hop\s+)?IncomingRPC #\d+/g),
    ).toHaveLength(3)
    expect(s).toContain('missed: none')
    // the slowest hop: selected and marked
    t.keys('s')
    s = await t.waitFor((x) => /▶\s+└ ps-\d.*◀ slowest hop/.test(x))
    const slow = s.match(/▶\s+└ (ps-\d)\s+← (ps-\d)/)!
    // recorded over a network model: the hop is split into the sender's queue, the link and the rest
    expect(s).toMatch(
      new RegExp(`hop [\\d.]+ms to ${slow[1]} = queue [\\d.]+ms \\+ network [\\d.]+ms \\+ CPU / event loops [\\d.]+ms`),
    )
    // enter: the main view at that hop's transition
    t.keys('Enter')
    s = await t.waitFor((x) => x.includes(`of ${slow[1]}`) && /event\s+IncomingRPC/.test(x))
    expect(s).toMatch(new RegExp(`peer\\s+${slow[2]}`))
    expect(s).toMatch(/deliver\s+from ps-\d on foobar: \S+/)
    // search the message id: the next transition whose args name it
    t.keys('/')
    await t.waitFor((x) => x.includes('enter next transition'))
    t.keys('-l', shown)
    await t.waitFor((x) => x.includes(`/  ${shown}_`))
    t.keys('Enter')
    s = await t.waitFor((x) => x.includes(`'${shown}': IncomingRPC of`))
    expect(s).toMatch(new RegExp(`ids=${shown.slice(0, 20).replace(/[+/]/g, '\\$&')}`))
    t.keys('n')
    await t.waitFor((x) => x.includes(`'${shown}':`) && x !== s)
    t.keys('q')
    s = await t.waitFor((x) => x.includes('EXIT='))
    expect(s).toContain('EXIT=0')
  }, 60_000)
})
