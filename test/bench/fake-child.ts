// A stand-in for child_process.spawn: a scripted child that prints, exits, or hangs until killed.
import type { ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'
import type { SpawnFn } from '../../src/bench/child.js'

export interface Script {
  stdout?: string
  stderr?: string
  /** exit code; undefined hangs until killed */
  code?: number
  /** ms before exiting */
  afterMs?: number
  /** ignore SIGTERM (only SIGKILL ends it) */
  stubborn?: boolean
}

export interface FakeSpawn extends SpawnFn {
  calls: { command: string; args: readonly string[] }[]
  kills: string[]
}

export function fakeSpawn(script: (args: readonly string[]) => Script): FakeSpawn {
  const calls: FakeSpawn['calls'] = []
  const kills: string[] = []
  const fn = ((command: string, args: readonly string[]) => {
    calls.push({ command, args })
    const s = script(args)
    const child = new EventEmitter() as EventEmitter & {
      stdout: PassThrough
      stderr: PassThrough
      kill(signal?: string): boolean
    }
    child.stdout = new PassThrough()
    child.stderr = new PassThrough()
    let closed = false
    const close = (code: number | null, signal: string | null) => {
      if (closed) return
      closed = true
      child.stdout.end()
      child.stderr.end()
      // like node: 'close' after the streams have ended
      setImmediate(() => child.emit('close', code, signal))
    }
    child.kill = (signal = 'SIGTERM') => {
      kills.push(signal)
      if (signal === 'SIGKILL' || !s.stubborn) close(null, signal)
      return true
    }
    setTimeout(() => {
      if (s.stdout) child.stdout.write(s.stdout)
      if (s.stderr) child.stderr.write(s.stderr)
      if (s.code !== undefined) close(s.code, null)
    }, s.afterMs ?? 0)
    return child as unknown as ChildProcess
  }) as unknown as FakeSpawn
  fn.calls = calls
  fn.kills = kills
  return fn
}

/** The value of a flag in a scenario argument list. */
export function argOf(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}

/** A scenario JSON object as `psm scenario --json` prints it. */
export function scenarioJson(over: Record<string, unknown> = {}): string {
  const hosts = Number(over.hosts ?? 3)
  const msgs = Number(over.msgs ?? 2)
  const expected = (msgs + 1) * (hosts - 1)
  return `${JSON.stringify({
    scenario: 'simple-discovery',
    hosts,
    msgs,
    impl: 'machine',
    seed: 1,
    delivered: expected,
    expected,
    failures: 0,
    failure: null,
    wallMs: 1000,
    readyMs: 400,
    publishMs: 500,
    cpuMs: 900,
    peakRssBytes: 100 * 1024 * 1024,
    heapAllocatedBytes: 50 * 1024 * 1024,
    gcCollectedBytes: 40 * 1024 * 1024,
    gcCount: 5,
    gcPauseMs: 12,
    latencyMs: { p50: 2, p99: 9, max: 12 },
    transitions: 1234,
    ...over,
  })}\n`
}
