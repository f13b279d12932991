// A message followed through a known topology: six real libp2p hosts with real gossipsub on the network
// model (20 ms a link), five in a chain ps-0 — ps-1 — ps-2 — ps-3 — ps-4 and ps-5 hanging off ps-4.
// ps-0 publishes, ps-5 leaves right after; the recorded log, read back as `psm dbg` reads it, must give a
// message view with exactly the hops 0→1→2→3→4 at increasing times, and ps-5 as missed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openLog } from '../../src/dbg/load/file-loader.js'
import { lateMessages, messagePath, messagesOfTx } from '../../src/dbg/model/message-path.js'
import { DbgModel } from '../../src/dbg/model/model.js'
import { findTx } from '../../src/dbg/model/search.js'
import { createHost, type Host } from '../../src/net/host.js'
import { NetworkModel } from '../../src/net/model/model.js'
import { stopHosts } from '../../src/net/stop-hosts.js'
import { machinePubsub, msgIdOf } from '../../src/pubsub/machine.js'
import { createJsonlFileSink } from '../../src/telemetry/log/file-sink.js'
import { scanLog } from '../../src/telemetry/log/reader.js'
import { Recorder } from '../../src/telemetry/recorder.js'
import { runPsm } from '../helpers/cli.js'
import { receipt, spec } from '../net/model-helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'psm-msg-path-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const TOPIC = 'chain'
const LINK_MS = 20

/** Resolves once every host's mesh on the topic holds its neighbours in the chain. */
async function meshed(hosts: Host[], edges: Array<[number, number]>): Promise<void> {
  // getMeshPeers is public on gossipsub's class, not on its interface
  const mesh = (h: Host) => (h.services.pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(TOPIC)
  const has = (a: number, b: number): boolean => mesh(hosts[a]!).includes(hosts[b]!.peerId.toString())
  while (!edges.every(([a, b]) => has(a, b) && has(b, a))) await new Promise((r) => setTimeout(r, 10))
}

describe('message view over a known topology', () => {
  it('a chain of 5 over the network model: hops 0→1→2→3→4 at increasing times; a host that left is missed', async () => {
    const log = join(dir, 'chain.jsonl')
    const rec = new Recorder({ source: 'test chain' })
    rec.addSink(createJsonlFileSink(log))
    const net = new NetworkModel(spec({ latency: { kind: 'constant', ms: LINK_MS } }), { seed: 1 })
    const hosts: Host[] = []
    try {
      for (let i = 0; i < 6; i++) {
        hosts.push(
          await createHost({
            network: net.host(i),
            heartbeatMs: 200,
            pubsub: (init, network) =>
              machinePubsub({ ...init, ...(network ? { network } : {}), id: `ps-${i}`, parent: null, recorder: rec }),
          }),
        )
      }
      const edges: Array<[number, number]> = [
        [0, 1],
        [1, 2],
        [2, 3],
        [3, 4],
        [4, 5],
      ]
      for (const [a, b] of edges) await hosts[a]!.dial(hosts[b]!.getMultiaddrs()[0]!)
      for (const h of hosts) h.services.pubsub.subscribe(TOPIC)
      await meshed(hosts, edges)

      const data = new TextEncoder().encode(`along the chain ${Date.now()}`)
      const id = msgIdOf(data)
      const got = hosts.slice(1, 5).map((h) => receipt(h, TOPIC, data[0]!))
      await hosts[0]!.services.pubsub.publish(TOPIC, data)
      // ps-5 leaves after the publish, long before the message can come 5 links down the chain
      await new Promise((r) => setTimeout(r, 2))
      await hosts[5]!.stop()
      await Promise.all(got)
      // the marks are written when gossipsub has validated: give the last one its turn
      await new Promise((r) => setTimeout(r, 50))
      await stopHosts(hosts.slice(0, 5), 5000)
      await rec.close()

      // the log is a version 2 log that psm log validate accepts
      const { stats, problem } = await scanLog(log)
      expect(problem).toBeUndefined()
      expect(stats.version).toBe(2)
      expect(stats.msgs.publish).toBeGreaterThanOrEqual(1)
      const v = await runPsm(['log', 'validate', log])
      expect(v.code, v.stderr).toBe(0)
      expect(v.stdout).toMatch(/ok \(format version 2, .* message marks\)/)

      // read back as psm dbg reads it
      const model = new DbgModel({ source: log })
      await (await openLog(log)).load(model)
      const k = model.messages.byId.get(id)
      expect(k).toBeDefined()
      const path = messagePath(model, model.messages.messages[k!]!)
      const name = (i: number): string => model.machines[i]!.id
      expect(path.hops.map((h) => name(h.machine))).toEqual(['ps-0', 'ps-1', 'ps-2', 'ps-3', 'ps-4'])
      expect(path.hops.map((h) => h.mark)).toEqual(['publish', 'deliver', 'deliver', 'deliver', 'deliver'])
      expect(path.hops.map((h) => h.depth)).toEqual([0, 1, 2, 3, 4])
      expect(path.hops.slice(1).map((h) => name(h.from))).toEqual(['ps-0', 'ps-1', 'ps-2', 'ps-3'])
      for (let i = 1; i < path.hops.length; i++) {
        const h = path.hops[i]!
        expect(h.sincePublish).toBeGreaterThan(path.hops[i - 1]!.sincePublish)
        // every hop crosses one modelled link: the mark carries the link's delay and the sender's queueing
        expect(h.hopMs).toBeGreaterThanOrEqual(LINK_MS - 1)
        expect(h.netMs).toBeGreaterThanOrEqual(LINK_MS)
        expect(h.queueMs).toBeGreaterThanOrEqual(0)
        expect(h.netMs! + h.queueMs!).toBeLessThanOrEqual(h.hopMs! + 1)
        // the hop belongs to the IncomingRPC that carried the message, which names sender and id
        const tx = model.tx(h.g)
        expect(tx?.machine.id).toBe(name(h.machine))
        expect(tx?.event).toBe('IncomingRPC')
        expect(tx?.args).toMatchObject({ from: name(h.from) })
        expect(String(tx?.args?.ids).split(',')).toContain(id)
        expect(messagesOfTx(model, h.g)).toContain(id)
      }
      expect(path.hops[path.slowest]?.mark).toBe('deliver')
      expect(path.missed.map(name)).toEqual(['ps-5'])
      expect(path.expected).toBe(5)
      expect(path.reached).toBe(4)
      expect(path.t99).toBeUndefined()
      // the publish: its transition names the message, and its host the peer id it drives
      const pubTx = model.tx(path.hops[0]!.g)
      expect(pubTx?.event).toBe('PublishMessage')
      expect(pubTx?.args).toMatchObject({ topic: TOPIC, msgId: id })
      expect(model.byId.get('ps-0')?.peer).toBe(hosts[0]!.peerId.toString())
      // the late list has it (it never reached ps-5), and search finds its transitions by id
      expect(lateMessages(model).find((m) => m.id === id)).toMatchObject({ expected: 5, reached: 4, t99: undefined })
      const g = findTx(model, id, model.firstGlobal - 1, 1)
      expect(model.tx(g)?.event).toBe('PublishMessage')
      const g2 = findTx(model, id, g, 1)
      expect(model.tx(g2)?.machine.id).toBe('ps-1')
    } finally {
      await stopHosts(hosts, 5000)
      await rec.close()
    }
  }, 60_000)
})
