// Runs `psm dht run` (the real binary, virtual clock unless told) and reads what it wrote.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { Operation } from '../../src/dht/ops.js'
import type { DhtResults } from '../../src/dht/report.js'
import { runPsm } from '../helpers/cli.js'

export interface DhtRun {
  summary: {
    runId: string
    provide: { count: number; successes: number }
    retrieve: { count: number; successes: number }
  }
  results: DhtResults
  ops: Operation[]
  out: string
  stderr: string
}

export async function dhtRun(out: string, args: string[], timeoutMs = 400_000): Promise<DhtRun> {
  const r = await runPsm(['dht', 'run', '--out', out, '--json', '--quiet', ...args], { timeoutMs })
  expect(r.code, r.stderr).toBe(0)
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as DhtResults
  return { summary: JSON.parse(r.stdout), results, ops: results.operations, out, stderr: r.stderr }
}

/** One line of a JSONL transition log, as the DHT tests read it. */
export interface LogRec {
  kind: string
  machine?: string
  event?: string
  accepted?: boolean
  added?: string[]
  touched?: string[]
  args?: Record<string, unknown>
  source?: string
}

/** Every record of an uncompressed transition log. */
export const readLog = (file: string): LogRec[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogRec)
