// Test harness: a real Prometheus (Debian's `prometheus` binary) started by PID on a free loopback port with a
// temporary config scraping one target every second, queried through its HTTP API, and stopped by PID.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface QueryResult {
  status: string
  error?: string
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }
}

export interface Prometheus {
  readonly url: string
  readonly pid: number
  query(promql: string): Promise<QueryResult>
  /** resolves once the target's `up` is 1 */
  waitUp(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
  /** what Prometheus printed (for failure messages) */
  output(): string
}

export const JOB = 'psm'

/**
 * `jobs` > 1 scrapes the same target under that many jobs (psm, psm-2, ...): every series then exists once per
 * scrape target, as with several sims, so a panel that does not aggregate shows it.
 */
export async function startPrometheus(target: string, jobs = 1): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'psm-prometheus-'))
  const config = join(dir, 'prometheus.yml')
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      ...Array.from({ length: jobs }, (_, i) => [
        `  - job_name: ${i === 0 ? JOB : `${JOB}-${i + 1}`}`,
        '    scrape_interval: 1s',
        '    scrape_timeout: 1s',
        '    static_configs:',
        `      - targets: ['${target}']`,
      ]).flat(),
      '',
    ].join('\n'),
  )
  const port = await freePort()
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  child.stdout?.on('data', (d) => (out += d))
  child.stderr?.on('data', (d) => (out += d))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`prometheus exited (${code}): ${out}`)))
  })
  failed.catch(() => {})
  const url = `http://127.0.0.1:${port}`

  async function query(promql: string): Promise<QueryResult> {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
    return (await res.json()) as QueryResult
  }

  async function ready(): Promise<void> {
    for (;;) {
      try {
        if ((await fetch(`${url}/-/ready`)).ok) return
      } catch {}
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  await Promise.race([ready(), failed])

  return {
    url,
    pid: child.pid!,
    query,
    async waitUp(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        const r = await query(`up{job="${JOB}"}`)
        if (r.data?.result[0]?.value[1] === '1') return
        await new Promise((res) => setTimeout(res, 250))
      }
      throw new Error(`target ${target} never came up: ${out}`)
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid!, 'SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
    output: () => out,
  }
}

/** A query "has data" when it returns at least one finite sample (a NaN-only panel shows nothing). */
export function hasData(r: QueryResult): boolean {
  if (r.status !== 'success' || !r.data) return false
  if (r.data.resultType === 'scalar') {
    const v = Number((r.data.result as unknown as [number, string])[1])
    return Number.isFinite(v)
  }
  return r.data.result.some((s) => Number.isFinite(Number(s.value[1])))
}
