// `npm run bench:machines`: events/s through the pubsub host machine, bare and with the recorder
// writing a log file, and their ratio. Aims: bare >= 150k/s (issue 2); recorded >= 300k/s and
// recorded/bare >= 0.8 (issue 11). Each round runs both back to back, in alternating order, after one
// warm-up round of each that is not counted; the headline ratio is the geometric mean of the rounds'
// paired ratios with its 95% bootstrap interval, and an aim is "met" only when its whole interval is.
// BENCH_EVENTS (default 500,000) events per run, BENCH_ROUNDS (default 10) rounds.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createActor } from 'xstate'
import { pubsubHostMachine } from '../machines/pubsub-host.js'
import { currentLoad } from '../src/bench/machine-info.js'
import { bootstrapInterval, formatInterval, type Interval } from '../src/bench/paired.js'
import { geomean } from '../src/bench/stats.js'
import { median } from '../src/quantile.js'
import { createJsonlFileSink } from '../src/telemetry/log/file-sink.js'
import { Recorder } from '../src/telemetry/recorder.js'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 500_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10)
const AIM = { bare: 150_000, recorded: 300_000, ratio: 0.8 }

// the mix the host sees: mostly received RPCs, some publishes, the odd peer event
const mix = [
  { type: 'IncomingRPC', args: { msgs: 1, ctrl: 0 } },
  { type: 'IncomingRPC', args: { msgs: 0, ctrl: 2 } },
  { type: 'IncomingRPC', args: { msgs: 1, ctrl: 1 } },
  { type: 'PublishMessage', args: { topic: 'foobar', msgId: 'abc' } },
  { type: 'GetPeers', args: {} },
  { type: 'add.PeersPending' },
  { type: 'PeerNewStream', args: { peer: '12D3KooW' } },
  { type: 'remove.PeersPending' },
] as const

interface Run {
  /** events per second of wall time */
  perSec: number
  /** events per second of the process's CPU time (user and system, every thread): steadier under load */
  perCpuSec: number
}

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(since)
  return (c.user + c.system) / 1e6
}

/** events/s of the bare machine */
function runBare(events: number): Run {
  const a = createActor(pubsubHostMachine).start()
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < events; i++) a.send(mix[i % mix.length] as never)
  const perSec = events / ((performance.now() - t0) / 1000)
  const perCpuSec = events / cpuSeconds(c0)
  a.stop()
  return { perSec, perCpuSec }
}

/** events/s of the machine with the recorder writing `file`, the final flush included */
async function runRecorded(events: number, file: string): Promise<Run & { bytes: number; dropped: number }> {
  const rec = new Recorder({ source: 'bench:machines' })
  const sink = createJsonlFileSink(file)
  rec.addSink(sink)
  const b = createActor(pubsubHostMachine, rec.actorOptions('ps-0')).start()
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < events; i++) b.send(mix[i % mix.length] as never)
  await rec.close()
  const perSec = events / ((performance.now() - t0) / 1000)
  const perCpuSec = events / cpuSeconds(c0)
  const bytes = statSync(file).size
  rmSync(file)
  return { perSec, perCpuSec, bytes, dropped: sink.dropped() }
}

/** the median of `values` with the bootstrap interval of the median */
function medianInterval(values: readonly number[]): Interval {
  const ci = bootstrapInterval(values, median)
  return { value: median(values), lo: ci?.[0], hi: ci?.[1], n: values.length }
}

/** "met" only when the whole interval is at least the aim; "not met" when it is wholly below */
function aimWord(i: Interval | undefined, aim: number): 'met' | 'not met' | 'unclear' {
  if (!i || i.lo === undefined || i.hi === undefined) return 'unclear'
  if (i.lo >= aim) return 'met'
  return i.hi < aim ? 'not met' : 'unclear'
}

const k = (x: number | undefined): string => (x === undefined ? '?' : `${Math.round(x / 1000)}k`)
const perSecText = (i: Interval): string => `${k(i.value)}/s [${k(i.lo)}–${k(i.hi)}]`

