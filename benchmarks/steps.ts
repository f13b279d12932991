// `npm run bench:steps`: what one xstate step of a psm machine costs (CPU µs and bytes allocated per
// event), beside the floor: the smallest xstate machine there is (one root transition, one inline
// action). The pubsub host takes one step per RPC under `machine-full` or a recorder, so its step against
// the floor says whether the host definition adds anything to xstate's own cost. The discovery row is a
// whole re-check of a bootstrapped topic (the flow checks, finds it ready, tells discovery): three
// transitions and the flow's checkReady actor. Rounds interleave the cases; medians are reported.
// Bytes are counted the way `psm scenario` counts them (heap growth plus what GC collected), so they
// hardly move with the machine's load; CPU µs do.
import v8 from 'node:v8'
import { createActor, createMachine } from 'xstate'
import { pubsubHostMachine } from '../machines/pubsub-host.js'
import { TopicDiscovery } from '../src/discovery/topic-discovery.js'
import { median } from '../src/quantile.js'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000)
const RECHECKS = Number(process.env.BENCH_RECHECKS ?? 2_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

interface Cost {
  us: number
  bytes: number
}

/** CPU µs and bytes per unit of `work(n)` (n units). */
async function measure(n: number, work: (n: number) => unknown): Promise<Cost> {
  const gc = new v8.GCProfiler()
  gc.start()
  const heap0 = v8.getHeapStatistics().used_heap_size
  const cpu0 = process.cpuUsage()
  await work(n)
  const cpu = process.cpuUsage(cpu0)
  const heap1 = v8.getHeapStatistics().used_heap_size
  let collected = 0
  for (const s of gc.stop().statistics) {
    collected += Math.max(0, s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize)
  }
  return { us: (cpu.user + cpu.system) / n, bytes: Math.max(0, heap1 - heap0 + collected) / n }
}

function sender(actor: { send(e: never): void }, events: readonly object[]): (n: number) => void {
  return (n) => {
    for (let i = 0; i < n; i++) actor.send(events[i % events.length] as never)
  }
}

/** A discovery whose topic is bootstrapped, on a host and backend that answer at once. */
function bootstrappedDiscovery(): { recheck: (n: number) => Promise<void>; stop(): void; ready: Promise<number> } {
  const target = new EventTarget()
  const pubsub = {
    getSubscribers: () => ['a', 'b'],
    getTopics: () => ['t'],
    subscribe() {},
    unsubscribe() {},
    addEventListener: (type: string, fn: (e: Event) => void) => target.addEventListener(type, fn),
    removeEventListener: (type: string, fn: (e: Event) => void) => target.removeEventListener(type, fn),
  }
  const host = {
    services: { pubsub },
    peerId: { toString: () => 'self' },
    dial: async () => {},
    getConnections: () => [],
  }
  const backend = { advertise: async () => {}, findPeers: async () => [] }
  const d = new TopicDiscovery(host as never, { discovery: backend, id: 'ps-0-disc' })
  d.start()
  const ready = d.joinTopic('t', { minPeers: 1 })
  const change = () =>
    target.dispatchEvent(
      Object.assign(new Event('subscription-change'), { detail: { subscriptions: [{ topic: 't' }] } }),
    )
  const settled = () => new Promise((r) => setImmediate(r))
  return {
    ready,
    stop: () => d.stop(),
    recheck: async (n) => {
      for (let i = 0; i < n; i++) {
        change()
        await settled()
      }
    },
  }
}

async function main(): Promise<void> {
  const floor = createActor(createMachine({ on: { E: { actions: () => {} } } })).start()
  const host = createActor(pubsubHostMachine).start()
  const disc = bootstrappedDiscovery()
  await disc.ready
  const cases: Record<string, { n: number; work: (n: number) => unknown }> = {
    'xstate floor (one root transition)': { n: EVENTS, work: sender(floor, [{ type: 'E' }]) },
    'pubsub host IncomingRPC': {
      n: EVENTS,
      work: sender(host, [{ type: 'IncomingRPC', args: { from: 'ps-1', msgs: 1, subs: 0 } }]),
    },
    'pubsub host add/remove.PeersPending': {
      n: EVENTS,
      work: sender(host, [{ type: 'add.PeersPending' }, { type: 'remove.PeersPending' }]),
    },
    'discovery re-check of a ready topic (3 transitions)': { n: RECHECKS, work: disc.recheck },
  }
  const samples = new Map<string, Cost[]>(Object.keys(cases).map((k) => [k, []]))
  for (const c of Object.values(cases)) await c.work(Math.ceil(c.n / 10)) // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const names = Object.keys(cases)
    // alternate the order so drift on a shared machine does not always hit the same case
    if (r % 2 === 1) names.reverse()
    for (const name of names) samples.get(name)!.push(await measure(cases[name]!.n, cases[name]!.work))
    process.stderr.write(`round ${r + 1}/${ROUNDS}\n`)
  }
  disc.stop()
  floor.stop()
  host.stop()
  const rows = [...samples].map(([name, s]) => ({
    name,
    us: Number(median(s.map((x) => x.us)).toFixed(2)),
    bytes: Math.round(median(s.map((x) => x.bytes))),
  }))
  const floorRow = rows[0]!
  process.stdout.write(
    `${JSON.stringify(
      {
        events: EVENTS,
        rechecks: RECHECKS,
        rounds: ROUNDS,
        rows: rows.map((r) => ({
          ...r,
          bytesOverFloor: Number((r.bytes / floorRow.bytes).toFixed(2)),
          usOverFloor: Number((r.us / floorRow.us).toFixed(2)),
        })),
      },
      null,
      2,
    )}\n`,
  )
}

const { installPolyfills } = await import('../src/polyfill.js')
installPolyfills()
await main()
