// Joining a topic through discovery on real hosts: the bootstrap flow dials what it finds, the join
// resolves once the topic has enough peers, and a join that cannot be satisfied times out by name.
import { afterEach, describe, expect, it } from 'vitest'
import { TopicJoinTimeoutError } from '../../src/discovery/errors.js'
import { InProcessRegistry } from '../../src/discovery/registry.js'
import { TopicDiscovery } from '../../src/discovery/topic-discovery.js'
import type { Host } from '../../src/net/host.js'
import { createRingSink } from '../../src/telemetry/log/ring-sink.js'
import { Recorder } from '../../src/telemetry/recorder.js'
import type { TxRecord } from '../../src/telemetry/records.js'
import { createHosts, IMPLS, recordedFactory, stopAll } from '../pubsub/helpers.js'

describe.each(IMPLS)('TopicDiscovery ($name)', ({ factory }) => {
  let hosts: Host[] = []
  let discs: TopicDiscovery[] = []
  afterEach(async () => {
    for (const d of discs) d.stop()
    await stopAll(hosts)
    hosts = []
    discs = []
  })

  it('every host joins through discovery alone (no manual dials) and sees the others', async () => {
    hosts = await createHosts(4, factory)
    const reg = new InProcessRegistry()
    discs = hosts.map((h, i) => new TopicDiscovery(h, { discovery: reg.forHost(h), id: `ps-${i}-disc` }))
    for (const d of discs) d.start()
    const peers = await Promise.all(discs.map((d) => d.joinTopic('t', { minPeers: 3, timeoutMs: 20_000 })))
    expect(peers).toEqual([3, 3, 3, 3])
    for (const h of hosts) expect(h.services.pubsub.getSubscribers('t')).toHaveLength(3)
    expect(discs[0]!.transitions()).toBeGreaterThan(0)
  })

  it('a join that cannot get enough peers rejects with TopicJoinTimeoutError', async () => {
    hosts = await createHosts(2, factory)
    const reg = new InProcessRegistry()
    discs = hosts.map((h, i) => new TopicDiscovery(h, { discovery: reg.forHost(h), id: `ps-${i}-disc` }))
    for (const d of discs) d.start()
    const err = await discs[0]!.joinTopic('t', { minPeers: 5, timeoutMs: 300 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TopicJoinTimeoutError)
    expect((err as Error).name).toBe('TopicJoinTimeoutError')
    expect((err as Error).message).toMatch(/^topic 't' not ready after 300 ms: [01] of 5 wanted topic peers$/)
  })
})

describe('TopicDiscovery machines', () => {
  let hosts: Host[] = []
  let discs: TopicDiscovery[] = []
  afterEach(async () => {
    for (const d of discs) d.stop()
    await stopAll(hosts)
  })

  it('records advertise, discover and bootstrap on ps-<n>-disc and its flow ps-<n>-disc-bf-<topic>', async () => {
    const rec = new Recorder()
    const ring = createRingSink(100_000)
    rec.addSink(ring)
    hosts = await createHosts(3, recordedFactory(rec, []))
    const reg = new InProcessRegistry()
    discs = hosts.map((h) => new TopicDiscovery(h, { discovery: reg.forHost(h), recorder: rec }))
    for (const d of discs) d.start()
    await Promise.all(discs.map((d) => d.joinTopic('news', { minPeers: 2, timeoutMs: 20_000 })))
    expect(discs[1]!.id).toBe('ps-1-disc')
    expect(discs[1]!.leaveTopic('news')).toBe(true)
    expect(hosts[1]!.services.pubsub.getTopics()).toEqual([])
    const records = ring.records()
    const machines = records.filter((r) => r.kind === 'machine')
    expect(machines).toContainEqual(expect.objectContaining({ id: 'ps-0-disc', parent: 'ps-0', type: 'discovery' }))
    expect(machines).toContainEqual(
      expect.objectContaining({ id: 'ps-0-disc-bf-news', parent: 'ps-0-disc', type: 'bootstrap-flow' }),
    )
    const tx = (m: string) => records.filter((r): r is TxRecord => r.kind === 'tx' && r.machine === m)
    const disc = tx('ps-0-disc').map((t) => t.event)
    for (const e of ['add.Start', 'AdvertisingTopic', 'BootstrappingTopic', 'TopicBootstrapped'])
      expect(disc).toContain(e)
    const flowAdded = tx('ps-0-disc-bf-news').flatMap((t) => t.added)
    expect(flowAdded).toContain('BootstrapChecking')
    expect(flowAdded.at(-1)).toBe('TopicBootstrapped')
    expect(tx('ps-1-disc').map((t) => t.event)).toContain('StopAdvertisingTopic')
    await rec.close()
  })
})