async function main(): Promise<void> {
  const loadBefore = currentLoad()
  const dir = mkdtempSync(join(tmpdir(), 'psm-bench-machines-'))
  const bare: number[] = []
  const recorded: number[] = []
  const ratios: number[] = []
  const cpuRatios: number[] = []
  let bytes = 0
  let dropped = 0
  try {
    // warm-up: both paths compiled before anything counts
    runBare(Math.ceil(EVENTS / 5))
    await runRecorded(Math.ceil(EVENTS / 5), join(dir, 'warm.jsonl'))
    for (let r = 0; r < ROUNDS; r++) {
      let b: Run
      let rec: Awaited<ReturnType<typeof runRecorded>>
      if (r % 2 === 0) {
        b = runBare(EVENTS)
        rec = await runRecorded(EVENTS, join(dir, `r${r}.jsonl`))
      } else {
        rec = await runRecorded(EVENTS, join(dir, `r${r}.jsonl`))
        b = runBare(EVENTS)
      }
      bare.push(b.perSec)
      recorded.push(rec.perSec)
      ratios.push(rec.perSec / b.perSec)
      cpuRatios.push(rec.perCpuSec / b.perCpuSec)
      bytes = rec.bytes
      dropped += rec.dropped
      process.stderr.write(
        `round ${r + 1}/${ROUNDS}: bare ${Math.round(b.perSec)}/s, recorded ${Math.round(rec.perSec)}/s, ratio ${(rec.perSec / b.perSec).toFixed(3)} (by CPU time ${(rec.perCpuSec / b.perCpuSec).toFixed(3)})\n`,
      )
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const loadAfter = currentLoad()
  const bareI = medianInterval(bare)
  const recI = medianInterval(recorded)
  const ci = bootstrapInterval(ratios, geomean)
  const ratioI: Interval = { value: geomean(ratios) ?? Number.NaN, lo: ci?.[0], hi: ci?.[1], n: ratios.length }
  const cpuCi = bootstrapInterval(cpuRatios, geomean)
  const cpuRatioI: Interval = {
    value: geomean(cpuRatios) ?? Number.NaN,
    lo: cpuCi?.[0],
    hi: cpuCi?.[1],
    n: cpuRatios.length,
  }
  const verdicts = {
    bare: aimWord(bareI, AIM.bare),
    recorded: aimWord(recI, AIM.recorded),
    ratio: aimWord(ratioI, AIM.ratio),
  }
  process.stderr.write(
    [
      `load ${loadBefore.join(' ')} → ${loadAfter.join(' ')}; ${ROUNDS} rounds of ${EVENTS} events, median [95% interval]`,
      `bare     ${perSecText(bareI)}  aim ≥ ${k(AIM.bare)}/s: ${verdicts.bare}`,
      `recorded ${perSecText(recI)}  aim ≥ ${k(AIM.recorded)}/s: ${verdicts.recorded}`,
      `recorded/bare, geometric mean of paired rounds: ${formatInterval(ratioI)}  aim ≥ ${AIM.ratio}: ${verdicts.ratio}`,
      `  the same by CPU time (events per CPU-second of the process; secondary): ${formatInterval(cpuRatioI)}`,
      '',
    ].join('\n'),
  )
  const round3 = (i: Interval) => ({
    value: Math.round(i.value * 1000) / 1000,
    lo: i.lo === undefined ? null : Math.round(i.lo * 1000) / 1000,
    hi: i.hi === undefined ? null : Math.round(i.hi * 1000) / 1000,
  })
  const out = {
    events: EVENTS,
    rounds: ROUNDS,
    loadBefore,
    loadAfter,
    bareEventsPerSec: { ...round3(bareI), samples: bare.map(Math.round) },
    recordedEventsPerSec: { ...round3(recI), samples: recorded.map(Math.round) },
    ratio: { ...round3(ratioI), samples: ratios.map((x) => Math.round(x * 1000) / 1000) },
    ratioByCpuTime: { ...round3(cpuRatioI), samples: cpuRatios.map((x) => Math.round(x * 1000) / 1000) },
    logBytesPerRun: bytes,
    droppedRecords: dropped,
    aim: AIM,
    verdicts,
    met: verdicts.bare === 'met' && verdicts.recorded === 'met' && verdicts.ratio === 'met',
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
}

const { installPolyfills } = await import('../src/polyfill.js')
installPolyfills()
await main()
