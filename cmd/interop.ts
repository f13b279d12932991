// `psm interop run DIR [--out OUT]`: a gossipsub-interop folder run in this process (src/interop/run.ts).
// `psm interop node --params params.json`: one standalone interop node (src/interop/node.ts).
// Exit 0 when every instruction ran and every message reached every subscriber, 1 otherwise, 2 for bad input.
import { hostname } from 'node:os'
import { durationFlag, formatHelp, parseFlags, parseIntFlag } from '../src/cli/args.js'
import { onInterrupt } from '../src/cli/signals.js'
import { activeClockMode } from '../src/clock/virtual-install.js'
import { checkCommandClock, parseClockMode } from '../src/clock/virtual-select.js'
import { UsageError } from '../src/errors.js'

const RUN_FLAGS = {
  out: {
    type: 'string',
    value: 'OUT',
    description: 'write hosts/node<i>/*.stdout (interop log format), the input files and results.json here',
  },
  impl: { type: 'string', value: 'IMPL', description: 'machine | vanilla gossipsub', default: 'machine' },
  clock: {
    type: 'string',
    value: 'MODE',
    description: 'virtual (simulated time, as Shadow) | paced | real',
    default: 'virtual',
  },
  seed: {
    type: 'string',
    value: 'S',
    description: "seed of the network model's draws and of Math.random",
    default: '1',
  },
  json: { type: 'boolean', description: 'print the summary as one JSON object' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const RUN_USAGE = 'psm interop run DIR [--out OUT] [--impl machine|vanilla] [--clock virtual|paced|real] [--seed S]'
const RUN_SUMMARY = `Runs a gossipsub-interop folder (libp2p/test-plans gossipsub-interop: params.json, graph.gml,
shadow.yaml) with every node in this process: node i is a psm host with interop's peer key for i, interop's
message ids (the first 8 bytes, big-endian), on the network of graph.gml with shadow.yaml's node mapping,
running its part of params.json's script. Partial-message instructions are refused (exit 2).
With --out, OUT is laid out as a Shadow run's folder: upstream's analyze_message_deliveries.py reads it.`

const NODE_FLAGS = {
  params: { type: 'string', value: 'FILE', description: "the experiment's params.json" },
  'node-id': { type: 'string', value: 'N', description: "this node's id (default: N of the hostname nodeN)" },
  impl: { type: 'string', value: 'IMPL', description: 'machine | vanilla gossipsub', default: 'machine' },
  'listen-host': {
    type: 'string',
    value: 'ADDR',
    description: "IPv4 address to listen on (default: the address this node's own --peer-host resolves to)",
  },
  'peer-host': {
    type: 'string',
    value: 'TEMPLATE',
    description: 'how node <id> is reached: a name or address, {id} replaced by its node id',
    default: 'node{id}',
  },
  port: { type: 'string', value: 'P', description: 'TCP port to listen on and to dial', default: '9000' },
  'port-per-node': {
    type: 'boolean',
    description: 'node i listens on P+i and dials node j on P+j (several nodes on one address, e.g. 127.0.0.1)',
  },
  'connect-retry': {
    type: 'string',
    value: 'DURATION',
    description: 'how long a connect keeps trying while the peer is not listening yet',
    default: '10s',
  },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const NODE_USAGE = 'psm interop node --params params.json [--node-id N] [--impl machine|vanilla]'
const NODE_SUMMARY = `One gossipsub-interop node (libp2p/test-plans gossipsub-interop, test-specs/implementation.md): the
node id from --node-id or the hostname nodeN, interop's peer key for it, TCP port 9000 on the address its
own hostname resolves to, noise + yamux, peers dialled at the address of their hostname node<id>. Runs this node's part of the
params.json script on the real clock. stdout is the interop log (PeerID, then one "Received Message" line
per message received, duplicates included); stderr is for diagnostics.
On one machine: --listen-host 127.0.0.1 --peer-host 127.0.0.1 --port-per-node.`

const TOP_USAGE = `usage: psm interop run DIR [options]      run a gossipsub-interop folder in this process
       psm interop node --params FILE [...]   one standalone interop node (TCP, real clock)

Run 'psm interop run --help' or 'psm interop node --help' for options.
`

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(TOP_USAGE)
    return sub === undefined ? 2 : 0
  }
  if (sub === 'run') return runMain(rest)
  if (sub === 'node') return nodeMain(rest)
  throw new UsageError(`unknown subcommand '${sub}' (known: run, node)`)
}

async function runMain(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('interop run', argv, RUN_FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp(RUN_USAGE, RUN_SUMMARY, RUN_FLAGS))
    return 0
  }
  const [dir, extra] = positionals
  if (dir === undefined)
    throw new UsageError('missing DIR, a gossipsub-interop folder (params.json, graph.gml, shadow.yaml)')
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`)
  const impl = flags.impl ?? 'machine'
  if (impl !== 'machine' && impl !== 'vanilla') throw new UsageError(`--impl: '${impl}' is not one of machine, vanilla`)
  checkCommandClock(parseClockMode('--clock', flags.clock ?? 'virtual'), activeClockMode(), 'memory')
  const seed = parseIntFlag('--seed', flags.seed ?? '1', 0, 2 ** 32 - 1)
  const { runInterop } = await import('../src/interop/run.js')
  const stop = new AbortController()
  const interrupt = onInterrupt()
  void interrupt.signalled.then(() => stop.abort())
  const say = (line: string) => process.stderr.write(`interop: ${line}\n`)
  try {
    const r = await runInterop({
      dir,
      impl,
      seed,
      signal: stop.signal,
      progress: say,
      warn: say,
      ...(flags.out !== undefined ? { out: flags.out } : {}),
    })
    for (const f of r.failures) say(`FAILED ${f}`)
    const s = r.summary
    const line = `${s.complete}/${s.messages} messages reached every subscriber; ${s.receives} receives (${s.duplicates} duplicates); ${(r.simMs / 1000).toFixed(1)} s ${r.clock === 'real' ? 'wall' : 'simulated'} in ${(r.wallMs / 1000).toFixed(1)} s wall${r.resultsFile ? `; wrote ${r.resultsFile}` : ''}`
    if (flags.json) {
      const { deliveries: _d, ...rest } = r
      process.stdout.write(`${JSON.stringify({ ...rest, summary: { ...s, perMessage: undefined } })}\n`)
    } else process.stdout.write(`${line}\n`)
    for (const m of s.perMessage) {
      if (m.reached < m.expected)
        say(`message ${m.msgId} (node ${m.publisher}, ${m.topic}) reached ${m.reached} of ${m.expected} subscribers`)
    }
    return interrupt.exitCode(r.failures.length === 0 && s.complete === s.messages ? 0 : 1)
  } finally {
    interrupt.dispose()
  }
}

async function nodeMain(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('interop node', argv, NODE_FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp(NODE_USAGE, NODE_SUMMARY, NODE_FLAGS))
    return 0
  }
  if (positionals[0] !== undefined) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  if (flags.params === undefined) throw new UsageError("--params FILE is required (the experiment's params.json)")
  let nodeId: number
  if (flags['node-id'] !== undefined) nodeId = parseIntFlag('--node-id', flags['node-id'], 0, 2 ** 31 - 1)
  else {
    const m = /^node(\d+)$/.exec(hostname())
    if (!m) throw new UsageError(`--node-id N is required: the hostname '${hostname()}' is not nodeN`)
    nodeId = Number(m[1])
  }
  const impl = flags.impl ?? 'machine'
  if (impl !== 'machine' && impl !== 'vanilla') throw new UsageError(`--impl: '${impl}' is not one of machine, vanilla`)
  const listenHost = flags['listen-host']
  if (listenHost !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(listenHost))
    throw new UsageError(`--listen-host: '${listenHost}' is not an IPv4 address`)
  const port = parseIntFlag('--port', flags.port ?? '9000', 1, 65535)
  const connectRetryMs = durationFlag('--connect-retry', flags['connect-retry'] ?? '10s')
  const { runInteropNode } = await import('../src/interop/node.js')
  const stop = new AbortController()
  const interrupt = onInterrupt()
  void interrupt.signalled.then(() => stop.abort())
  try {
    const r = await runInteropNode({
      paramsFile: flags.params,
      nodeId,
      impl,
      ...(listenHost !== undefined ? { listenHost } : {}),
      peerHost: flags['peer-host'] ?? 'node{id}',
      port,
      portPerNode: flags['port-per-node'] === true,
      connectRetryMs,
      write: (line) => process.stdout.write(line),
      diag: (line) => process.stderr.write(`interop node ${nodeId}: ${line}\n`),
      signal: stop.signal,
    })
    process.stderr.write(
      `interop node ${nodeId}: done; ${r.received} messages received; ${r.failures.length} failures\n`,
    )
    return interrupt.exitCode(r.failures.length === 0 ? 0 : 1)
  } finally {
    interrupt.dispose()
  }
}
