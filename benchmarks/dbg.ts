// `npm run bench:dbg`: the debugger at scale. Generates a 1,000,000-transition log from the six
// machines' real schemas, then, in a fresh child process (so that RSS is the debugger's own), opens it
// in the real Ink screen (fake terminal streams) and measures: time to the first screen, time to the
// whole file indexed, step redraw latency (key written → frame written) p50/p99, and peak RSS.
// The log carries message floods (issue 15): 1,001 hosts, each message seen by the 1,000 others; the
// bench opens the message view of one ('o' on its PublishMessage) and steps through its hops, and opens
// the late-messages list. Goals (issues 6, 15, 11): first screen <= 1 s, step p99 <= 20 ms, RSS under
// --max-mem. It also reports the CPU time per step and the GC pauses while stepping: at a loaded machine
// the latency mostly says how busy the machine is, the CPU time says what a step costs.
import { spawnSync } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { PerformanceObserver } from 'node:perf_hooks'
import { installPolyfills } from '../src/polyfill.js'
import { rankQuantile } from '../src/quantile.js'

installPolyfills()

const TXS = Number(process.env.DBG_BENCH_TXS ?? 1_000_000)
const MAX_MEM_MB = Number(process.env.DBG_BENCH_MAX_MEM ?? 1024)
const STEPS = 300
const GAP_MS = 40
const PEERS = Number(process.env.DBG_BENCH_PEERS ?? 1001)
const MESSAGES = Number(process.env.DBG_BENCH_MESSAGES ?? 200)

class FakeStdout extends EventEmitter {
  columns = 160
  rows = 48
  isTTY = false
  writes = 0
  lastWrite = 0
  last = ''
  private waiters: Array<() => void> = []
  write = (s: string): boolean => {
    this.writes++
    this.lastWrite = performance.now()
    this.last = s
    for (const w of this.waiters.splice(0)) w()
    return true
  }
  nextWrite(timeoutMs = 2000): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs)
      this.waiters.push(() => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true
  private data: string | null = null
  write(data: string): void {
    this.data = data
    this.emit('readable')
    this.emit('data', data)
  }
  read = (): string | null => {
    const d = this.data
    this.data = null
    return d
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function pct(xs: number[], p: number): number {
  return rankQuantile(
    [...xs].sort((a, b) => a - b),
    p / 100,
  )
}

interface GcSummary {
  minor: number
  major: number
  totalMs: number
  maxMs: number
}

/** Counts and pauses of the GCs seen (kind 1: scavenge; the rest: mark-compact and its steps). */
function gcSummary(gcs: ReadonlyArray<{ kind: number; ms: number }>): GcSummary {
  return {
    minor: gcs.filter((g) => g.kind === 1).length,
    major: gcs.filter((g) => g.kind !== 1).length,
    totalMs: gcs.reduce((a, g) => a + g.ms, 0),
    maxMs: gcs.reduce((a, g) => Math.max(a, g.ms), 0),
  }
}

interface ChildResult {
  firstScreenMs: number
  loadedMs: number
  txs: number
  machines: number
  malformed: number
  dropped: number
  step: { p50: number; p99: number; max: number; n: number; over30: number; over20: number }
  /** CPU time (user + system) from key written to frame written, mean per step */
  stepCpuMs: number
  /** GC pauses while stepping */
  stepGc: GcSummary
  jump: { p50: number; p99: number; n: number }
  msgView?: {
    hosts: number
    hops: number
    openMs: number
    step: { p50: number; p99: number; max: number; n: number }
    cpuMs: number
    gc: GcSummary
    slowestMs: number
    enterMs: number
    lateOpenMs: number
    lateCount: number
  }
  marks: number
  peakRssMb: number
}

/** Starts the V8 profiler in this process; the returned function stops it and writes the profile. */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises')
  const { writeFileSync } = await import('node:fs')
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
  return async (file) => {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(file, JSON.stringify(profile))
    session.disconnect()
  }
}

/** Samples the allocations that survive a scavenge (kept, or collected later by a mark-compact). */
async function startHeapProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises')
  const { writeFileSync } = await import('node:fs')
  const session = new Session()
  session.connect()
  await session.post('HeapProfiler.enable')
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: false,
  } as never)
  return async (file) => {
    const { profile } = await session.post('HeapProfiler.stopSampling')
    writeFileSync(file, JSON.stringify(profile))
    session.disconnect()
  }
}

