// The human-readable summary of a scenario run (the JSON form is the result object itself).
import type { ScenarioResult } from './simple-discovery.js'

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`
const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`

export function formatScenarioResult(r: ScenarioResult): string {
  return [
    `${r.scenario}: ${r.hosts} hosts, ${r.msgs} msgs, impl ${r.impl}, seed ${r.seed}`,
    `  result      ${r.failure === null ? 'ok' : `FAILED: ${r.failure}`}`,
    `  delivered   ${r.delivered}/${r.expected} (${r.failures} failures)`,
    r.clock === 'real'
      ? `  time        wall ${r.wallMs} ms (ready ${r.readyMs} ms, publish ${r.publishMs} ms), cpu ${r.cpuMs} ms`
      : `  time        ${r.clock} clock: simulated ${r.simMs} ms (ready ${r.readyMs} ms, publish ${r.publishMs} ms); real: wall ${r.wallMs} ms, cpu ${r.cpuMs} ms`,
    `  latency     p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`,
    `  memory      peak rss ${mb(r.peakRssBytes)}, heap allocated ${mb(r.heapAllocatedBytes)}`,
    `  gc          ${r.gcCount} collections, ${r.gcPauseMs} ms paused, ${mb(r.gcCollectedBytes)} collected`,
    `  transitions ${r.transitions} pubsub host, ${r.discoveryTransitions} discovery`,
    ...(r.net
      ? [
          `  network     ${r.net.source}: ${kb(r.net.bytesSentPerHost)} sent, ${kb(r.net.bytesRecvPerHost)} received per host; uplink wait p50 ${r.net.uplinkQueueMs.p50} ms, p99 ${r.net.uplinkQueueMs.p99} ms, max ${r.net.uplinkQueueMs.max} ms`,
        ]
      : []),
    '',
  ].join('\n')
}
