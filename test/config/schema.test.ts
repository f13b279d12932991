// The schema language: types, ranges, defaults, text parsing for env and flags, key paths in messages.
import { describe, expect, it } from 'vitest'
import { formatMs } from '../../src/config/duration.js'
import {
  boolean,
  ConfigIssue,
  duration,
  hostPort,
  int,
  list,
  nullable,
  number,
  object,
  oneOf,
  string,
} from '../../src/config/schema.js'

const issue = (f: () => unknown): ConfigIssue => {
  try {
    f()
  } catch (err) {
    if (err instanceof ConfigIssue) return err
    throw err
  }
  throw new Error('expected a ConfigIssue')
}

describe('schema', () => {
  const s = object({
    n: int({ default: 3, min: 1, max: 5 }),
    f: number({ default: 0.5, min: 0 }),
    e: oneOf(['a', 'b'] as const, 'a'),
    b: boolean(false),
    d: duration({ default: '1s', min: 10 }),
    l: list(int({ min: 1 }), { default: [1, 2], minItems: 1, unique: true }),
    hp: hostPort('127.0.0.1:9464'),
    maybe: nullable(string({ nonEmpty: true })),
    inner: object({ x: int({ default: 7 }) }),
  })

  it('fills defaults, deeply', () => {
    expect(s.check({}, [])).toEqual({
      n: 3,
      f: 0.5,
      e: 'a',
      b: false,
      d: 1000,
      l: [1, 2],
      hp: '127.0.0.1:9464',
      maybe: null,
      inner: { x: 7 },
    })
    expect(s.check({ inner: { x: 9 }, d: '250ms', maybe: 'x' }, []).inner.x).toBe(9)
  })

  it('does not share default lists between configs', () => {
    const a = s.check({}, [])
    a.l.push(99)
    expect(s.check({}, []).l).toEqual([1, 2])
  })

  it.each([
    [{ n: 0 }, 'n', '0 is below the minimum 1 (a positive whole number)'],
    [{ n: 6 }, 'n', '6 is above the maximum 5'],
    [{ n: 2.5 }, 'n', '2.5 is not a whole number'],
    [{ n: '3' }, 'n', "'3' is not a whole number"],
    [{ f: -1 }, 'f', '-1 is below the minimum 0'],
    [{ e: 'c' }, 'e', "'c' is not one of a, b"],
    [{ b: 'yes' }, 'b', "'yes' is not true or false"],
    [{ d: '5x' }, 'd', "'5x' is not a duration"],
    [{ d: '5ms' }, 'd', '5ms is below the minimum 10ms'],
    [{ l: [] }, 'l', 'at least 1 needed'],
    [{ l: [1, 0] }, 'l[1]', '0 is below the minimum 1 (a positive whole number)'],
    [{ l: [1, 1] }, 'l[1]', '1 is listed twice'],
    [{ l: 3 }, 'l', 'is not a list'],
    [{ hp: 'nope:port' }, 'hp', 'is not host:port'],
    [{ hp: '1.2.3.4:70000' }, 'hp', 'is not host:port'],
    [{ maybe: '' }, 'maybe', 'is empty'],
    [{ inner: 3 }, 'inner', 'is not a mapping'],
    [{ inner: { y: 1 } }, 'inner.y', 'unknown key (known keys here: x)'],
    [{ zzz: 1 }, 'zzz', 'unknown key'],
    [{ n: null }, 'n', 'has no value'],
  ])('%j → %s: %s', (value, path, message) => {
    const err = issue(() => s.check(value, []))
    expect(
      err.path
        .map(String)
        .join('.')
        .replace(/\.(\d+)/g, '[$1]'),
    ).toBe(path)
    expect(err.message).toContain(message)
  })

  it('parses text from env and flags with the same checks', () => {
    expect(int({ min: 1 }).fromText(' 12 ', [])).toBe(12)
    expect(issue(() => int({ min: 1 }).fromText('0', ['k'])).message).toBe(
      '0 is below the minimum 1 (a positive whole number)',
    )
    expect(issue(() => int().fromText('12abc', [])).message).toContain("'12abc' is not a whole number")
    expect(boolean().fromText('1', [])).toBe(true)
    expect(boolean().fromText('off', [])).toBe(false)
    expect(issue(() => boolean().fromText('maybe', [])).message).toContain('is not true or false')
    expect(list(int()).fromText('5, 10,20', [])).toEqual([5, 10, 20])
    expect(issue(() => list(int({ min: 2 })).fromText('5,1', ['hosts'])).path).toEqual(['hosts', 1])
    expect(duration().fromText('2m', [])).toBe(120_000)
    expect(duration().fromText('1.5', [])).toBe(1500)
    expect(hostPort().fromText('9000', [])).toBe('127.0.0.1:9000')
    expect(hostPort().fromText(':9000', [])).toBe('127.0.0.1:9000')
    expect(hostPort().fromText('0.0.0.0:1', [])).toBe('0.0.0.0:1')
    expect(nullable(int()).fromText('none', [])).toBeNull()
  })

  it('formats milliseconds as a user writes them', () => {
    expect([formatMs(500), formatMs(1500), formatMs(60_000), formatMs(3_600_000), formatMs(0)]).toEqual([
      '500ms',
      '1.5s',
      '1m',
      '1h',
      '0ms',
    ])
  })
})
