// `npm run bench:scale-virtual`: how far psm scales on the virtual clock. For each size, a fresh child
// process installs the virtual clock before libp2p loads, starts N hosts through the project's
// createHost (memory transport, plaintext, mplex, vanilla gossipsub), connects each to a few random others
// (a bounded random topology: until discovery dials a bounded number of peers it would dial n²), lets the
// mesh form for 5 heartbeats, then publishes M messages from random hosts, one every 200 simulated ms,
// and waits until every host has every message. Prints wall time, simulated time, simulated seconds per
// wall second, peak RSS, delivery p50/p99 (simulated) and whether everything was delivered.
// Env: SCALE_SIZES (default 100,1000,3000), SCALE_MSGS (default 100), SCALE_DIALS (default 6), SCALE_SEED.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

interface ChildResult {
  hosts: number
  msgs: number
  dials: number
  wallMs: number
  setupWallMs: number
  simMs: number
  cpuMs: number
  peakRssBytes: number
  delivered: number
  expected: number
  latencyMs: { p50: number; p99: number; max: number }
  timersFired: number
}

const SEED = Number(process.env.SCALE_SEED ?? 1)

async function child(hosts: number, msgs: number, dials: number): Promise<void> {
  // the clock first: gossipsub and libp2p must load on it
  const { installPolyfills } = await import('../src/polyfill.js')
  installPolyfills()
  const { installClock } = await import('../src/clock/virtual-install.js')
  const { realPerformanceNow } = await import('../src/clock/virtual-real.js')
  const clock = installClock('virtual')!
  const release = clock.hold()
  const { seedRandom } = await import('../src/clock/virtual-random.js')
  seedRandom(SEED)
  const { createHost } = await import('../src/net/host.js')
  const { hostKey } = await import('../src/clock/virtual-keys.js')
  const { createRng } = await import('../src/rng.js')
  const { latencySummary } = await import('../src/scenario/measure.js')
  const rng = createRng(SEED)
  const wall0 = realPerformanceNow()
  const cpu0 = process.cpuUsage()
  const sim0 = Date.now()
  const topic = 'scale'
  const enc = new TextEncoder()
  const dec = new TextDecoder()

  const nodes: Array<Awaited<ReturnType<typeof createHost>>> = []
  for (let i = 0; i < hosts; i++) nodes.push(await createHost({ privateKey: await hostKey(SEED, i) }))
  // each host dials `dials` distinct random others; dials run in batches to bound what is in flight
  const pairs: Array<[number, number]> = []
  for (let i = 0; i < hosts; i++) {
    const picked = new Set<number>()
    while (picked.size < Math.min(dials, hosts - 1)) {
      const j = rng.int(hosts)
      if (j !== i) picked.add(j)
    }
    for (const j of picked) pairs.push([i, j])
  }
  for (let k = 0; k < pairs.length; k += 1000) {
    await Promise.all(
      pairs.slice(k, k + 1000).map(async ([i, j]) => {
        await nodes[i]!.dial(nodes[j]!.getMultiaddrs()[0]!).catch(() => {})
      }),
    )
  }
  const sentAt = new Map<number, number>()
  const got = new Map<number, number>()
  const latencies: number[] = []
  let delivered = 0
  let allDone: () => void = () => {}
  const done = new Promise<void>((r) => (allDone = r))
  const expected = msgs * (hosts - 1)
  nodes.forEach((h) => {
    h.services.pubsub.subscribe(topic)
    h.services.pubsub.addEventListener('message', (e) => {
      if (e.detail.topic !== topic) return
      const seq = Number(dec.decode(e.detail.data))
      latencies.push(Date.now() - (sentAt.get(seq) ?? 0))
      got.set(seq, (got.get(seq) ?? 0) + 1)
      if (++delivered === expected) allDone()
    })
  })
  await new Promise((r) => setTimeout(r, 5_000))
  const setupWallMs = realPerformanceNow() - wall0
  process.stderr.write(`scale: ${hosts} hosts up and meshed in ${Math.round(setupWallMs)} ms wall\n`)
  for (let seq = 0; seq < msgs; seq++) {
    const from = nodes[rng.int(hosts)]!
    sentAt.set(seq, Date.now())
    await from.services.pubsub.publish(topic, enc.encode(String(seq))).catch(() => {})
    await new Promise((r) => setTimeout(r, 200))
  }
  // every message has 60 simulated seconds after the last publish to arrive
  await Promise.race([done, new Promise((r) => setTimeout(r, 60_000))])
  const cpu = process.cpuUsage(cpu0)
  const res: ChildResult = {
    hosts,
    msgs,
    dials,
    wallMs: Math.round(realPerformanceNow() - wall0),
    setupWallMs: Math.round(setupWallMs),
    simMs: Date.now() - sim0,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    delivered,
    expected,
    latencyMs: latencySummary(latencies),
    timersFired: clock.stats().fired,
  }
  release()
  process.stdout.write(`${JSON.stringify(res)}\n`)
  process.exit(0)
}

