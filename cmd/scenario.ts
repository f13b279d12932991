// `psm scenario simple-discovery --hosts H --msgs M --impl vanilla|machine [...]`: one scripted run.
// Exit 0 when every message reached every subscriber, 1 otherwise (the JSON is still printed), 2 for bad flags.
import { durationFlag, formatHelp, parseFlags, parseIntFlag } from '../src/cli/args.js'
import { activeClockMode } from '../src/clock/virtual-install.js'
import { checkCommandClock, parseClockMode } from '../src/clock/virtual-select.js'
import { NETWORK_FLAGS, networkFromFlags } from '../src/config/network-flags.js'
import { DEFAULT_FIND_LIMIT } from '../src/discovery/constants.js'
import { DISCOVERY_BACKENDS, type DiscoveryBackend } from '../src/discovery/types.js'
import { errorMessage, InputError, RunFailedError, UsageError } from '../src/errors.js'
import {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MAX_CONNECTIONS,
  ENCRYPTERS,
  type EncrypterKind,
  MUXERS,
  type MuxerKind,
  SIGNINGS,
  type SigningKind,
  TRANSPORTS,
  type TransportKind,
} from '../src/net/constants.js'
import { formatScenarioResult } from '../src/scenario/format.js'
import {
  defaultTimeoutMs,
  IMPLS,
  type Impl,
  runSimpleDiscovery,
  SIMPLE_DISCOVERY,
} from '../src/scenario/simple-discovery.js'
import { createTraceSink, formatTraceReport, type TraceExporterName } from '../src/telemetry/traces/otel.js'
import { TRACE_EXPORTER_NAMES } from '../src/telemetry/traces/otel-exporters.js'

