// The log's one tick rule, shared by the recorder, the reader and the debugger.
import { describe, expect, it } from 'vitest'
import { applyTicks, fireMask } from '../../src/telemetry/ticks.js'

describe('applyTicks', () => {
  it('counts +1 per activation or deactivation and +2 per Multi fire; odd means active', () => {
    const ticks = [0, 0, 0, 0]
    let active = applyTicks(ticks, 0, 0b0011, 0, 0)
    expect([ticks, active]).toEqual([[1, 1, 0, 0], 0b0011])
    active = applyTicks(ticks, active, 0b0100, 0b0001, 0b1000)
    expect([ticks, active]).toEqual([[2, 1, 1, 2], 0b0110])
    expect(ticks.map((t) => t % 2)).toEqual([0, 1, 1, 0])
  })

  it('works on the typed arrays the recorder and the debugger keep, up to the 32nd state', () => {
    const ticks = new Int32Array(32)
    const active = applyTicks(ticks, 0, 1 << 31, 0, fireMask(30))
    expect([ticks[31], ticks[30], active]).toEqual([1, 2, 1 << 31])
    expect(fireMask(-1)).toBe(0)
  })
})
