// Stops from outside, as a supervisor gives them: SIGTERM to the exact process a container runtime signals
// (the compose `sim` service's command, `npm start`'s top process), SIGHUP, and SIGKILL mid-recording.
// A signalled run flushes every sink, prints its final block and exits 128 + the signal's number.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { readLogFile, scanLog } from '../../src/telemetry/log/reader.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const FAST = join(ROOT, 'test/fixtures/sim-fast.yml')
const dir = mkdtempSync(join(tmpdir(), 'psm-signals-'))

interface Started {
  child: ChildProcess
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts a command and resolves once the sim printed its first periodic status block (records flow). */
async function startUntilStatus(cmd: string, args: string[]): Promise<Started> {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  )
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no status block: ${out}`)), 60_000)
    const check = () => {
      if (out.includes('--- sim status ---')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', check)
    child.once('close', () => reject(new Error(`exited before a status block: ${out}`)))
  })
  return { child, output: () => out, exited }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function expectCompleteLog(path: string): Promise<void> {
  const { problem, stats } = await scanLog(path)
  expect(problem, path).toBeUndefined()
  expect(stats.txs).toBeGreaterThan(100)
}

describe('stop signals', () => {
  test('SIGTERM to the compose sim command: the final block, a complete log, exit 143', async () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: { sim: { command: string[]; stop_grace_period?: string } }
    }
    const command = compose.services.sim.command
    // node itself is the container's process: nothing between the runtime's SIGTERM and psm
    expect(command[0]).toBe('node')
    const log = join(dir, 'compose.jsonl.gz')
    const port = await freePort()
    // the service's own command line; later flags point it at a fast config, a log, a free port, no exporter
    const args = [...command.slice(1), '--config', FAST, '--duration', '0', '--log', log]
    const run = await startUntilStatus(process.execPath, [...args, `--metrics=127.0.0.1:${port}`, '--trace', 'off'])
    run.child.kill('SIGTERM')
    const { code } = await run.exited
    expect(code, run.output()).toBe(143)
    expect(run.output()).toContain('--- sim final (interrupted) ---')
    await expectCompleteLog(log)
  })

  test('SIGTERM to `npm start` (the top process a supervisor signals) reaches psm: a complete log', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
    // npm runs the script under sh -c and forwards SIGTERM to that child: exec makes the child node itself
    expect(pkg.scripts.start).toMatch(/^exec node /)
    const logDir = join(dir, 'npm-start/')
    const run = await startUntilStatus('npm', [
      'start',
      '--silent',
      '--',
      '--config',
      FAST,
      '--duration',
      '0',
      '--log',
      logDir,
    ])
    run.child.kill('SIGTERM')
    const { code, signal } = await run.exited
    // npm re-raises the signal its child stopped on
    expect(signal === 'SIGTERM' || code === 143, `${code} ${signal}: ${run.output()}`).toBe(true)
    expect(run.output()).toContain('--- sim final (interrupted) ---')
    const files = readdirSync(logDir)
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(/^sim-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.jsonl\.gz$/)
    await expectCompleteLog(join(logDir, files[0]!))
  })

  test('SIGHUP stops like SIGINT and SIGTERM: the final block, a complete log, exit 129', async () => {
    const log = join(dir, 'hup.jsonl')
    const run = await startUntilStatus(process.execPath, [
      'bin/psm.js',
      'sim',
      '--config',
      FAST,
      '--duration',
      '0',
      '--log',
      log,
    ])
    run.child.kill('SIGHUP')
    const { code } = await run.exited
    expect(code, run.output()).toBe(129)
    expect(run.output()).toContain('--- sim final (interrupted) ---')
    await expectCompleteLog(log)
  })

  test('SIGKILL while recording .jsonl.gz: every record older than the flush interval reads back', async () => {
    const log = join(dir, 'killed.jsonl.gz')
    const run = await startUntilStatus(process.execPath, [
      'bin/psm.js',
      'sim',
      '--config',
      FAST,
      '--duration',
      '0',
      '--log',
      log,
    ])
    // records made before the status block was seen are more than 2 s old at the kill: past the 200 ms
    // gzip sync flush (and its 1 s ceiling) with room for a loaded machine
    const seenAt = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 2000))
    run.child.kill('SIGKILL')
    const { signal } = await run.exited
    expect(signal).toBe('SIGKILL')
    let records = 0
    let last = 0
    const errors: string[] = []
    for await (const r of readLogFile(log)) {
      if ('record' in r) {
        records++
        // log lines carry no time of their own; every other record does
        if ('time' in r.record) last = Math.max(last, r.record.time)
      } else {
        errors.push(r.error)
      }
    }
    // only the gzip trailer is missing: no malformed or cut line before it
    expect(errors).toEqual(['truncated: the gzip stream ends early'])
    expect(records).toBeGreaterThan(100)
    expect(last).toBeGreaterThanOrEqual(seenAt - 1000)
  })
})
