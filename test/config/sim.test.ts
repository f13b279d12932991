// sim.yml: the root file equals the embedded defaults; bad files, env values and flags are one-line
// errors naming the file (and line), env variable or flag, and the key.
import { describe, expect, it } from 'vitest'
import { SIM_RANDOM_ACTIONS } from '../../machines/simulator.js'
import { defaultSimConfig, loadSimConfig, type SimFlags } from '../../src/config/sim.js'
import { InputError, UsageError } from '../../src/errors.js'
import { errorOf, tempFiles } from '../helpers/files.js'

const file = tempFiles('sim')

describe('sim config', () => {
  it('sim.yml at the root holds exactly the embedded defaults', () => {
    expect(loadSimConfig({ path: 'sim.yml' })).toEqual(defaultSimConfig())
    expect(loadSimConfig()).toEqual(defaultSimConfig())
  })

  it('has a period for each random action of the simulator machine, with the seed defaults', () => {
    const periods = defaultSimConfig().periods
    expect(Object.keys(periods).sort()).toEqual([...SIM_RANDOM_ACTIONS].sort())
    expect(periods).toEqual({
      AddRandomFriend: 2000,
      JoinRandomTopic: 2000,
      JoinFriendsTopic: 4000,
      MsgRandomTopic: 3000,
      AddPeer: 3000,
      AddTopic: 3000,
      PeakRandTopic: 10_000,
      RemovePeer: 50_000,
      RemoveTopic: 80_000,
      GC: 100_000,
    })
  })

  it('defaults leave room for RemovePeer and RemoveTopic (initial counts below the limits)', () => {
    const c = defaultSimConfig()
    expect(c.initial.peers).toBeLessThan(c.limits.maxPeers)
    expect(c.initial.topics).toBeLessThan(c.limits.maxTopics)
    expect(c.telemetry.metrics.listen).toBe('127.0.0.1:9464')
    expect(c.telemetry.trace.exporter).toBe('off')
    expect(c.printInterval).toBe(10_000)
    expect(c.activeWindow).toBe(60_000)
  })

  it('reads a partial file and keeps defaults for the rest', () => {
    const c = loadSimConfig({ path: file('duration: 2m\nlimits:\n  maxPeers: 40\nhost:\n  muxer: yamux\n') })
    expect(c.duration).toBe(120_000)
    expect(c.limits.maxPeers).toBe(40)
    expect(c.limits.maxTopics).toBe(10)
    expect(c.host).toEqual({ transport: 'memory', encrypter: 'plaintext', muxer: 'yamux', signing: 'unsigned' })
  })

  it.each([
    ['limits:\n  maxPeers: 0\n', 'sim.yml:2: limits.maxPeers: 0 is below the minimum 1'],
    ['limits:\n  maxPeer: 30\n', 'sim.yml:2: limits.maxPeer: unknown key'],
    ['durashun: 5s\n', 'sim.yml:1: durashun: unknown key'],
    ['duration: soon\n', "sim.yml:1: duration: 'soon' is not a duration"],
    ['heartbeat: 5ms\n', 'sim.yml:1: heartbeat: 5ms is below the minimum 10ms'],
    ['periods:\n  GC: 10\n  RemovePeer: -1\n', 'sim.yml:3: periods.RemovePeer: -1 is not a duration'],
    ['host:\n  transport: udp\n', "sim.yml:2: host.transport: 'udp' is not one of memory, tcp"],
    ['discovery:\n  findLimit: -1\n', 'sim.yml:2: discovery.findLimit: -1 is below the minimum 0'],
    ['discovery:\n  maxConnections: 0\n', 'sim.yml:2: discovery.maxConnections: 0 is below the minimum 1'],
    ['host:\n  signing: yes\n', "sim.yml:2: host.signing: 'yes' is not one of unsigned, signed"],
    ['telemetry:\n  metrics:\n    enabled: 1\n', 'sim.yml:3: telemetry.metrics.enabled: 1 is not true or false'],
    ['telemetry:\n  metrics:\n    listen: here\n', "sim.yml:3: telemetry.metrics.listen: 'here' is not host:port"],
    ['telemetry:\n  trace:\n    am: 3\n', 'sim.yml:3: telemetry.trace.am: 3 is above the maximum 2'],
    [
      'telemetry:\n  trace:\n    exporter: zipkin\n',
      "telemetry.trace.exporter: 'zipkin' is not one of otlp, jaeger, file, off",
    ],
    ['limits: 5\n', 'sim.yml:1: limits: 5 is not a mapping of keys'],
    ['initial:\n  peers: 2.5\n', 'sim.yml:2: initial.peers: 2.5 is not a whole number'],
    ['initial:\n  peers:\n', 'sim.yml:2: initial.peers: has no value'],
    ['seed: abc\n', "sim.yml:1: seed: 'abc' is not a whole number"],
    ['limits: {maxPeers: 5}\n', 'sim.yml:1: initial.peers 10 exceeds limits.maxPeers 5'],
    ['initial: {topics: 11}\n', 'initial.topics 11 exceeds limits.maxTopics 10'],
    ['peaking: {threshold: 11}\n', 'peaking.threshold 11 exceeds limits.maxPeersPerTopic 10'],
    ['periodJitter: {min: 2}\n', 'periodJitter.min 2 exceeds periodJitter.max 1.25'],
    ['duration: 1s\nduration: 2s\n', 'sim.yml:2: duration: the key is given twice'],
    ['limits:\n  maxPeers: 5\n  maxPeers: 6\n', 'sim.yml:3: limits.maxPeers: the key is given twice'],
    ['', 'sim.yml: the config is empty (leave out the file to run on the built-in defaults)'],
    ['# only a comment\n\n', 'sim.yml: the config is empty'],
    ['a: [1, 2\n', 'sim.yml:2: not valid YAML'],
    ['- 1\n- 2\n', 'sim.yml: a list is not a mapping of keys'],
  ])('bad file %j → %s', (text, message) => {
    const path = file(text)
    const err = errorOf(() => loadSimConfig({ path }))
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toContain(message.replace('sim.yml', path))
    expect(err.message).not.toContain('\n')
  })

  it('quotes at most a short, escaped excerpt of a value that is not a mapping', () => {
    const junk = `\u001b[2J\u0007${'z'.repeat(5000)}`
    const path = file(JSON.stringify(junk))
    const err = errorOf(() => loadSimConfig({ path }))
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toBe(`${path}: '\\x1b[2J\\x07${'z'.repeat(35)}…' is not a mapping of keys`)
    expect(err.message).not.toMatch(/\p{Cc}/u)
  })

  it('escapes control characters in an unknown key', () => {
    const err = errorOf(() => loadSimConfig({ path: file('"bad\\x1bkey": 1\n') }))
    expect(err.message).toContain('bad\\x1bkey: unknown key')
    expect(err.message).not.toMatch(/\p{Cc}/u)
  })

  it('refuses a file above the size limit without parsing it', () => {
    const path = file(`# ${'x'.repeat(1024 * 1024)}\nduration: 1s\n`)
    const err = errorOf(() => loadSimConfig({ path }))
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toBe(`${path}: the config is 1,048,592 bytes, over the limit of 1,048,576 (1 MiB)`)
  })

  it('reads a config of many keys just under the size limit (the duplicate-key check is one pass)', () => {
    // ~1 MB of mapping keys: yaml's own unique-key check made this quadratic (24 s); it is an unknown key
    let text = 'duration: 1s\nlimits:\n'
    for (let i = 0; text.length < 1_000_000; i++) text += `  k${i}: 1\n`
    const err = errorOf(() => loadSimConfig({ path: file(text) }))
    expect(err.message).toMatch(/:3: limits\.k0: unknown key/)
  })

  it('names a missing file', () => {
    // next to a file that exists, one that does not
    const missing = file('duration: 1s\n').replace(/[^/]+$/, 'nope.yml')
    const err = errorOf(() => loadSimConfig({ path: missing }))
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toMatch(/nope\.yml: cannot read the config: no such file$/)
  })

  it('applies the seed env names', () => {
    const c = loadSimConfig({
      env: {
        SIM_DURATION: '90s',
        SIM_MAX_PEERS: '50',
        SIM_METRICS: '1',
        SIM_AM_DEBUG: '1',
        SIM_AM_LOG_LEVEL: '2',
        PS_AM_DEBUG: '0',
        PS_AM_LOG_LEVEL: '4',
        PS_TRACING_HOST: '1',
        PS_TRACING_AM: '2',
        UNRELATED: 'x',
      },
    })
    expect(c.duration).toBe(90_000)
    expect(c.limits.maxPeers).toBe(50)
    expect(c.telemetry.metrics.enabled).toBe(true)
    expect(c.telemetry.dbg).toEqual({ address: '127.0.0.1:6831', sim: true, pubsub: false })
    expect(c.telemetry.logLevel).toEqual({ sim: 2, pubsub: 4 })
    expect(c.telemetry.trace).toMatchObject({ exporter: 'otlp', am: 2, host: 1 })
    // an empty env variable counts as unset
    expect(loadSimConfig({ env: { SIM_MAX_PEERS: '' } }).limits.maxPeers).toBe(20)
    // a tracing level of 0 leaves the exporter off
    expect(loadSimConfig({ env: { PS_TRACING_AM: '0' } }).telemetry.trace.exporter).toBe('off')
  })

  it.each([
    [{ SIM_DURATION: 'forever' }, "SIM_DURATION: duration: 'forever' is not a duration"],
    [{ SIM_MAX_PEERS: '0' }, 'SIM_MAX_PEERS: limits.maxPeers: 0 is below the minimum 1'],
    [{ SIM_MAX_PEERS: 'ten' }, "SIM_MAX_PEERS: limits.maxPeers: 'ten' is not a whole number"],
    [{ SIM_MAX_PEERS: '5' }, 'SIM_MAX_PEERS: initial.peers 10 exceeds limits.maxPeers 5'],
    [{ SIM_METRICS: 'maybe' }, "SIM_METRICS: telemetry.metrics.enabled: 'maybe' is not true or false"],
    [{ SIM_AM_DEBUG: 'sure' }, "SIM_AM_DEBUG: telemetry.dbg.sim: 'sure' is not true or false"],
    [{ SIM_AM_LOG_LEVEL: '5' }, 'SIM_AM_LOG_LEVEL: telemetry.logLevel.sim: 5 is above the maximum 4'],
    [{ PS_AM_DEBUG: '2' }, "PS_AM_DEBUG: telemetry.dbg.pubsub: '2' is not true or false"],
    [{ PS_AM_LOG_LEVEL: '-1' }, 'PS_AM_LOG_LEVEL: telemetry.logLevel.pubsub: -1 is below the minimum 0'],
    [{ PS_TRACING_HOST: '2' }, 'PS_TRACING_HOST: telemetry.trace.host: 2 is above the maximum 1'],
    [{ PS_TRACING_AM: 'x' }, "PS_TRACING_AM: telemetry.trace.am: 'x' is not a whole number"],
  ])('bad env %j → %s', (env, message) => {
    const err = errorOf(() => loadSimConfig({ env }))
    expect(err).toBeInstanceOf(InputError)
    expect(err.message.startsWith(message)).toBe(true)
  })

  it('applies flags after env, and env after the file', () => {
    const path = file('duration: 10s\nlimits:\n  maxPeers: 30\n')
    const c = loadSimConfig({
      path,
      env: { SIM_DURATION: '20s', SIM_MAX_PEERS: '40' },
      flags: { duration: '30s', seed: '7', metrics: '127.0.0.1:9999', dbg: '7000', log: 'run.jsonl', trace: 'file' },
    })
    expect(c.duration).toBe(30_000)
    expect(c.limits.maxPeers).toBe(40)
    expect(c.seed).toBe(7)
    expect(c.telemetry.metrics).toMatchObject({ enabled: true, listen: '127.0.0.1:9999' })
    expect(c.telemetry.dbg.address).toBe('127.0.0.1:7000')
    expect(c.telemetry.log).toBe('run.jsonl')
    expect(c.telemetry.trace.exporter).toBe('file')
    const bare = loadSimConfig({ flags: { metrics: true } })
    expect(bare.telemetry.metrics).toMatchObject({ enabled: true, listen: '127.0.0.1:9464' })
  })

  it.each([
    [{ duration: 'x' }, "--duration: duration: 'x' is not a duration"],
    [{ 'max-peers': '0' }, '--max-peers: limits.maxPeers: 0 is below the minimum 1'],
    [{ 'max-peers': '3' }, '--max-peers: initial.peers 10 exceeds limits.maxPeers 3'],
    [{ seed: '-1' }, '--seed: seed: -1 is below the minimum 0'],
    [{ metrics: 'nowhere' }, "--metrics: telemetry.metrics.listen: 'nowhere' is not host:port"],
    [{ trace: 'zipkin' }, "--trace: telemetry.trace.exporter: 'zipkin' is not one of otlp, jaeger, file, off"],
    [{ dbg: 'a:b' }, "--dbg: telemetry.dbg.address: 'a:b' is not host:port"],
  ] as [SimFlags, string][])('bad flag %j → %s', (flags, message) => {
    const err = errorOf(() => loadSimConfig({ flags }))
    expect(err).toBeInstanceOf(UsageError)
    expect(err.message).toContain(message)
  })

  it('blames the file line when the file breaks a rule across keys', () => {
    const path = file('initial:\n  peers: 30\n')
    expect(errorOf(() => loadSimConfig({ path })).message).toBe(
      `${path}:2: initial.peers 30 exceeds limits.maxPeers 20 (RemovePeer could never fire)`,
    )
  })
})