async function child(file: string): Promise<void> {
  // as `psm dbg` runs it (cmd/dbg.ts)
  process.env.NODE_ENV ??= 'production'
  const { runDbg } = await import('../src/dbg/run.js')
  const stdout = new FakeStdout()
  const stdin = new FakeStdin()
  // from the process's start (performance.now() counts from it): node, module loading, then psm dbg
  const t0 = 0
  let firstScreen = 0
  let peak = 0
  // rss() alone: memoryUsage() also walks the heap's spaces, a cost the sampler would add to the steps
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 20)
  const firstFrame = new Promise<void>((resolve) => {
    const check = (): void => {
      if (stdout.last.includes('ps-0')) {
        firstScreen = performance.now() - t0
        resolve()
      } else void stdout.nextWrite(10_000).then(check)
    }
    void stdout.nextWrite(10_000).then(check)
  })
  let loadedAt = 0
  let ctx: Parameters<NonNullable<Parameters<typeof runDbg>[0]['onStart']>>[0] | undefined
  const running = runDbg({
    file,
    maxMemMb: MAX_MEM_MB,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    size: { width: 160, height: 47 },
    altScreen: false,
    color: true,
    onStart: (c) => {
      ctx = c
      void c.loaded.then(() => {
        loadedAt = performance.now() - t0
      })
    },
  })
  await firstFrame
  while (!ctx || loadedAt === 0) await sleep(20)
  const { model, controller } = ctx
  // step the busiest machine from the middle of its history (keys that change nothing draw nothing)
  const t = model.machines.reduce((a, b) => (b.total > a.total ? b : a))
  controller.state = { ...controller.state, selected: t.index, cursor: model.globalOf(t, Math.floor(t.total / 2)) }
  controller.apply({ type: 'step', dir: 1, n: 1 })
  await sleep(100)
  // CPU time and GC pauses of the steps: the CPU time hardly depends on what else loads the machine
  let cpuUs = 0
  const gcs: Array<{ kind: number; ms: number }> = []
  let inSteps = false
  const gcObserver = new PerformanceObserver((list) => {
    if (!inSteps) return
    for (const e of list.getEntries())
      gcs.push({ kind: (e as unknown as { detail: { kind: number } }).detail.kind, ms: e.duration })
  })
  gcObserver.observe({ entryTypes: ['gc'] })
  const measure = async (key: string, n: number): Promise<number[]> => {
    const out: number[] = []
    for (let i = 0; i < n; i++) {
      await sleep(GAP_MS)
      const wrote = stdout.nextWrite()
      const c0 = process.cpuUsage()
      const s = performance.now()
      stdin.write(key)
      if (await wrote) {
        out.push(stdout.lastWrite - s)
        const c = process.cpuUsage(c0)
        cpuUs += c.user + c.system
      }
    }
    return out
  }
  // DBG_BENCH_CPUPROF=FILE: a CPU profile of the steps only (main view and message view)
  const prof = process.env.DBG_BENCH_CPUPROF ? await startProfile() : undefined
  // DBG_BENCH_HEAPPROF=FILE: where what outlives a scavenge while stepping was allocated
  const heapProf = process.env.DBG_BENCH_HEAPPROF ? await startHeapProfile() : undefined
  inSteps = true
  const steps = [...(await measure('\x1b[C', STEPS / 2)), ...(await measure('\x1b[D', STEPS / 2))]
  inSteps = false
  const stepCpuMs = cpuUs / 1000 / steps.length
  const stepGcs = gcs.splice(0)
  const jumps = await measure('\x1b[1;2C', 40)
  // the message view of a message every other host saw: 'o' on its PublishMessage (when the log has messages)
  const { messagePath } = await import('../src/dbg/model/message-path.js')
  const infos = model.messages.messages
  const info = infos[Math.floor(infos.length / 2)]
  let msgView: ChildResult['msgView'] | undefined
  if (info) {
    const pub = info.marks.find((m) => m.mark === 'publish')!
    controller.state = { ...controller.state, selected: pub.machine, cursor: pub.g }
    controller.apply({ type: 'step', dir: 1, n: 1 })
    controller.apply({ type: 'step', dir: -1, n: 1 })
    await sleep(100)
    const once = async (key: string): Promise<number> => (await measure(key, 1))[0] ?? Number.NaN
    const openMs = await once('o')
    const path = messagePath(model, info)
    cpuUs = 0
    inSteps = true
    const msgSteps = [...(await measure('\x1b[B', STEPS / 2)), ...(await measure('\x1b[A', STEPS / 2))]
    inSteps = false
    const msgCpuMs = cpuUs / 1000 / msgSteps.length
    const msgGcs = gcs.splice(0)
    if (prof) await prof(process.env.DBG_BENCH_CPUPROF!)
    if (heapProf) await heapProf(process.env.DBG_BENCH_HEAPPROF!)
    const slowestMs = await once('s')
    const enterMs = await once('\r')
    const lateOpenMs = await once('L')
    msgView = {
      hosts: path.reached + 1,
      hops: path.hops.length,
      openMs,
      step: { p50: pct(msgSteps, 50), p99: pct(msgSteps, 99), max: Math.max(...msgSteps), n: msgSteps.length },
      cpuMs: msgCpuMs,
      gc: gcSummary(msgGcs),
      slowestMs,
      enterMs,
      lateOpenMs,
      lateCount: controller.lateList().length,
    }
  }
  peak = Math.max(peak, process.memoryUsage().rss)
  clearInterval(sampler)
  const maxRss = process.resourceUsage().maxRSS / 1024
  const result: ChildResult = {
    firstScreenMs: Math.round(firstScreen),
    loadedMs: Math.round(loadedAt),
    txs: model.txCount,
    machines: model.machines.length,
    malformed: model.malformed,
    dropped: model.droppedTxs,
    step: {
      p50: pct(steps, 50),
      p99: pct(steps, 99),
      max: Math.max(...steps),
      n: steps.length,
      over30: steps.filter((x) => x > 30).length,
      over20: steps.filter((x) => x > 20).length,
    },
    stepCpuMs,
    stepGc: gcSummary(stepGcs),
    jump: { p50: pct(jumps, 50), p99: pct(jumps, 99), n: jumps.length },
    ...(msgView ? { msgView } : {}),
    marks: model.messages.marks,
    peakRssMb: Math.round(Math.max(peak / 1024 / 1024, maxRss)),
  }
  controller.quit()
  await running
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}

