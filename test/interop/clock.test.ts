// Which clock the dispatcher installs for `psm interop`: virtual for `run` unless --clock says otherwise,
// real for `node` (a real node on TCP).
import { describe, expect, it } from 'vitest'
import { CLOCKED_COMMANDS } from '../../src/clock/virtual-mode.js'
import { clockModeOf } from '../../src/clock/virtual-select.js'

describe('psm interop clock', () => {
  it('run is virtual by default, as --clock says otherwise; node is real', () => {
    expect(CLOCKED_COMMANDS).toContain('interop')
    expect(clockModeOf('interop', ['run', 'dir'])).toBe('virtual')
    expect(clockModeOf('interop', ['run', 'dir', '--clock', 'real'])).toBe('real')
    expect(clockModeOf('interop', ['run', 'dir', '--clock=paced'])).toBe('paced')
    expect(clockModeOf('interop', ['node', '--params', 'p.json'])).toBe('real')
    expect(clockModeOf('interop', [])).toBe('real')
  })
})
