// Units of model files: latencies and rates, and what is refused.
import { describe, expect, it } from 'vitest'
import { formatRate, parseLatency, parseRate } from '../../../src/net/model/units.js'

describe('units', () => {
  it('reads latencies in us, ms and s, with or without a space', () => {
    expect(parseLatency('50ms')).toBe(50)
    expect(parseLatency('25 ms')).toBe(25)
    expect(parseLatency('0.2s')).toBe(200)
    expect(parseLatency('800us')).toBeCloseTo(0.8)
    expect(parseLatency(0)).toBe(0)
    expect(parseLatency(50)).toBeUndefined()
    expect(parseLatency('50')).toBeUndefined()
    expect(parseLatency('-5ms')).toBeUndefined()
    expect(parseLatency('5 parsecs')).toBeUndefined()
  })

  it('reads SI bit rates, byte rates, and refuses the ambiguous Mb', () => {
    expect(parseRate('50Mbit')).toBe(50e6)
    expect(parseRate('1024 Mbit')).toBe(1024e6)
    expect(parseRate('1Gbit')).toBe(1e9)
    expect(parseRate('8Mbps')).toBe(8e6)
    expect(parseRate('8Mbit/s')).toBe(8e6)
    expect(parseRate('10MB')).toBe(80e6)
    expect(parseRate('1MiB')).toBe(8 * 1024 * 1024)
    expect(parseRate('50Mb')).toBeUndefined()
    expect(parseRate('0Mbit')).toBeUndefined()
    expect(parseRate(50)).toBeUndefined()
  })

  it('writes rates the way files do', () => {
    expect(formatRate(1024e6)).toBe('1024Mbit')
    expect(formatRate(1e9)).toBe('1Gbit')
    expect(formatRate(50e6)).toBe('50Mbit')
    expect(formatRate(1.5e6)).toBe('1.5Mbit')
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe('unlimited')
  })
})