async function parent(): Promise<void> {
  const { writeSyntheticLog } = await import('../src/dbg/synthetic-log.js')
  const dir = 'bench-out'
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `dbg-${TXS}-${PEERS}p-${MESSAGES}m.jsonl`)
  if (!existsSync(file)) {
    const g0 = performance.now()
    process.stderr.write(`generating ${file} (${TXS} transitions, ${PEERS} hosts, ${MESSAGES} messages)…\n`)
    await writeSyntheticLog(`${file}.tmp`, {
      txs: TXS,
      peers: PEERS,
      seed: 7,
      snapshotEvery: 1000,
      messages: MESSAGES,
    })
    const { renameSync } = await import('node:fs')
    renameSync(`${file}.tmp`, file)
    process.stderr.write(`generated in ${((performance.now() - g0) / 1000).toFixed(1)} s\n`)
  }
  const size = statSync(file).size
  process.stderr.write(`opening ${file} (${(size / 1024 / 1024).toFixed(0)} MiB) in a child process…\n`)
  const before = loadavg()
  const res = spawnSync(process.execPath, [process.argv[1]!, '--child', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = res.stdout.trim().split('\n').pop() ?? ''
  let r: ChildResult
  try {
    r = JSON.parse(line) as ChildResult
  } catch {
    process.stderr.write(`bench child failed (exit ${res.status}): ${res.stdout.slice(-500)}\n`)
    process.exit(1)
  }
  const ok = (b: boolean) => (b ? 'ok' : 'OVER')
  const gcLine = (g: GcSummary) =>
    `${g.minor} scavenges, ${g.major} mark-compact (steps), ${g.totalMs.toFixed(0)} ms in all, longest ${g.maxMs.toFixed(1)} ms`
  const f = (n: number) => n.toFixed(1)
  const out = [
    `psm dbg bench: ${r.txs} transitions, ${r.machines} machines, ${r.marks} message marks, ${(size / 1024 / 1024).toFixed(0)} MiB log`,
    `  load average       ${before.map((x) => x.toFixed(2)).join(' ')} before, ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} after`,
    `  first screen       ${r.firstScreenMs} ms (from process start)  goal <= 1000 ms  ${ok(r.firstScreenMs <= 1000)}`,
    `  whole file indexed ${r.loadedMs} ms (stepping works meanwhile on what is loaded)`,
    `  screen             160×47, key written → frame written, keys ${GAP_MS} ms apart`,
    `  step redraw        p50 ${f(r.step.p50)} ms  p99 ${f(r.step.p99)} ms  max ${f(r.step.max)} ms, ${r.step.over20}/${r.step.n} over 20 ms, ${r.step.over30} over 30 ms  goal <= 20 ms  ${ok(r.step.p99 <= 20)}`,
    `    CPU per step     ${f(r.stepCpuMs)} ms;  GC while stepping: ${gcLine(r.stepGc)}`,
    `  jump 50 redraw     p50 ${f(r.jump.p50)} ms  p99 ${f(r.jump.p99)} ms (n=${r.jump.n})`,
    `  peak RSS           ${r.peakRssMb} MiB         --max-mem ${MAX_MEM_MB} MiB  ${ok(r.peakRssMb <= MAX_MEM_MB)}`,
    `  malformed ${r.malformed}, dropped ${r.dropped}`,
  ]
  const v = r.msgView
  if (v) {
    out.splice(
      out.length - 2,
      0,
      `  message view       a message seen by ${v.hosts} hosts (${v.hops} hops): 'o' → drawn ${f(v.openMs)} ms`,
      `    step (↓/↑)       p50 ${f(v.step.p50)} ms  p99 ${f(v.step.p99)} ms  max ${f(v.step.max)} ms (n=${v.step.n})  goal <= 20 ms  ${ok(v.step.p99 <= 20)}`,
      `    CPU per step     ${f(v.cpuMs)} ms;  GC while stepping: ${gcLine(v.gc)}`,
      `    s (slowest hop)  ${f(v.slowestMs)} ms   enter (main view at the hop) ${f(v.enterMs)} ms`,
      `  late list (L)      ${v.lateCount} messages ranked and drawn in ${f(v.lateOpenMs)} ms`,
    )
  }
  process.stdout.write(`${out.join('\n')}\n`)
}

if (process.argv[2] === '--child') await child(process.argv[3]!)
else await parent()
