// `psm dht serve [--listen 127.0.0.1:PORT] [--nodes M]`: DHT nodes behind a lean HTTP API (src/dht/serve.ts).
// Prints one JSON line on stdout once listening: { url, nodes: [{ node, peerId, addrs }] }.
import { durationFlag, formatHelp, hostPortFlag, parseFlags, parseIntFlag } from '../src/cli/args.js'
import { onInterrupt } from '../src/cli/signals.js'
import { UsageError } from '../src/errors.js'
import { randomSeed } from '../src/rng.js'

const FLAGS = {
  listen: {
    type: 'string',
    value: 'HOST:PORT',
    description: 'where the HTTP API listens (0: a free port)',
    default: '127.0.0.1:7070',
  },
  nodes: { type: 'string', value: 'M', description: 'DHT nodes in this process', default: '1' },
  k: { type: 'string', value: 'K', description: 'k-bucket size', default: '20' },
  alpha: { type: 'string', value: 'A', description: 'query concurrency', default: '3' },
  'op-timeout': {
    type: 'string',
    value: 'DUR',
    description: 'an operation still running after this fails',
    default: '60s',
  },
  seed: { type: 'string', value: 'S', description: 'seed of the random blobs provided' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const USAGE = 'psm dht serve [--listen 127.0.0.1:PORT] [--nodes M]'
const SUMMARY = [
  'DHT nodes (kad-dht servers, TCP on 127.0.0.1) behind an HTTP API, for a scheduler in another process:',
  '  GET /health · POST /connect {node, addrs} · POST /join {node} · POST /provide {node, round}',
  '  POST /retrieve {node, cid, publisher, round} — see the README (psm dht serve) for the shapes.',
].join('\n')

export async function main(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('dht serve', argv, FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp(USAGE, SUMMARY, FLAGS))
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (usage: ${USAGE})`)
  const listen = hostPortFlag('--listen', flags.listen ?? '127.0.0.1:7070', 7070)
  const { startDhtServer } = await import('../src/dht/serve.js')
  const server = await startDhtServer({
    host: listen.host,
    port: listen.port,
    nodes: parseIntFlag('--nodes', flags.nodes ?? '1', 1, 10_000),
    k: parseIntFlag('--k', flags.k ?? '20', 1, 1000),
    alpha: parseIntFlag('--alpha', flags.alpha ?? '3', 1, 100),
    opTimeoutMs: durationFlag('--op-timeout', flags['op-timeout'] ?? '60s'),
    seed: flags.seed === undefined ? randomSeed() : parseIntFlag('--seed', flags.seed, 0, 2 ** 32 - 1),
  })
  const interrupt = onInterrupt()
  const nodes = server.nodes.map((n, i) => ({
    node: i,
    peerId: n.peerId.toString(),
    addrs: n.getMultiaddrs().map((a) => a.toString()),
  }))
  process.stdout.write(`${JSON.stringify({ url: server.url, nodes })}\n`)
  process.stderr.write(`psm dht serve: ${nodes.length} node(s), API at ${server.url} (Ctrl-C stops)\n`)
  await interrupt.signalled
  await server.close()
  interrupt.dispose()
  return interrupt.exitCode(0)
}