const FLAGS = {
  hosts: { type: 'string', value: 'H', description: 'number of hosts (>= 2)', default: '10' },
  msgs: { type: 'string', value: 'M', description: 'messages after the first one', default: '100' },
  impl: {
    type: 'string',
    value: 'IMPL',
    description: 'pubsub implementation: vanilla|machine|machine-full (every event through the xstate step)',
    default: 'machine',
  },
  seed: { type: 'string', value: 'S', description: 'seed of the random choices', default: '1' },
  timeout: {
    type: 'string',
    value: 'DURATION',
    description: 'time limit of the whole run',
    default: '60s, or 150 ms per host when more',
  },
  'min-peers': {
    type: 'string',
    value: 'N',
    description: 'topic peers host 0 waits for before publishing (default 1); then the mesh must connect every host',
  },
  discovery: {
    type: 'string',
    value: 'BACKEND',
    description: 'registry (in-process) or dht (kad-dht provider records; host 0 and every other host DHT servers)',
    default: 'registry',
  },
  'find-limit': {
    type: 'string',
    value: 'N',
    description: 'peers discovery hands each host to dial (0: all, every host dials every other)',
    default: String(DEFAULT_FIND_LIMIT),
  },
  'max-connections': {
    type: 'string',
    value: 'N',
    description: "each host's connection limit (libp2p's connection manager)",
    default: String(DEFAULT_MAX_CONNECTIONS),
  },
  log: { type: 'string', value: 'FILE', description: 'write every transition to FILE (.jsonl, .gz for gzip)' },
  trace: {
    type: 'string',
    value: 'EXPORTER',
    description:
      'otlp|jaeger|file|off: a trace per message and per machine (PS_TRACING_AM sets machine spans, default 1)',
  },
  'trace-file': { type: 'string', value: 'FILE', description: '--trace file writes here (default traces.jsonl)' },
  json: { type: 'boolean', description: 'print one JSON object with the results' },
  'full-step': {
    type: 'boolean',
    description: 'machine impl: run every pubsub host event through the xstate step, also when not recording',
  },
  transport: { type: 'string', value: 'T', description: 'memory|tcp', default: 'memory' },
  encrypter: { type: 'string', value: 'E', description: 'plaintext|noise', default: 'plaintext' },
  muxer: { type: 'string', value: 'M', description: 'mplex|yamux', default: 'mplex' },
  signing: { type: 'string', value: 'S', description: 'unsigned|signed', default: 'unsigned' },
  heartbeat: { type: 'string', value: 'DURATION', description: 'gossipsub heartbeat', default: '1s' },
  clock: {
    type: 'string',
    value: 'MODE',
    description:
      'real | virtual (simulated time: repeatable, load-independent) | paced (virtual, never ahead of the wall clock)',
    default: 'real',
  },
  ...NETWORK_FLAGS,
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const

const USAGE = `psm scenario ${SIMPLE_DISCOVERY} --hosts H --msgs M --impl vanilla|machine|machine-full [--seed S] [--log FILE] [--trace otlp|jaeger|file] [--json]`
const SUMMARY = `Runs the seed's TestSimpleDiscovery: H hosts join topic 'foobar' through discovery, host 0 publishes
a first message once the topic is ready, then M messages from random hosts must each reach every subscriber.
Each host dials --find-limit peers and keeps at most --max-connections: ready means every host joined the
topic and the topic's gossipsub mesh connects every host.
Without --network/--latency/--bandwidth the hosts talk over in-process pipes: latencies are CPU queueing.
With a model every byte pays its latency, bandwidth and loss (see networks/, check one with psm net show).`

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag}: '${value}' is not one of ${allowed.join(', ')}`)
  }
  return value as T
}

export async function main(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags('scenario', argv, FLAGS)
  if (flags.help) {
    process.stdout.write(formatHelp(USAGE, SUMMARY, FLAGS))
    return 0
  }
  const [name, extra] = positionals
  if (name === undefined) throw new UsageError(`missing the scenario name (known: ${SIMPLE_DISCOVERY})`)
  if (name !== SIMPLE_DISCOVERY) throw new UsageError(`unknown scenario '${name}' (known: ${SIMPLE_DISCOVERY})`)
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`)
  const hosts = parseIntFlag('--hosts', flags.hosts ?? '10', 2, 10_000)
  const msgs = parseIntFlag('--msgs', flags.msgs ?? '100', 0, 10_000_000)
  const impl = oneOf<Impl>('impl', flags.impl ?? 'machine', IMPLS)
  const seed = parseIntFlag('--seed', flags.seed ?? '1', 0, 2 ** 32 - 1)
  const timeoutMs = flags.timeout === undefined ? defaultTimeoutMs(hosts) : durationFlag('--timeout', flags.timeout)
  if (timeoutMs <= 0) throw new UsageError('--timeout: must be more than 0')
  const minPeers = flags['min-peers'] === undefined ? undefined : parseIntFlag('--min-peers', flags['min-peers'], 0)
  const findLimit = parseIntFlag('--find-limit', flags['find-limit'] ?? String(DEFAULT_FIND_LIMIT), 0, 10_000)
  const maxConnections = parseIntFlag(
    '--max-connections',
    flags['max-connections'] ?? String(DEFAULT_MAX_CONNECTIONS),
    1,
    1_000_000,
  )
  const host = {
    transport: oneOf<TransportKind>('transport', flags.transport ?? 'memory', TRANSPORTS),
    encrypter: oneOf<EncrypterKind>('encrypter', flags.encrypter ?? 'plaintext', ENCRYPTERS),
    muxer: oneOf<MuxerKind>('muxer', flags.muxer ?? 'mplex', MUXERS),
    signing: oneOf<SigningKind>('signing', flags.signing ?? 'unsigned', SIGNINGS),
    heartbeatMs: flags.heartbeat === undefined ? DEFAULT_HEARTBEAT_MS : durationFlag('--heartbeat', flags.heartbeat),
  }
  checkCommandClock(parseClockMode('--clock', flags.clock ?? 'real'), activeClockMode(), host.transport)

  const exporter = oneOf<TraceExporterName>('trace', flags.trace ?? 'off', TRACE_EXPORTER_NAMES)
  const am = process.env.PS_TRACING_AM ?? '1'
  if (!['0', '1', '2'].includes(am)) throw new UsageError(`PS_TRACING_AM: '${am}' is not one of 0, 1, 2`)
  const traces =
    exporter === 'off'
      ? undefined
      : await createTraceSink({
          exporter,
          level: Number(am) as 0 | 1 | 2,
          hostLevel: 1,
          ...(flags['trace-file'] !== undefined ? { file: flags['trace-file'] } : {}),
        })

  // the recorder is loaded only for --log and machine traces: a run without them pays nothing for recording
  let recorder: import('../src/telemetry/recorder.js').Recorder | undefined
  if (flags.log !== undefined || (traces && am !== '0')) {
    const { Recorder } = await import('../src/telemetry/recorder.js')
    const { createJsonlFileSink } = await import('../src/telemetry/log/file-sink.js')
    recorder = new Recorder({ source: `psm scenario ${SIMPLE_DISCOVERY}` })
    try {
      if (flags.log !== undefined) recorder.addSink(createJsonlFileSink(flags.log))
    } catch (err) {
      throw new InputError(`--log: cannot write '${flags.log}': ${errorMessage(err)}`)
    }
    traces?.attach(recorder)
  }

  const network = networkFromFlags({ network: flags.network, latency: flags.latency, bandwidth: flags.bandwidth })
  const json = flags.json === true
  const result = await runSimpleDiscovery({
    hosts,
    msgs,
    impl,
    seed,
    timeoutMs,
    ...(minPeers !== undefined ? { minPeers } : {}),
    findLimit,
    maxConnections,
    discovery: oneOf<DiscoveryBackend>('discovery', flags.discovery ?? 'registry', DISCOVERY_BACKENDS),
    ...(recorder ? { recorder } : {}),
    ...(traces ? { traces } : {}),
    fullStep: flags['full-step'] === true,
    host,
    ...(network !== undefined ? { network } : {}),
    progress: (line) => process.stderr.write(`psm scenario: ${line}\n`),
  })
  await recorder?.close()
  if (traces) process.stderr.write(`psm scenario: ${formatTraceReport(await traces.shutdown())}\n`)
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : formatScenarioResult(result))
  if (result.failure !== null) throw new RunFailedError(result.failure)
  return 0
}
