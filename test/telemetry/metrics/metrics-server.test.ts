import { describe, expect, test } from 'vitest'
import { InputError } from '../../../src/errors.js'
import { createHost, type Host } from '../../../src/net/host.js'
import { vanillaPubsub } from '../../../src/pubsub/vanilla.js'
import { createRunMetrics } from '../../../src/telemetry/metrics/metrics.js'
import { parseMetricsAddress, startMetricsServer } from '../../../src/telemetry/metrics/metrics-server.js'

describe('metrics server', () => {
  test('serves the run registry at /metrics on 127.0.0.1, 404 elsewhere', async () => {
    const run = createRunMetrics()
    run.sim.set({ peers: 3 })
    const server = await startMetricsServer(run.registry, { port: 0 })
    try {
      expect(server.host).toBe('127.0.0.1')
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`)
      const res = await fetch(server.url)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
      const text = await res.text()
      expect(text).toMatch(/^sim_peers 3$/m)
      expect(text).toMatch(/^process_cpu_seconds_total /m)
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m)
      expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404)
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405)
      // a second registry (a second run in the same process) is its own
      const other = createRunMetrics({ processMetrics: false })
      expect(await other.text()).toMatch(/^sim_peers 0$/m)
      other.close()
    } finally {
      await server.close()
      run.close()
    }
  })

  test('a port in use is an InputError naming the address', async () => {
    const run = createRunMetrics({ processMetrics: false })
    const a = await startMetricsServer(run.registry, { port: 0 })
    try {
      await expect(startMetricsServer(run.registry, { port: a.port })).rejects.toThrow(InputError)
      await expect(startMetricsServer(run.registry, { port: a.port })).rejects.toThrow(
        `metrics: cannot listen on 127.0.0.1:${a.port} (EADDRINUSE)`,
      )
    } finally {
      await a.close()
      run.close()
    }
  })

  test('--metrics values', () => {
    expect(parseMetricsAddress('')).toEqual({ host: '127.0.0.1', port: 9464 })
    expect(parseMetricsAddress('true')).toEqual({ host: '127.0.0.1', port: 9464 })
    expect(parseMetricsAddress('9000')).toEqual({ host: '127.0.0.1', port: 9000 })
    expect(parseMetricsAddress('0.0.0.0:9100')).toEqual({ host: '0.0.0.0', port: 9100 })
    expect(parseMetricsAddress('[::1]:9100')).toEqual({ host: '::1', port: 9100 })
    expect(() => parseMetricsAddress('host:port')).toThrow("--metrics: 'host:port' is not HOST:PORT or PORT")
    expect(() => parseMetricsAddress('1:99999', 'telemetry.metrics.listen')).toThrow(/^telemetry\.metrics\.listen: /)
  })
})

describe('gossipsub metrics from real hosts', () => {
  test('three hosts, a host label for two, the third under "other"; scrape callbacks fill mesh and scores', async () => {
    const run = createRunMetrics({ hostLabelLimit: 2, processMetrics: false })
    const hosts: Host[] = []
    for (let i = 0; i < 3; i++) {
      const m = run.gossipsub.forHost(`ps-${i}`)
      hosts.push(
        await createHost({
          heartbeatMs: 100,
          pubsub: vanillaPubsub,
          gossipsub: { metricsRegister: m.metricsRegister, metricsTopicStrToLabel: m.metricsTopicStrToLabel },
        }),
      )
    }
    try {
      run.gossipsub.topicStrToLabel.set('psm/t1', 't1')
      const grafted = new Promise<void>((resolve) => {
        let n = 0
        for (const h of hosts) {
          h.services.pubsub.addEventListener('gossipsub:graft', () => {
            if (++n === 6) resolve()
          })
        }
      })
      for (const h of hosts) h.services.pubsub.subscribe('psm/t1')
      const [h0, h1, h2] = hosts as [Host, Host, Host]
      await h0.dial(h1.getMultiaddrs()[0]!)
      await h0.dial(h2.getMultiaddrs()[0]!)
      await h1.dial(h2.getMultiaddrs()[0]!)
      await grafted
      const got = new Promise<void>((resolve) => {
        h2.services.pubsub.addEventListener('message', () => resolve())
      })
      await h0.services.pubsub.publish('psm/t1', new TextEncoder().encode('hi'))
      await got
      // two more heartbeats on every host: the first one's duration has been observed by then
      await Promise.all(
        hosts.map(
          (h) =>
            new Promise<void>((resolve) => {
              let n = 0
              const on = () => {
                if (++n < 2) return
                h.services.pubsub.removeEventListener('gossipsub:heartbeat', on)
                resolve()
              }
              h.services.pubsub.addEventListener('gossipsub:heartbeat', on)
            }),
        ),
      )
      const text = await run.text()
      expect(text).toMatch(/^gossipsub_mesh_peers\{topic="t1",host="ps-0"\} 2$/m)
      expect(text).toMatch(/^gossipsub_mesh_peers\{topic="t1",host="other"\} 2$/m)
      expect(text).toMatch(/^gossipsub_topic_peers\{topic="t1",host="ps-1"\} 2$/m)
      expect(text).toMatch(/^gossipsub_score_avg\{host="ps-0"\} /m)
      expect(text).toMatch(/^gossipsub_msg_publish_count_total\{topic="t1",host="ps-0"\} 1$/m)
      expect(text).toMatch(/^gossipsub_rpc_recv_subscription_total\{host="other"\} 2$/m)
      expect(text).toMatch(/^gossipsub_rpc_sent_graft_total\{host="[^"]+"\} [1-9]/m)
      expect(text).toMatch(/^gossipsub_heartbeat_duration_seconds_count\{host="ps-1"\} [1-9]/m)
      expect(text).toMatch(/^psm_gossipsub_hosts\{host="other"\} 1$/m)
      expect(text).not.toMatch(/host="ps-2"/)
    } finally {
      await Promise.all(hosts.map((h) => h.stop()))
      run.close()
    }
  })
})
