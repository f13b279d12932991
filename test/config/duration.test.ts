// The one duration parser: config keys (sim.yml, bench.yml, env) and flags (--timeout, --heartbeat).
import { describe, expect, it } from 'vitest'
import { formatMs, parseDuration } from '../../src/config/duration.js'

describe('parseDuration', () => {
  it('reads ms, s, m, h and bare seconds, to milliseconds', () => {
    expect(['500ms', '30s', '2m', '1h', '1.5', ' 10 s '].map(parseDuration)).toEqual([
      500, 30_000, 120_000, 3_600_000, 1500, 10_000,
    ])
  })

  it('refuses what is not a duration', () => {
    for (const bad of ['', 'soon', '5x', '-1s', '1d', 's']) expect(parseDuration(bad), bad).toBeUndefined()
  })

  it('formats what it parses back to the same milliseconds', () => {
    for (const ms of [0, 250, 1500, 60_000, 90_000, 3_600_000]) expect(parseDuration(formatMs(ms))).toBe(ms)
  })
})
