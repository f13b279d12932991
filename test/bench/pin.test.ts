// `--cpus`: taskset pins each run; a pin that cannot be applied is one clear error before the bench starts.
import type { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { cpuPin } from '../../src/bench/pin.js'
import { InputError } from '../../src/errors.js'

const errorOf = (f: () => unknown): Error => {
  try {
    f()
  } catch (err) {
    return err as Error
  }
  throw new Error('did not throw')
}

describe('cpuPin', () => {
  it('gives the taskset prefix when taskset accepts the list (taskset from util-linux)', () => {
    expect(cpuPin('0')).toEqual(['taskset', '-c', '0'])
  })

  it('rejects a CPU the machine does not have, quoting taskset', () => {
    const err = errorOf(() => cpuPin('4000'))
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toMatch(/^cpus 4000: taskset refused it: .+/)
  })

  it('names the package when taskset is missing', () => {
    const missing = (() => {
      const error = Object.assign(new Error('spawnSync taskset ENOENT'), { code: 'ENOENT' })
      return { error, status: null, stderr: '', stdout: '', pid: 0, output: [], signal: null }
    }) as unknown as typeof spawnSync
    const err = errorOf(() => cpuPin('1', missing))
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toBe('cpus 1: taskset not found (Debian package util-linux); install it or run without --cpus')
  })
})
