// `npm run bench:machines`: events/s through the pubsub host machine, bare and with the recorder
// writing a log file, and their ratio. Aims: bare >= 150k/s (issue 2); recorded >= 300k/s and
// recorded/bare >= 0.8 (issue 11).
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createActor } from 'xstate'
import { pubsubHostMachine } from '../machines/pubsub-host.js'
import { median } from '../src/quantile.js'
import { createJsonlFileSink } from '../src/telemetry/log/file-sink.js'
import { Recorder } from '../src/telemetry/recorder.js'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 500_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

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

function run(actor: { send(e: unknown): void }): number {
  const t0 = performance.now()
  for (let i = 0; i < EVENTS; i++) actor.send(mix[i % mix.length])
  return EVENTS / ((performance.now() - t0) / 1000)
}

async function main(): Promise<void> {
  const bare: number[] = []
  const recorded: number[] = []
  const dir = mkdtempSync(join(tmpdir(), 'psm-bench-machines-'))
  let bytes = 0
  let dropped = 0
  for (let r = 0; r < ROUNDS; r++) {
    const a = createActor(pubsubHostMachine).start()
    bare.push(run(a as never))
    a.stop()

    const file = join(dir, `r${r}.jsonl`)
    const rec = new Recorder({ source: 'bench:machines' })
    const sink = createJsonlFileSink(file)
    rec.addSink(sink)
    const b = createActor(pubsubHostMachine, rec.actorOptions('ps-0')).start()
    const t0 = performance.now()
    for (let i = 0; i < EVENTS; i++) b.send(mix[i % mix.length] as never)
    await rec.close() // include the flush in the measured time
    recorded.push(EVENTS / ((performance.now() - t0) / 1000))
    bytes = statSync(file).size
    dropped += sink.dropped()
    process.stderr.write(
      `round ${r + 1}/${ROUNDS}: bare ${Math.round(bare[r]!)}/s, recorded ${Math.round(recorded[r]!)}/s\n`,
    )
  }
  rmSync(dir, { recursive: true, force: true })
  const mb = median(bare)
  const mr = median(recorded)
  const out = {
    events: EVENTS,
    rounds: ROUNDS,
    bareEventsPerSec: Math.round(mb),
    recordedEventsPerSec: Math.round(mr),
    ratio: Number((mr / mb).toFixed(3)),
    logBytesPerRound: bytes,
    droppedRecords: dropped,
    aim: { bare: 150_000, recorded: 300_000, ratio: 0.8 },
    met: mb >= 150_000 && mr >= 300_000 && mr / mb >= 0.8,
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
}

const { installPolyfills } = await import('../src/polyfill.js')
installPolyfills()
await main()
