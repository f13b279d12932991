// Writes a small gossipsub-interop folder the way upstream's run.py does (libp2p/test-plans
// gossipsub-interop: experiment.py's subnet-blob-msg shape, network_graph.py's graph and Shadow config),
// scaled down: N nodes, K connections each, a handful of messages. Written here, not copied: the shapes
// follow upstream's formats (networkx GML, one-line params.json, shadow.yaml hosts node<i>).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRng } from '../../src/rng.js'

export interface FixtureOptions {
  nodes?: number
  connections?: number
  messages?: number
  messageBytes?: number
  /** simulated seconds before the first publish */
  startSec?: number
  /** seconds between publishes */
  everySec?: number
  seed?: number
  /** replaces the generated script */
  script?: unknown[]
}

const LOCATIONS = [
  { name: 'europe', weight: 3 },
  { name: 'na_east', weight: 2 },
]
const TYPES = [
  { name: 'supernode', mbit: 1024, weight: 1 },
  { name: 'fullnode', mbit: 50, weight: 4 },
]
const LATENCY_MS: Record<string, number> = {
  'europe>europe': 2,
  'europe>na_east': 70,
  'na_east>europe': 70,
  'na_east>na_east': 2,
}

export function graphGml(): string {
  const names: string[] = []
  const lines = ['graph [', '  directed 1']
  for (const t of TYPES) {
    for (const l of LOCATIONS) {
      const name = `${l.name}-${t.name}`
      lines.push(
        '  node [',
        `    id ${names.length}`,
        `    label "${name}"`,
        `    host_bandwidth_up "${t.mbit} Mbit"`,
        `    host_bandwidth_down "${t.mbit} Mbit"`,
        '  ]',
      )
      names.push(name)
    }
  }
  const loc = (name: string) => name.split('-')[0]!
  names.forEach((a, i) => {
    names.forEach((b, j) => {
      lines.push(
        '  edge [',
        `    source ${i}`,
        `    target ${j}`,
        `    label "${a} to ${b}"`,
        `    latency "${LATENCY_MS[`${loc(a)}>${loc(b)}`]} ms"`,
        '    packet_loss 0.0',
        '  ]',
      )
    })
  })
  lines.push(']')
  return `${lines.join('\n')}\n`
}

function weighted<T extends { weight: number }>(xs: readonly T[], r: number): T {
  const total = xs.reduce((s, x) => s + x.weight, 0)
  let at = r * total
  for (const x of xs) {
    at -= x.weight
    if (at < 0) return x
  }
  return xs[xs.length - 1]!
}

export function shadowYaml(nodes: number, paramsPath: string, seed: number): string {
  const rng = createRng(seed + 1)
  const lines = [
    'general:',
    '  model_unblocked_syscall_latency: true',
    '  stop_time: 10 min',
    'network:',
    '  graph:',
    '    file:',
    '      path: graph.gml',
    '    type: gml',
    'hosts:',
  ]
  for (let i = 0; i < nodes; i++) {
    const l = LOCATIONS.indexOf(weighted(LOCATIONS, rng.next()))
    const t = TYPES.indexOf(weighted(TYPES, rng.next()))
    lines.push(
      `  node${i}:`,
      `    network_node_id: ${t * LOCATIONS.length + l}`,
      '    processes:',
      `    - args: --params ${paramsPath}`,
      '      path: psm-interop',
    )
  }
  return `${lines.join('\n')}\n`
}

/** The subnet-blob-msg script, scaled down; message ids 0..messages-1. */
export function blobScript(o: Required<Omit<FixtureOptions, 'script'>>): unknown[] {
  const rng = createRng(o.seed)
  const script: unknown[] = []
  // spread heartbeats: node i starts its heartbeat 100 ms + (i+1)·0.1 ms after init (nanoseconds)
  for (let i = 0; i < o.nodes; i++) {
    script.push({
      type: 'ifNodeIDEquals',
      nodeID: i,
      instruction: {
        type: 'initGossipSub',
        gossipSubParams: { HeartbeatInitialDelay: (100_000 + (i + 1) * 100) * 1000 },
      },
    })
  }
  script.push({ type: 'setTopicValidationDelay', topicID: 'a-subnet', delaySeconds: 0.005 })
  const links = new Map<number, Set<number>>()
  const linked = (a: number) => links.get(a) ?? links.set(a, new Set()).get(a)!
  const connectTo = new Map<number, number[]>()
  const k = Math.min(o.connections, o.nodes - 1)
  for (let a = 0; a < o.nodes; a++) {
    while (linked(a).size < k) {
      const b = rng.int(o.nodes)
      if (b === a || linked(a).has(b)) continue
      linked(a).add(b)
      linked(b).add(a)
      connectTo.set(a, [...(connectTo.get(a) ?? []), b])
    }
  }
  for (const [a, to] of connectTo) {
    script.push({ type: 'ifNodeIDEquals', nodeID: a, instruction: { type: 'connect', connectTo: to } })
  }
  script.push({ type: 'subscribeToTopic', topicID: 'a-subnet', partial: false })
  let t = o.startSec
  script.push({ type: 'waitUntil', elapsedSeconds: t })
  for (let m = 0; m < o.messages; m++) {
    script.push({
      type: 'ifNodeIDEquals',
      nodeID: rng.int(o.nodes),
      instruction: { type: 'publish', messageID: m, messageSizeBytes: o.messageBytes, topicID: 'a-subnet' },
    })
    t += o.everySec
    script.push({ type: 'waitUntil', elapsedSeconds: t })
  }
  script.push({ type: 'waitUntil', elapsedSeconds: t + 30 })
  return script
}

/** Writes params.json, graph.gml and shadow.yaml into `dir` (created); returns the options used. */
export function writeInteropFolder(dir: string, opts: FixtureOptions = {}): Required<Omit<FixtureOptions, 'script'>> {
  const o = {
    nodes: opts.nodes ?? 10,
    connections: opts.connections ?? 4,
    messages: opts.messages ?? 6,
    messageBytes: opts.messageBytes ?? 2 * 1024 * 48,
    startSec: opts.startSec ?? 20,
    everySec: opts.everySec ?? 12,
    seed: opts.seed ?? 1,
  }
  mkdirSync(dir, { recursive: true })
  const params = join(dir, 'params.json')
  // one line, as run.py's json.dump writes it
  writeFileSync(params, JSON.stringify({ script: opts.script ?? blobScript(o) }))
  writeFileSync(join(dir, 'graph.gml'), graphGml())
  writeFileSync(join(dir, 'shadow.yaml'), shadowYaml(o.nodes, params, o.seed))
  return o
}
