// Which clock a command line selects (read before the command loads), sim.yml's `clock:` key, and the
// refusals: an unknown clock, a virtual clock over TCP, a command asking for a clock that is not installed.
import { describe, expect, it } from 'vitest'
import { checkCommandClock, clockModeOf } from '../../src/clock/virtual-select.js'
import { loadSimConfig } from '../../src/config/sim.js'
import { InputError, UsageError } from '../../src/errors.js'
import { errorOf, tempFiles } from '../helpers/files.js'

const write = tempFiles('clock')

describe('clockModeOf', () => {
  it('reads --clock MODE and --clock=MODE on sim and scenario, the last one winning, and nothing after --', () => {
    expect(clockModeOf('scenario', ['simple-discovery', '--clock', 'virtual'])).toBe('virtual')
    expect(clockModeOf('sim', ['--clock=paced'])).toBe('paced')
    expect(clockModeOf('sim', ['--clock', 'virtual', '--clock', 'real'])).toBe('real')
    expect(clockModeOf('sim', ['--', '--clock', 'virtual'])).toBe('real')
    expect(clockModeOf('sim', [])).toBe('real')
    // other commands never run on a virtual clock
    expect(clockModeOf('dbg', ['--clock', 'virtual'])).toBe('real')
  })

  it("reads sim.yml's clock: key when --config names it; the flag wins over the file", () => {
    const file = write('clock: virtual\n')
    expect(clockModeOf('sim', ['--config', file])).toBe('virtual')
    expect(clockModeOf('sim', [`--config=${file}`, '--clock', 'paced'])).toBe('paced')
    // a file the command cannot read is reported by the command's own loader, not here
    expect(clockModeOf('sim', ['--config', '/nonexistent/sim.yml'])).toBe('real')
  })

  it('refuses an unknown clock with a usage error naming the flag', () => {
    const err = errorOf(() => clockModeOf('scenario', ['--clock', 'sundial']))
    expect(err).toBeInstanceOf(UsageError)
    expect(err.message).toBe("--clock: 'sundial' is not one of real, virtual, paced")
  })
})

describe('sim.yml clock:', () => {
  it('defaults to real, accepts virtual and paced, refuses others and a virtual clock over TCP', () => {
    expect(loadSimConfig().clock).toBe('real')
    expect(loadSimConfig({ path: write('clock: paced\n') }).clock).toBe('paced')
    expect(loadSimConfig({ flags: { clock: 'virtual' } }).clock).toBe('virtual')
    const bad = errorOf(() => loadSimConfig({ path: write('clock: sundial\n') }))
    expect(bad).toBeInstanceOf(InputError)
    expect(bad.message).toMatch(/clock/)
    const tcp = errorOf(() => loadSimConfig({ path: write('clock: virtual\nhost:\n  transport: tcp\n') }))
    expect(tcp).toBeInstanceOf(InputError)
    expect(tcp.message).toMatch(/clock virtual needs host.transport memory/)
  })
})

describe('checkCommandClock', () => {
  it('passes a clock that is installed; refuses tcp on a virtual clock and a clock that is not installed', () => {
    expect(() => checkCommandClock('real', 'real', 'tcp')).not.toThrow()
    expect(() => checkCommandClock('virtual', 'virtual', 'memory')).not.toThrow()
    expect(errorOf(() => checkCommandClock('virtual', 'virtual', 'tcp')).message).toMatch(
      /--clock virtual: needs the memory transport/,
    )
    const notInstalled = errorOf(() => checkCommandClock('paced', 'real', 'memory'))
    expect(notInstalled).toBeInstanceOf(UsageError)
    expect(notInstalled.message).toMatch(/the real clock is installed/)
  })
})
