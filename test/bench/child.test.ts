// One bench run in a (fake) child process: every way a run can go wrong is a failure with a reason.
import type { ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { judgeRun, parseScenarioOutput, type RunSpec, runChild } from '../../src/bench/child.js'
import { argOf, fakeSpawn, type Script, scenarioJson } from './fake-child.js'

const spec: RunSpec = { hosts: 3, msgs: 2, impl: 'machine', iteration: 4, seed: 5, warmup: false }
const opts = { binPath: '/pkg/bin/psm.js', scenario: 'simple-discovery', timeoutMs: 10_000, graceMs: 1000 }
const runWith = (script: Script, extra: Partial<Parameters<typeof runChild>[1]> = {}) => {
  const spawn = fakeSpawn(() => script)
  return { spawn, done: runChild(spec, { ...opts, spawn, ...extra }) }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('runChild', () => {
  it('runs node on the package binary with the cell, seed, timeout and extra flags', async () => {
    const { spawn, done } = runWith({ stdout: scenarioJson(), code: 0 }, { extraArgs: ['--muxer', 'yamux'] })
    const run = await done
    const call = spawn.calls[0]!
    expect(call.command).toBe(process.execPath)
    expect(call.args.slice(0, 3)).toEqual(['/pkg/bin/psm.js', 'scenario', 'simple-discovery'])
    expect([argOf(call.args, '--hosts'), argOf(call.args, '--msgs'), argOf(call.args, '--impl')]).toEqual([
      '3',
      '2',
      'machine',
    ])
    expect([argOf(call.args, '--seed'), argOf(call.args, '--timeout'), argOf(call.args, '--muxer')]).toEqual([
      '5',
      '10s',
      'yamux',
    ])
    expect(call.args).toContain('--json')
    expect(run).toMatchObject({ failure: null, exitCode: 0, iteration: 4, wallMs: 1000, transitions: 1234 })
    expect(run.processMs).toBeGreaterThanOrEqual(0)
  })

  it('runs under a prefix command (the --cpus pin) that execs node with the same arguments', async () => {
    const { spawn, done } = runWith({ stdout: scenarioJson(), code: 0 }, { prefix: ['taskset', '-c', '1'] })
    expect((await done).failure).toBeNull()
    const call = spawn.calls[0]!
    expect(call.command).toBe('taskset')
    expect(call.args.slice(0, 5)).toEqual(['-c', '1', process.execPath, '/pkg/bin/psm.js', 'scenario'])
  })

  it.each<[string, Script, RegExp]>([
    [
      'the scenario says why',
      { stdout: scenarioJson({ delivered: 3, failure: 'timeout waiting for readiness' }), code: 1 },
      /^timeout waiting for readiness$/,
    ],
    ['exit 1 without a reason', { stdout: scenarioJson({ delivered: 3 }), code: 1 }, /^exit 1$/],
    [
      'no JSON at all',
      { stderr: 'psm scenario: boom\n', code: 1 },
      /^exit 1, no JSON result on stdout: psm scenario: boom$/,
    ],
    ['bad JSON', { stdout: '{"wallMs": 1,', code: 0 }, /no JSON result/],
    [
      'bad flags',
      { stderr: "psm scenario: Unknown option '--x'\n", code: 2 },
      /^exit 2, no JSON result on stdout: psm scenario: Unknown option/,
    ],
    ['exit 0 but undelivered', { stdout: scenarioJson({ delivered: 3 }), code: 0 }, /^exit 0 but delivered 3 of 6$/],
    ['a missing field', { stdout: scenarioJson({ wallMs: undefined }), code: 0 }, /^JSON result lacks wallMs$/],
    ['another cell ran', { stdout: scenarioJson({ hosts: 4 }), code: 0 }, /^ran hosts 4, asked for 3$/],
  ])('fails a run when %s', async (_name, script, reason) => {
    const run = await runWith(script).done
    expect(run.failure).toMatch(reason)
    expect(run.hosts).toBe(3)
    expect(run.impl).toBe('machine')
  })

  it('kills a run that outlives its timeout (SIGKILL if SIGTERM is ignored) and fails it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { spawn, done } = runWith({ stubborn: true })
    await vi.advanceTimersByTimeAsync(11_000)
    expect(spawn.kills).toEqual(['SIGTERM'])
    await vi.advanceTimersByTimeAsync(3000)
    vi.useRealTimers()
    const run = await done
    expect(spawn.kills).toEqual(['SIGTERM', 'SIGKILL'])
    expect(run.failure).toBe('timeout: still running 11s after start, killed')
    expect(run.exitCode).toBeNull()
  })

  it('stops the child when the bench is interrupted', async () => {
    const controller = new AbortController()
    const { spawn, done } = runWith({ afterMs: 60_000, code: 0 }, { signal: controller.signal })
    controller.abort()
    const run = await done
    expect(spawn.kills).toEqual(['SIGTERM'])
    expect(run.failure).toBe('interrupted')
  })

  it('records a spawn that reports an error instead of starting', async () => {
    const run = await runChild(spec, {
      ...opts,
      spawn: () => {
        const child = new EventEmitter()
        setImmediate(() => child.emit('error', new Error('spawn EACCES')))
        return child as unknown as ChildProcess
      },
    })
    expect(run.failure).toBe('could not start: spawn EACCES')
    expect(run.exitCode).toBeNull()
  })

  it('records a child that cannot start', async () => {
    const run = await runChild(spec, {
      ...opts,
      spawn: () => {
        throw new Error('EAGAIN')
      },
    })
    expect(run.failure).toBe('could not start: Error: EAGAIN')
  })
})

describe('parseScenarioOutput', () => {
  it('takes the whole output, or the last JSON line after other output', () => {
    expect(parseScenarioOutput('{"a":1}')).toEqual({ a: 1 })
    expect(parseScenarioOutput('{\n "a": 1\n}\n')).toEqual({ a: 1 })
    expect(parseScenarioOutput('starting\n{"a":1}\n{"b":2}\n')).toEqual({ b: 2 })
    expect(parseScenarioOutput('[1]')).toBeUndefined()
    expect(parseScenarioOutput('')).toBeUndefined()
  })
})

describe('judgeRun', () => {
  const exit = { code: 0, signal: null, timedOut: false, timeoutMs: 1000 }
  it('fails on a signal, a reason with another exit code, and failures > 0', () => {
    expect(judgeRun(spec, { ...exit, code: null, signal: 'SIGSEGV' }, undefined, '')).toBe('killed by SIGSEGV')
    expect(judgeRun(spec, { ...exit, code: 3 }, { failure: 'x' }, '')).toBe('x (exit 3)')
    const ok = JSON.parse(scenarioJson()) as Record<string, unknown>
    expect(judgeRun(spec, exit, ok, '')).toBeNull()
    expect(judgeRun(spec, exit, { ...ok, failures: 1 }, '')).toMatch(/^exit 0 but delivered/)
  })
})
