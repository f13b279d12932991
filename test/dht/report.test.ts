import { describe, expect, it } from 'vitest'
import { initialised } from '../../src/dht/report.js'

describe('the init line of a DHT report', () => {
  it('says how many nodes joined when a signal cut the joins short', () => {
    expect(initialised(300, 300)).toBe('300 nodes initialised')
    expect(initialised(300, undefined)).toBe('300 nodes initialised')
    expect(initialised(300, 120)).toBe('120 of 300 nodes initialised (the rest skipped: interrupted)')
  })
})
