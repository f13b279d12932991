// bench.yml: the root file equals the embedded defaults; NUM_HOSTS / RAND_MSGS take comma lists;
// bad files, env values and flags name the key.
import { describe, expect, it } from 'vitest'
import { defaultBenchConfig, loadBenchConfig } from '../../src/config/bench.js'
import { InputError, UsageError } from '../../src/errors.js'
import { errorOf, tempFiles } from '../helpers/files.js'

const file = tempFiles('bench')

describe('bench config', () => {
  it('bench.yml at the root holds exactly the embedded defaults, the matrix of the issue', () => {
    const c = loadBenchConfig({ path: 'bench.yml' })
    expect(c).toEqual(defaultBenchConfig())
    expect(c).toMatchObject({
      hosts: [5, 10, 15, 20],
      msgs: [20, 40, 60, 80, 100],
      iterations: 15,
      impls: ['vanilla', 'machine'],
      timeout: 120_000,
      out: null,
      cpus: null,
    })
  })

  it('takes NUM_HOSTS and RAND_MSGS as comma lists, and flags over them', () => {
    const c = loadBenchConfig({ env: { NUM_HOSTS: '3, 4', RAND_MSGS: '2' } })
    expect([c.hosts, c.msgs]).toEqual([[3, 4], [2]])
    const f = loadBenchConfig({
      env: { NUM_HOSTS: '3,4' },
      flags: { hosts: '6', iterations: '2', impl: 'machine', warmup: '0', timeout: '30s', out: 'x', cpus: '0-1' },
    })
    expect(f).toMatchObject({
      hosts: [6],
      iterations: 2,
      impls: ['machine'],
      warmup: 0,
      timeout: 30_000,
      out: 'x',
      cpus: '0-1',
    })
  })

  it.each([
    ['hosts: [5, 1]\n', 'bench.yml:1: hosts[1]: 1 is below the minimum 2'],
    ['hosts:\n  - 5\n  - five\n', "bench.yml:3: hosts[1]: 'five' is not a whole number"],
    ['hosts: []\n', 'bench.yml:1: hosts: has 0 item(s); at least 1 needed'],
    ['msgs: [20, 20]\n', 'bench.yml:1: msgs[1]: 20 is listed twice'],
    ['iterations: 0\n', 'bench.yml:1: iterations: 0 is below the minimum 1 (a positive whole number)'],
    ['impls: [vanilla, turbo]\n', "bench.yml:1: impls[1]: 'turbo' is not one of vanilla, machine"],
    ['timeout: 10ms\n', 'bench.yml:1: timeout: 10ms is below the minimum 1s'],
    ['warmups: 2\n', 'bench.yml:1: warmups: unknown key'],
    ['host:\n  muxer: quic\n', "bench.yml:2: host.muxer: 'quic' is not one of mplex, yamux"],
    ['scenario: other\n', "bench.yml:1: scenario: 'other' is not one of simple-discovery"],
    ['cpus: all\n', "bench.yml:1: cpus: 'all' is not a CPU list such as 1, 0-1 or 0,2"],
  ])('bad file %j → %s', (text, message) => {
    const path = file(text)
    const err = errorOf(() => loadBenchConfig({ path }))
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toContain(message.replace('bench.yml', path))
  })

  it.each([
    [{ NUM_HOSTS: '5,x' }, "NUM_HOSTS: hosts[1]: 'x' is not a whole number"],
    [{ NUM_HOSTS: '1' }, 'NUM_HOSTS: hosts[0]: 1 is below the minimum 2'],
    [{ RAND_MSGS: '0' }, 'RAND_MSGS: msgs[0]: 0 is below the minimum 1 (a positive whole number)'],
    [{ RAND_MSGS: ',' }, "RAND_MSGS: msgs[0]: '' is not a whole number"],
  ])('bad env %j → %s', (env, message) => {
    const err = errorOf(() => loadBenchConfig({ env }))
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toBe(message)
  })

  it.each([
    [{ hosts: '5,5' }, '--hosts: hosts[1]: 5 is listed twice'],
    [{ iterations: 'many' }, "--iterations: iterations: 'many' is not a whole number"],
    [{ impl: 'vanilla,fast' }, "--impl: impls[1]: 'fast' is not one of vanilla, machine"],
    [{ warmup: '-1' }, '--warmup: warmup: -1 is below the minimum 0'],
    [{ timeout: 'soon' }, "--timeout: timeout: 'soon' is not a duration"],
  ])('bad flag %j → %s', (flags, message) => {
    const err = errorOf(() => loadBenchConfig({ flags }))
    expect(err).toBeInstanceOf(UsageError)
    expect(err.message).toContain(message)
  })
})
