// Flag parsing: a negative number is a flag's value (its own check judges it), `--` still ends the flags,
// and an error carries the command once (cmd/psm.ts prints `psm <command>: `).
import { describe, expect, it } from 'vitest'
import { parseFlags } from '../../src/cli/args.js'
import { UsageError } from '../../src/errors.js'
import { errorOf } from '../helpers/files.js'

const SPECS = {
  'max-peers': { type: 'string', description: 'n' },
  quiet: { type: 'boolean', description: 'q' },
} as const

describe('parseFlags', () => {
  it('takes a negative number after a flag as its value', () => {
    expect(parseFlags('sim', ['--max-peers', '-3'], SPECS).flags['max-peers']).toBe('-3')
    expect(parseFlags('sim', ['--max-peers', '-0.5', '--quiet'], SPECS).flags).toEqual({
      'max-peers': '-0.5',
      quiet: true,
    })
  })

  it('keeps what follows -- as positionals', () => {
    expect(parseFlags('sim', ['--quiet', '--', '--max-peers', '-3'], SPECS).positionals).toEqual(['--max-peers', '-3'])
  })

  it('names the command once, in the error, not in its message', () => {
    const err = errorOf(() => parseFlags('bench compare', ['--frob'], SPECS)) as UsageError
    expect(err).toBeInstanceOf(UsageError)
    expect(err.command).toBe('bench compare')
    expect(err.message).toBe("Unknown option '--frob' (see 'psm bench compare --help')")
    const missing = errorOf(() => parseFlags('sim', ['--max-peers'], SPECS))
    expect(missing.message).toMatch(/^Option '--max-peers <value>' argument missing/)
  })
})