function runChild(hosts: number, msgs: number, dials: number): Promise<ChildResult | string> {
  const self = fileURLToPath(import.meta.url)
  const args = ['--max-old-space-size=20000', self, '--child', String(hosts), String(msgs), String(dials)]
  return new Promise((resolve) => {
    const p = execFile(process.execPath, args, { maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(line) as ChildResult)
      } catch {
        resolve(`failed: ${err?.message ?? ''} ${stderr.trim().split('\n').slice(-3).join(' | ')}`)
      }
    })
    p.stderr?.on('data', (d) => process.stderr.write(d))
  })
}

async function parent(): Promise<void> {
  const sizes = (process.env.SCALE_SIZES ?? '100,1000,3000').split(',').map(Number)
  const msgs = Number(process.env.SCALE_MSGS ?? 100)
  const dials = Number(process.env.SCALE_DIALS ?? 6)
  const os = await import('node:os')
  process.stdout.write(
    `bench:scale-virtual — virtual clock, memory transport, vanilla gossipsub, ${dials} dials per host, ` +
      `${msgs} msgs (1 per 200 sim-ms), load ${os.loadavg()[0]?.toFixed(1)}\n\n`,
  )
  process.stdout.write(
    'hosts   msgs  wall s  setup s  sim s  sim-s/wall-s  cpu s  peak RSS MB  MB/host  p50 ms  p99 ms  delivered\n',
  )
  for (const n of sizes) {
    const r = await runChild(n, msgs, dials)
    if (typeof r === 'string') {
      process.stdout.write(`${String(n).padStart(5)}  ${r}\n`)
      continue
    }
    const mb = r.peakRssBytes / 2 ** 20
    const cells = [
      String(r.hosts).padStart(5),
      String(r.msgs).padStart(6),
      (r.wallMs / 1000).toFixed(1).padStart(7),
      (r.setupWallMs / 1000).toFixed(1).padStart(8),
      (r.simMs / 1000).toFixed(1).padStart(6),
      (r.simMs / r.wallMs).toFixed(2).padStart(13),
      (r.cpuMs / 1000).toFixed(1).padStart(6),
      mb.toFixed(0).padStart(12),
      (mb / r.hosts).toFixed(2).padStart(8),
      r.latencyMs.p50.toFixed(0).padStart(7),
      r.latencyMs.p99.toFixed(0).padStart(7),
      `${r.delivered === r.expected ? 'all' : 'NO'} ${r.delivered}/${r.expected}`.padStart(11),
    ]
    process.stdout.write(`${cells.join(' ')}\n`)
  }
  process.stdout.write(`\nload after: ${os.loadavg()[0]?.toFixed(1)}\n`)
}

const argv = process.argv.slice(2)
if (argv[0] === '--child') await child(Number(argv[1]), Number(argv[2]), Number(argv[3]))
else await parent()
