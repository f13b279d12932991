// The installed virtual clock in a fresh process (it replaces globals for the whole process): Date,
// performance.now, timers by object and numeric id, promisified and node:timers/promises timers,
// AbortSignal.timeout, seeded Math.random and crypto; and a process whose timers are done exits by itself.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const install = fileURLToPath(new URL('../../dist/src/clock/virtual-install.js', import.meta.url))

const SCRIPT = `
const { installClock } = await import(${JSON.stringify(install)})
// held like the dispatcher holds a command's run: unref'd timers (AbortSignal.timeout's) fire too
const release = installClock('virtual').hold()
const { promisify } = await import('node:util')
const { setTimeout: sleep } = await import('node:timers/promises')
const { randomBytes } = await import('node:crypto')
const out = {}
out.start = [Date.now(), new Date().getTime(), performance.now(), typeof Date(), new Date(5).getTime(), new Date() instanceof Date]
const fired = []
const a = setTimeout(() => fired.push('a'), 100)
const b = setTimeout(() => fired.push('b'), 100)
setTimeout(() => fired.push('c@' + performance.now()), 100)
clearTimeout(+b)
out.unref = typeof a.unref().ref().hasRef()
await promisify(setTimeout)(1000)
await sleep(1000)
out.afterSleeps = performance.now()
const signal = AbortSignal.timeout(500)
await new Promise((r) => signal.addEventListener('abort', r))
out.abortAt = [performance.now(), signal.reason.name]
out.random = [Math.random(), crypto.getRandomValues(new Uint8Array(4)).join(), randomBytes(4).toString('hex')]
out.fired = fired
out.end = Date.now()
release()
// a 10-minute timer, then nothing: the clock jumps to it and the process exits without process.exit
setTimeout(() => console.log(JSON.stringify({ ...out, last: performance.now() })), 600_000)
`

function run(): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 30_000 })
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

describe('installClock("virtual")', () => {
  it('replaces time, timers and randomness for the whole process, and lets an idle process exit', () => {
    const a = run()
    const epoch = Date.UTC(2030, 0, 1)
    expect(a.start).toEqual([epoch, epoch, 0, 'string', 5, true])
    expect(a.unref).toBe('boolean')
    expect(a.fired).toEqual(['a', 'c@100'])
    expect(a.afterSleeps).toBe(2000)
    expect(a.abortAt).toEqual([2500, 'TimeoutError'])
    expect(a.end).toBe(epoch + 2500)
    expect(a.last).toBe(602_500)
    // seeded: a second process draws the same numbers
    expect(run().random).toEqual(a.random)
  })
})
