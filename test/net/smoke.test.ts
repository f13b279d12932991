import { expect, it } from 'vitest'
import { createHost } from '../../src/net/host.js'
import { NetworkModel } from '../../src/net/model/model.js'

for (const transport of ['memory', 'tcp'] as const) {
  it(`smoke ${transport}`, async () => {
    const model = new NetworkModel(
      { latency: { kind: 'constant', ms: 50 }, jitterMs: 0, loss: 0, dialFailure: 0, bandwidth: [], source: 'inline' },
      { seed: 1 },
    )
    const a = await createHost({ transport, network: model.host(0) })
    const b = await createHost({ transport, network: model.host(1) })
    const t0 = Date.now()
    await a.dial(b.getMultiaddrs()[0]!)
    console.log('dial ms', Date.now() - t0)
    const subscribed = new Promise<void>((r) => a.services.pubsub.addEventListener('subscription-change', () => r()))
    b.services.pubsub.subscribe('t')
    a.services.pubsub.subscribe('t')
    await subscribed
    await new Promise((r) => setTimeout(r, 1500))
    const lat: number[] = []
    for (let i = 0; i < 5; i++) {
      const got = new Promise<number>((r) =>
        b.services.pubsub.addEventListener('message', () => r(Date.now()), { once: true }),
      )
      const s = Date.now()
      await a.services.pubsub.publish('t', new Uint8Array([i]))
      lat.push((await got) - s)
    }
    console.log(transport, lat, model.stats(0), model.stats(1))
    expect(lat.length).toBe(5)
    await Promise.all([a.stop(), b.stop()])
  })
}
